// Idempotency keys and /v1/responses on SQLite survive a restart: a POST retried with its key
// after the server restarted answers what the first attempt got (the same object, or the
// original run's stream from its persisted log), and a response reads back the same.
import { createClient } from '@libsql/client';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConflictError } from 'openai';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { INTERRUPTED_BY_RESTART, StorageError } from '../src/server/index.ts';
import { keyedClient } from './helpers/keyedOpenai.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { restartSuite } from './helpers/restartSuite.ts';
import { startForwardingProxy } from './helpers/forwardingProxy.ts';

const { test, serverOn, dataDir } = restartSuite('durable idempotency keys and responses (SQLite)');
const post = (t: TestServer, path: string, body: object, key: string) =>
  t.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': key } });
const eventNames = (text: string) => [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
const story = { role: 'user' as const, content: 'Tell me a long story about a lighthouse keeper.' };

/** Reads a streamed answer until `count` frames named `event` came, then hangs up; the complete frames read. */
async function readUntil(response: Response, event: string, count: number): Promise<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while ((text.match(new RegExp(`^event: ${event.replaceAll('.', '\\.')}$`, 'gm')) ?? []).length < count) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the stream ended before ${count} ${event}: ${text}`);
    text += value;
  }
  await reader.cancel();
  return text.slice(0, text.lastIndexOf('\n\n') + 2);
}

test('the official SDK retrying with its key after a restart gets the original object; another body is a 409', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  const sdk = keyedClient(first.server.url);
  const assistant = await sdk.beta.assistants.create({ model: 'scripted', name: 'keyed' }, { idempotencyKey: 'assistant-1' });
  const body = { assistant_id: assistant.id, thread: { messages: [{ role: 'user' as const, content: 'What is 6 * 7?' }] } };
  const run = await sdk.beta.threads.createAndRun(body, { idempotencyKey: 'create-and-run-1' });
  await first.close();

  const second = await serverOn(dir);
  const again = keyedClient(second.server.url);
  assert.equal(await again.beta.assistants.create({ model: 'scripted', name: 'keyed' }, { idempotencyKey: 'assistant-1' }), assistant);
  assert.equal(await again.beta.threads.createAndRun(body, { idempotencyKey: 'create-and-run-1' }), run, 'the answer the first attempt got');
  assert.equal((await again.beta.assistants.list()).data.map((listed) => listed.id), [assistant.id], 'no second assistant');
  assert.equal((await again.beta.threads.runs.list(run.thread_id)).data.map((listed) => listed.id), [run.id], 'no second run');
  // The same key with another request: refused, and marked not worth retrying (the SDK does not retry it).
  const other = { ...body, thread: { messages: [{ role: 'user' as const, content: 'Something else' }] } };
  const refused = await again.beta.threads.createAndRun(other, { idempotencyKey: 'create-and-run-1' }).catch((error: unknown) => error);
  assert.instance(refused, ConflictError);
  assert.is((refused as ConflictError).code, 'idempotency_key_reused');
  assert.is((refused as ConflictError).headers.get('x-should-retry'), 'false');
  await second.close();
  assert.equal([...first.internalErrors, ...second.internalErrors], []);
});

test('a streaming POST retried after a restart re-attaches to the original run from its persisted first event', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  const assistant = await first.openai.beta.assistants.create({ model: 'scripted' });
  const body = { assistant_id: assistant.id, stream: true, metadata: { scenario: 'slow' }, thread: { messages: [story] } };
  const before = await readUntil(await post(first, '/threads/runs', body, 'stream-1'), 'thread.message.delta', 2);
  // Any change waits for what was queued before it: the events streamed so far are on disk.
  await first.openai.beta.assistants.create({ model: 'scripted' });
  await first.close();

  const second = await serverOn(dir);
  const retried = await post(second, '/threads/runs', body, 'stream-1');
  assert.is(retried.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const text = await retried.text();
  assert.ok(text.startsWith(before), 'the same events at the same positions, from the first');
  assert.equal(eventNames(text).slice(-3), ['thread.run.step.failed', 'thread.run.failed', 'done'], 'then the ending the restart gave the run');
  const runIds = new Set([...text.matchAll(/"id":"(run_\w+)"/g)].map((match) => match[1]));
  assert.is(runIds.size, 1);
  const threadId = /"id":"(thread_\w+)"/.exec(text)![1]!;
  const runs = await second.openai.beta.threads.runs.list(threadId);
  assert.equal(runs.data.map((run) => [run.id, run.status, run.last_error]), [[[...runIds][0], 'failed', INTERRUPTED_BY_RESTART]]);
  await second.close();
  assert.equal([...first.internalErrors, ...second.internalErrors], []);
});

test('our client, cut off after the server took its streaming create-and-run, retries into the restarted server: one thread, one run', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  let target = await serverOn(dir);
  const assistant = await target.openai.beta.assistants.create({ model: 'scripted' });
  // A proxy that forwards everything, but for the first streaming POST waits for the server's
  // answer to begin, restarts the server on the same data, and only then drops the client.
  let cut = 0;
  const proxy = await startForwardingProxy(
    () => target.server.url,
    async (path, upstream, client) => {
      if (!path.endsWith('/threads/runs') || cut > 0) return false;
      cut += 1;
      await upstream.body?.cancel();
      await target.close();
      target = await serverOn(dir);
      client.socket?.destroy();
      return true;
    },
  );
  try {
    const client = new AssistantsClient({ baseURL: proxy.url, apiKey: 'k', maxRetries: 2 });
    const stream = client.beta.threads.createAndRunStream({ assistant_id: assistant.id, metadata: { scenario: 'slow' }, thread: { messages: [story] } });
    const run = await stream.finalRun();
    assert.is(cut, 1);
    assert.equal([run.status, run.last_error], ['failed', INTERRUPTED_BY_RESTART], 'the run the first attempt started, ended by the restart');
    const runs = await target.openai.beta.threads.runs.list(run.thread_id);
    assert.equal(runs.data.map((listed) => listed.id), [run.id], 'one run on the thread the first attempt created');
  } finally {
    await proxy.close();
    await target.close();
  }
});

test('the keys a server remembers stay bounded across restarts: the oldest past maxKeys and the expired are forgotten', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const options = { idempotency: { maxKeys: 2 } };
  const first = await serverOn(dir, options);
  const created: string[] = [];
  for (const key of ['k1', 'k2', 'k3']) created.push((await (await post(first, '/assistants', { model: 'scripted', name: key }, key)).json()).id);
  await first.close();

  const second = await serverOn(dir, options);
  assert.is((await (await post(second, '/assistants', { model: 'scripted', name: 'k3' }, 'k3')).json()).id, created[2], 'the newest key is remembered');
  const forgotten = await (await post(second, '/assistants', { model: 'scripted', name: 'k1' }, 'k1')).json();
  assert.is.not(forgotten.id, created[0], 'the oldest was forgotten: the retry made a new assistant');
  await second.close();

  // A key past its ttl is forgotten too (1 ms: it has expired by the time the server is back).
  const third = await serverOn(dir, { idempotency: { ttlMs: 1 } });
  const early = await (await post(third, '/assistants', { model: 'scripted', name: 'ttl' }, 'ttl-key')).json();
  await third.close();
  const fourth = await serverOn(dir, { idempotency: { ttlMs: 1 } });
  const late = await (await post(fourth, '/assistants', { model: 'scripted', name: 'ttl' }, 'ttl-key')).json();
  assert.is.not(late.id, early.id);
  await fourth.close();
  assert.equal([...first.internalErrors, ...second.internalErrors, ...third.internalErrors, ...fourth.internalErrors], []);
});

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

/** Everything the API answers about a response: the object, its input items, its stream replayed whole and after event 3. */
async function readResponse(t: TestServer, id: string) {
  const text = async (path: string) => {
    const response = await t.request(path);
    return { status: response.status, body: await response.text() };
  };
  return {
    object: await text(`/responses/${id}`),
    inputItems: await text(`/responses/${id}/input_items`),
    stream: await text(`/responses/${id}?stream=true`),
    after3: await text(`/responses/${id}?stream=true&starting_after=3`),
  };
}

test('responses read back the same after a restart: object, input items, stream replays; a chain goes on', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  const plain = await first.openai.responses.create({ model: 'scripted', input: 'Hello there', metadata: { topic: 'greeting' } });
  const call = await first.openai.responses.create({ model: 'scripted', input: "What's the weather in Paris?", tools: [weather] });
  const callItem = call.output.find((item) => item.type === 'function_call');
  assert.ok(callItem !== undefined && callItem.type === 'function_call');
  const continued = await first.openai.responses.create({
    model: 'scripted',
    previous_response_id: call.id,
    input: [{ type: 'function_call_output', call_id: callItem.call_id, output: 'Sunny, 21 °C' }],
    tools: [weather],
  });
  assert.is(continued.status, 'completed');
  const ids = [plain.id, call.id, continued.id];
  const before = await Promise.all(ids.map((id) => readResponse(first, id)));
  await first.close();

  const second = await serverOn(dir);
  const after = await Promise.all(ids.map((id) => readResponse(second, id)));
  assert.equal(after, before);
  assert.is(after[0]!.object.status, 200);
  // The chain goes on from a restored response: a new question on the same thread.
  const next = await second.openai.responses.create({ model: 'scripted', previous_response_id: continued.id, input: 'Thanks!' });
  assert.is(next.status, 'completed');
  await second.close();
  assert.equal([...first.internalErrors, ...second.internalErrors], []);
});

test('a deleted response stays deleted after a restart', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  const kept = await first.openai.responses.create({ model: 'scripted', input: 'Keep me' });
  const deleted = await first.openai.responses.create({ model: 'scripted', input: 'Forget me' });
  await first.openai.responses.delete(deleted.id);
  await first.close();
  const second = await serverOn(dir);
  assert.is((await second.request(`/responses/${deleted.id}`)).status, 404);
  assert.is((await second.request(`/responses/${kept.id}`)).status, 200);
  await second.close();
  assert.equal([...first.internalErrors, ...second.internalErrors], []);
});

test('a streamed response active at the restart ends failed as its run did; its keyed retry re-attaches to it', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  const body = { model: 'scripted', input: [story], stream: true, metadata: { scenario: 'slow' } };
  const before = await readUntil(await post(first, '/responses', body, 'response-1'), 'response.output_text.delta', 2);
  const id = /"id":"(resp_\w+)"/.exec(before)![1]!;
  await first.openai.beta.assistants.create({ model: 'scripted' });
  await first.close();

  const second = await serverOn(dir);
  const response = await second.openai.responses.retrieve(id);
  assert.is(response.status, 'failed');
  assert.equal(response.error, { code: 'server_error', message: INTERRUPTED_BY_RESTART.message } as unknown as typeof response.error);
  const retried = await (await post(second, '/responses', body, 'response-1')).text();
  assert.ok(retried.startsWith(before), 'the retry streams the original response from its first event');
  assert.is(eventNames(retried).at(-1), 'response.failed');
  const replay = await (await second.request(`/responses/${id}?stream=true`)).text();
  assert.is(replay, retried);
  await second.close();
  assert.equal([...first.internalErrors, ...second.internalErrors], []);
});

/** The database of a data dir, opened beside the server (WAL: reads and writes while it runs). */
function database(dir: string) {
  return createClient({ url: pathToFileURL(join(dir, 'assistant-machines.db')).href });
}

test('a key its server had claimed but not answered when it stopped is free after the restart', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  await (await serverOn(dir)).close();
  // What a server killed between claiming a key and answering its request leaves behind.
  const body = { model: 'scripted', name: 'after a crash' };
  const fingerprint = `POST /v1/assistants ${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
  const db = database(dir);
  await db.execute({ sql: 'INSERT INTO idempotency_keys (key, fingerprint, expires_at, owner, answer) VALUES (?, ?, ?, ?, NULL)', args: ['crashed-key', fingerprint, Date.now() + 60_000, 'sqlite-gone'] });
  db.close();

  const server = await serverOn(dir);
  const answer = await post(server, '/assistants', body, 'crashed-key');
  assert.is(answer.status, 200, 'not 409 in progress: nobody will ever answer the first attempt');
  assert.is((await answer.json()).name, 'after a crash');
  await server.close();
  assert.equal(server.internalErrors, []);
});

