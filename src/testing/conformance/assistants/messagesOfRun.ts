import type { ConformanceCheck } from '../check.ts';
import { expect, isRecord, ok } from '../http.ts';
import { assistant, streamRun, thread } from './api.ts';

/** `GET /threads/{id}/messages?run_id=` lists only the messages that run made. */
export const messagesOfRun: ConformanceCheck = {
  id: 'messages-of-run',
  protocol: 'assistants',
  title: "messages filtered by run_id: only that run's messages, the user's left out",
  async run(ctx) {
    const assistantId = await assistant(ctx, {}, 'assistants');
    const threadId = await thread(ctx, 'Say hello.');
    const streamed = await streamRun(ctx, `/threads/${threadId}/runs`, { assistant_id: assistantId });
    const list = await ok(ctx, 'GET', `/threads/${threadId}/messages?run_id=${streamed.run.id}`);
    const data = (list['data'] as unknown[]).filter(isRecord);
    expect(data.length === streamed.messages.length && data.length > 0, `run_id lists ${data.length} messages, the run made ${streamed.messages.length}`);
    expect(data.every((message) => message['run_id'] === streamed.run.id && message['role'] === 'assistant'), 'run_id lists a message of another run (or the user\'s)');
  },
};
