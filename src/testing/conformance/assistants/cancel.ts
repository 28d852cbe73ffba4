import type { ConformanceCheck } from '../check.ts';
import { call, CheckFailure, describe, expect, isRecord } from '../http.ts';
import { pathOf, pollThroughCharts } from '../poll.ts';
import { assistant, createRun, expectEnvelope, thread } from './api.ts';

/** A run cancelled at once answers `cancelling` or `cancelled`, ends `cancelled`; cancelling it again is a 400. */
export const cancel: ConformanceCheck = {
  id: 'cancel',
  protocol: 'assistants',
  title: 'cancel: a run in progress goes cancelling → cancelled',
  async run(ctx) {
    const assistantId = await assistant(ctx, {}, 'assistants');
    const threadId = await thread(ctx, `Please write a long story about ${'a very patient statechart '.repeat(8)}`);
    const run = await createRun(ctx, threadId, { assistant_id: assistantId });
    const target = { resource: 'run', threadId, runId: String(run['id']) } as const;
    const path = pathOf(target);
    const cancelled = await call(ctx, 'POST', `${path}/cancel`);
    if (cancelled.status !== 200) {
      expectEnvelope(cancelled.body, 'POST …/cancel');
      throw new CheckFailure(`POST …/cancel answered ${cancelled.status}: ${describe(cancelled.body)} (did the run end first?)`);
    }
    expect(isRecord(cancelled.body) && ['cancelling', 'cancelled'].includes(String(cancelled.body['status'])), `cancel answered status ${describe(isRecord(cancelled.body) ? cancelled.body['status'] : cancelled.body)}`);
    const end = await pollThroughCharts(ctx, target);
    if (end['status'] !== 'cancelled') ctx.warn(`the run ended ${String(end['status'])} after cancelling (allowed by the API)`);
    const again = await call(ctx, 'POST', `${path}/cancel`);
    expect(again.status === 400, `cancelling an ended run answered ${again.status}, not 400`);
    expectEnvelope(again.body, 'POST …/cancel of an ended run');
  },
};