test('a malformed kept answer or response row is a StorageError naming it, not a crash', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  await post(first, '/assistants', { model: 'scripted' }, 'broken-key');
  const response = await first.openai.responses.create({ model: 'scripted', input: 'Hello there' });
  await first.close();
  const db = database(dir);
  await db.execute("UPDATE idempotency_keys SET answer = '{not json' WHERE key = 'default:broken-key'");
  db.close();

  const second = await serverOn(dir);
  const retried = await post(second, '/assistants', { model: 'scripted' }, 'broken-key');
  assert.is(retried.status, 500);
  assert.is((await retried.json()).error.type, 'server_error');
  assert.instance(second.internalErrors[0], StorageError);
  assert.match(String(second.internalErrors[0]), /Idempotency-Key "default:broken-key" has an answer that is not valid JSON/);
  await second.close();

  const again = database(dir);
  await again.execute({ sql: "UPDATE objects SET data = '[1' WHERE kind = 'response' AND id = ?", args: [response.id] });
  again.close();
  const refused = await startTestServer({ dataDir: dir }).catch((error: unknown) => error);
  assert.instance(refused, StorageError);
  assert.match(String(refused), new RegExp(`row response ${response.id} is not valid JSON`));
});

test("a response whose run's log was compacted reads back from its kept final object and last event", async ({ dirs }) => {
  const dir = await dataDir(dirs);
  // A finished run's log is compacted to its last event at once.
  const first = await serverOn(dir, { eventLogRetentionMs: 0 });
  const response = await first.openai.responses.create({ model: 'scripted', input: 'Hello there' });
  const before = await readResponse(first, response.id);
  const db = database(dir);
  const compacted = async () => Number((await db.execute("SELECT COUNT(*) AS n FROM run_events WHERE run_id IN (SELECT id FROM objects WHERE kind = 'run')")).rows[0]!['n']) === 1;
  for (let checks = 0; !(await compacted()) && checks < 500; checks++) await new Promise((resolve) => setTimeout(resolve, 5));
  db.close();
  await first.close();

  const second = await serverOn(dir);
  const after = await readResponse(second, response.id);
  assert.equal([after.object, after.inputItems], [before.object, before.inputItems]);
  // Only the final event is left to replay, at its sequence number (as a compacted run log keeps its last).
  const lastFrame = before.stream.body.slice(before.stream.body.lastIndexOf('event: '));
  assert.is(eventNames(lastFrame)[0], 'response.completed');
  assert.is(after.stream.body, lastFrame);
  assert.is(after.after3.body, lastFrame);
  await second.close();
  assert.equal([...first.internalErrors, ...second.internalErrors], []);
});

test.run();
