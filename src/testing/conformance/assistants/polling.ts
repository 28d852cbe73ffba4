import type { ConformanceCheck } from '../check.ts';
import { call, describe, expect, ok } from '../http.ts';
import { pathOf, pollThroughCharts } from '../poll.ts';
import { assistant, createRun, thread } from './api.ts';

/** A run created without streaming, polled through the poll chart to `completed`; the poll header is a whole number. */
export const polling: ConformanceCheck = {
  id: 'polling',
  protocol: 'assistants',
  title: 'a run polled to its end; openai-poll-after-ms on run retrieval',
  async run(ctx) {
    const assistantId = await assistant(ctx, {}, 'assistants');
    const threadId = await thread(ctx, 'Say hello.');
    const run = await createRun(ctx, threadId, { assistant_id: assistantId });
    expect(['queued', 'in_progress'].includes(String(run['status'])), `a new run is ${describe(run['status'])}, not queued or in_progress`);
    const target = { resource: 'run', threadId, runId: String(run['id']) } as const;
    const end = await pollThroughCharts(ctx, target);
    expect(end['status'] === 'completed', `the run ended ${String(end['status'])}, not completed`);
    const header = (await call(ctx, 'GET', pathOf(target))).headers.get('openai-poll-after-ms');
    if (header === null) ctx.warn('no openai-poll-after-ms header on run retrieval');
    else expect(/^\d+$/.test(header), `openai-poll-after-ms is ${header}, not a whole number`);
    const list = await ok(ctx, 'GET', `${pathOf(target)}/steps`);
    expect(Array.isArray(list['data']) && (list['data'] as unknown[]).length > 0, 'the finished run lists no steps');
  },
};
