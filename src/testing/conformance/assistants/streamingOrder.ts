import type { ConformanceCheck } from '../check.ts';
import { expect, messageText } from '../http.ts';
import { thread, assistant, streamRun } from './api.ts';

export const streamingOrder: ConformanceCheck = {
  id: 'streaming-order',
  protocol: 'assistants',
  title: 'a streamed run: SSE, every event in an order the charts draw (strict)',
  async run(ctx) {
    const assistantId = await assistant(ctx, {}, 'assistants');
    const threadId = await thread(ctx, 'Say hello in five words.');
    const streamed = await streamRun(ctx, `/threads/${threadId}/runs`, { assistant_id: assistantId });
    expect(streamed.run.status === 'completed', `the run ended ${streamed.run.status}, not completed`);
    expect(streamed.messages.some((message) => messageText(message).length > 0), 'the stream carried no message text');
    expect(streamed.events.includes('thread.run.created'), 'the stream has no thread.run.created');
  },
};
