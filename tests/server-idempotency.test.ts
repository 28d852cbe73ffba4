// Idempotency keys, end to end: the server answers a repeated key with the original object or
// the original run's stream, refuses a key reused for another request, and the client's retry
// of a streaming POST whose connection dropped after the server took it creates nothing twice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { startForwardingProxy } from './helpers/forwardingProxy.ts';

const withServer = async (body: (t: TestServer) => Promise<void>) => {
  const t = await startTestServer();
  try {
    await body(t);
  } finally {
    await t.close();
  }
};
const post = (t: TestServer, path: string, body: object, key: string) =>
  t.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': key } });

test('a repeated key with the same body answers with the original object; another body is a 409', async () => {
  await withServer(async (t) => {
    const first = await (await post(t, '/assistants', { model: 'scripted', name: 'a' }, 'key-1')).json();
    const again = await (await post(t, '/assistants', { model: 'scripted', name: 'a' }, 'key-1')).json();
    assert.is(again.id, first.id);
    const list = await (await t.request('/assistants')).json();
    assert.is(list.data.length, 1);
    const reused = await post(t, '/assistants', { model: 'scripted', name: 'b' }, 'key-1');
    assert.is(reused.status, 409);
    assert.is((await reused.json()).error.code, 'idempotency_key_reused');
  });
});

test('a repeated streaming create-and-run re-attaches to the original run from its first event', async () => {
  await withServer(async (t) => {
    const assistant = await (await post(t, '/assistants', { model: 'scripted' }, 'a')).json();
    const body = { assistant_id: assistant.id, stream: true, thread: { messages: [{ role: 'user', content: 'What is 6 * 7?' }] } };
    const firstText = await (await post(t, '/threads/runs', body, 'run-key')).text();
    const againText = await (await post(t, '/threads/runs', body, 'run-key')).text();
    assert.is(againText, firstText);
    const runIds = new Set([...firstText.matchAll(/"id":"(run_[^"]+)"/g)].map((match) => match[1]));
    assert.is(runIds.size, 1);
  });
});

test('the client retries a streaming POST whose connection dropped after the server took it: one thread, one run', async () => {
  await withServer(async (t) => {
    // A proxy that forwards every request, but for the first streaming one drops the client's
    // connection once the server has answered — before a byte of the answer reaches it.
    let dropped = 0;
    let droppedThreadId: string | undefined;
    const proxy = await startForwardingProxy(
      () => t.server.url,
      async (path, upstream, client) => {
        if (!path.endsWith('/threads/runs') || dropped > 0) return false;
        dropped++;
        // Read what the client would have got, to know which thread the server made for it.
        const text = await upstream.text();
        droppedThreadId = /"id":"(thread_[^"]+)"/.exec(text)?.[1];
        client.socket?.destroy();
        return true;
      },
    );
    try {
      const client = new AssistantsClient({ baseURL: proxy.url, apiKey: 'k', maxRetries: 2 });
      const assistant = await client.beta.assistants.create({ model: 'scripted' });
      const stream = client.beta.threads.createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What is 6 * 7?' }] } });
      const run = await stream.finalRun();
      assert.is(run.status, 'completed');
      assert.is(dropped, 1);
      assert.is(run.thread_id, droppedThreadId, 'the retry got the thread the first attempt created, not a second one');
      const runs = await (await t.request(`/threads/${run.thread_id}/runs`)).json();
      assert.is(runs.data.length, 1, 'one run on the thread');
    } finally {
      await proxy.close();
    }
  });
});

test.run();
