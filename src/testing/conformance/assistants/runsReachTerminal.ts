import type { ConformanceCheck } from '../check.ts';
import { call, CheckFailure, isRecord } from '../http.ts';
import { pathOf, pollThroughCharts } from '../poll.ts';

/**
 * Every run the suite started reaches a terminal status: those it left paused at
 * `requires_action` are cancelled (the client's way to end them), and every one is followed
 * until it ends, within the check's time.
 */
export const runsReachTerminal: ConformanceCheck = {
  id: 'runs-reach-terminal',
  protocol: 'assistants',
  title: 'every run the suite started reached a terminal status (paused ones cancelled)',
  async run(ctx) {
    const stuck: string[] = [];
    const seenRuns = new Set<string>();
    for (const { threadId, runId } of ctx.started.runs) {
      if (seenRuns.has(runId)) continue;
      seenRuns.add(runId);
      const target = { resource: 'run', threadId, runId } as const;
      const seen: string[] = [];
      try {
        let end = await pollThroughCharts(ctx, target, seen);
        if (end['status'] === 'requires_action') {
          const cancelled = await call(ctx, 'POST', `${pathOf(target)}/cancel`);
          if (cancelled.status !== 200 || !isRecord(cancelled.body)) throw new CheckFailure(`cancelling paused run ${runId} answered ${cancelled.status}`);
          end = await pollThroughCharts(ctx, target, seen);
        }
        if (end['status'] === 'requires_action') stuck.push(`${runId} (still requires_action after a cancel)`);
      } catch (error) {
        if (!(error instanceof CheckFailure) && !ctx.signal.aborted) throw error;
        stuck.push(`${runId} (${[...new Set(seen)].join(' → ') || 'never retrieved'})`);
        if (ctx.signal.aborted) break;
      }
    }
    if (stuck.length > 0) throw new CheckFailure(`${stuck.length} run(s) never ended: ${stuck.join(', ')}`);
  },
};
