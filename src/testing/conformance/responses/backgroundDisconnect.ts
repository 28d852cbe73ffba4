import type { ConformanceCheck } from '../check.ts';
import { expect } from '../http.ts';
import { pollThroughCharts } from '../poll.ts';
import { QUESTION, responseIdOf, streamResponse } from './api.ts';

/** A background stream the client drops right after `response.created` still runs to its end. */
export const responsesBackgroundDisconnect: ConformanceCheck = {
  id: 'responses-background-disconnect',
  protocol: 'responses',
  title: 'a background stream dropped right after response.created still reaches completed (not stuck queued)',
  async run(ctx) {
    const read = await streamResponse(ctx, { input: QUESTION, background: true }, { until: (_, index) => index === 0 });
    const id = responseIdOf(read.events);
    const end = await pollThroughCharts(ctx, { resource: 'response', responseId: id });
    expect(end['status'] === 'completed', `after the early disconnect the response ended ${String(end['status'])}, not completed`);
  },
};
