import type { ConformanceCheck } from '../check.ts';
import { expect, messageText } from '../http.ts';
import { assistant, streamRun } from './api.ts';

/** `POST /threads/runs` streamed: `thread.created` first, then the run, in an order the charts draw. */
export const createAndRunStream: ConformanceCheck = {
  id: 'create-and-run-stream',
  protocol: 'assistants',
  title: 'create a thread and run it, streamed: thread.created first, the run completed (strict)',
  async run(ctx) {
    const assistantId = await assistant(ctx, {}, 'assistants');
    const streamed = await streamRun(ctx, '/threads/runs', { assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'Say hello.' }] } });
    expect(streamed.events[0] === 'thread.created', `the first event is ${streamed.events[0]}, not thread.created`);
    expect(streamed.run.status === 'completed', `the run ended ${streamed.run.status}, not completed`);
    expect(streamed.messages.some((message) => messageText(message).length > 0), 'the stream carried no message text');
  },
};
