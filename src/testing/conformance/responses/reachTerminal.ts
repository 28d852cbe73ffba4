import type { ConformanceCheck } from '../check.ts';
import { CheckFailure } from '../http.ts';
import { pollThroughCharts } from '../poll.ts';

/** Every background response the suite started reaches a terminal status within the check's deadline. */
export const responsesReachTerminal: ConformanceCheck = {
  id: 'responses-reach-terminal',
  protocol: 'responses',
  title: 'every background response the suite started reached a terminal status',
  async run(ctx) {
    const stuck: string[] = [];
    for (const id of new Set(ctx.started.responses)) {
      const seen: string[] = [];
      try {
        await pollThroughCharts(ctx, { resource: 'response', responseId: id }, seen);
      } catch (error) {
        if (!(error instanceof CheckFailure) && !ctx.signal.aborted) throw error;
        stuck.push(`${id} (${[...new Set(seen)].join(' → ') || 'never retrieved'})`);
        if (ctx.signal.aborted) break;
      }
    }
    if (stuck.length > 0) throw new CheckFailure(`${stuck.length} background response(s) never ended: ${stuck.join(', ')}`);
  },
};
