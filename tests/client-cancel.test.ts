// Cancelling for real: cancelAndPoll resolves only with the server's terminal run, and
// cancelRunOnAbort makes an aborted stream cancel its run, which otherwise goes on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';

async function setup() {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5 });
  const client = new AssistantsClient({ baseURL: server.url, apiKey: 'k' });
  const assistant = await client.beta.assistants.create({ model: 'scripted' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me about the weather in a long answer' }] });
  return { server, client, assistant, thread };
}

test('cancelAndPoll: the run ends cancelled, confirmed by the server; an ended run answers with itself', async () => {
  const { server, client, assistant, thread } = await setup();
  try {
    const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, metadata: { scenario: 'slow' } });
    const cancelled = await client.beta.threads.runs.cancelAndPoll(run.id, { thread_id: thread.id }, { pollIntervalMs: 10, deadlineMs: 10_000 });
    assert.is(cancelled.status, 'cancelled');
    assert.is((await client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).status, 'cancelled');

    const done = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 10 });
    assert.is(done.status, 'completed');
    const again = await client.beta.threads.runs.cancelAndPoll(done.id, { thread_id: thread.id }, { pollIntervalMs: 10 });
    assert.is(again.status, 'completed');
  } finally {
    await server.close();
  }
});

test('an aborted stream leaves its run going, unless cancelRunOnAbort says otherwise', async () => {
  const { server, client, assistant, thread } = await setup();
  try {
    for (const cancelRunOnAbort of [false, true]) {
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id, metadata: { scenario: 'slow' } }, { cancelRunOnAbort });
      await stream.emitted('textDelta');
      const runId = stream.currentRun()!.id;
      stream.abort();
      await stream.done().catch(() => {});
      if (cancelRunOnAbort) {
        const run = await client.beta.threads.runs.poll(runId, { thread_id: thread.id }, { pollIntervalMs: 10, deadlineMs: 20_000 });
        assert.is(run.status, 'cancelled');
      } else {
        await new Promise((resolve) => setTimeout(resolve, 150));
        assert.is((await client.beta.threads.runs.retrieve(runId, { thread_id: thread.id })).status, 'in_progress', 'the run goes on');
        await client.beta.threads.runs.cancelAndPoll(runId, { thread_id: thread.id }, { pollIntervalMs: 10 });
      }
    }
  } finally {
    await server.close();
  }
});

test.run();
