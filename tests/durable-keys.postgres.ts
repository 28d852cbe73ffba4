// Idempotency keys and /v1/responses on one PostgreSQL shared by several servers: a retry that
// lands on another server gets the first server's answer, two servers racing on one key create
// one object, and a response created on one server reads back the same on another.
import { createHash } from 'node:crypto';
import { ConflictError } from 'openai';
import pg from 'pg';
import * as assert from 'uvu/assert';
import { keyedClient } from './helpers/keyedOpenai.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { twoServersOnPostgres } from './helpers/twoServersOnPostgres.ts';

const test = twoServersOnPostgres('idempotency keys and responses on PostgreSQL');

const post = (t: TestServer, path: string, body: object, key: string) =>
  t.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': key } });
const eventNames = (text: string) => [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);

test("a retry on B of a POST answered by A gets A's answer: the object, or A's run streamed from its first event", async ({ a, b }) => {
  const onA = keyedClient(a.server.url);
  const onB = keyedClient(b.server.url);
  const assistant = await onA.beta.assistants.create({ model: 'scripted', name: 'shared-1' }, { idempotencyKey: 'pg-assistant-1' });
  assert.equal(await onB.beta.assistants.create({ model: 'scripted', name: 'shared-1' }, { idempotencyKey: 'pg-assistant-1' }), assistant);
  const named = (await onB.beta.assistants.list({ limit: 100 })).data.filter((listed) => listed.name === 'shared-1');
  assert.equal(named.map((listed) => listed.id), [assistant.id], 'one assistant');

  const body = { assistant_id: assistant.id, stream: true, thread: { messages: [{ role: 'user', content: 'What is 6 * 7?' }] } };
  const streamedOnA = await (await post(a, '/threads/runs', body, 'pg-stream-1')).text();
  const retriedOnB = await (await post(b, '/threads/runs', body, 'pg-stream-1')).text();
  assert.is(retriedOnB, streamedOnA, "B streams A's run, every event at its position");
  assert.equal(eventNames(retriedOnB).slice(-2), ['thread.run.completed', 'done']);
  const threadId = /"id":"(thread_\w+)"/.exec(streamedOnA)![1]!;
  assert.is((await b.openai.beta.threads.runs.list(threadId)).data.length, 1, 'one run');

  const reused = await onB.beta.assistants.create({ model: 'scripted', name: 'another' }, { idempotencyKey: 'pg-assistant-1' }).catch((error: unknown) => error);
  assert.instance(reused, ConflictError);
  assert.is((reused as ConflictError).code, 'idempotency_key_reused');
  assert.equal([...a.internalErrors, ...b.internalErrors], []);
});

test('two servers racing on one key create exactly one object; the loser is told to retry, and its retry gets it', async ({ a, b }) => {
  const keys = Array.from({ length: 20 }, (_, index) => `pg-race-${index}`);
  const answers = await Promise.all(
    keys.map(async (key) => {
      const [fromA, fromB] = await Promise.all([a, b].map((server) => post(server, '/assistants', { model: 'scripted', name: key }, key)));
      return Promise.all(
        [fromA!, fromB!].map(async (response) => ({ status: response.status, headers: response.headers, body: await response.json() })),
      );
    }),
  );
  let inProgress = 0;
  for (const [index, pair] of answers.entries()) {
    const created = pair.filter((answer) => answer.status === 200);
    assert.ok(created.length >= 1, `key ${keys[index]}: one server created it`);
    assert.is(new Set(created.map((answer) => answer.body.id)).size, 1, 'both answers name one assistant');
    for (const loser of pair.filter((answer) => answer.status !== 200)) {
      inProgress += 1;
      assert.is(loser.status, 409);
      assert.is(loser.body.error.code, 'idempotency_key_in_progress');
      assert.is(loser.headers.get('x-should-retry'), 'true');
      assert.ok(Number(loser.headers.get('retry-after-ms')) > 0);
    }
  }
  const listed = (await a.openai.beta.assistants.list({ limit: 100 })).data.filter((assistant) => assistant.name?.startsWith('pg-race-'));
  assert.is(listed.length, keys.length, `one assistant per key (${inProgress} of ${keys.length * 2} requests lost the race)`);

  // The official SDK retries the loser's 409 as told, and gets the winner's object.
  const body = { model: 'scripted', name: 'pg-race-sdk' };
  const [one, two] = await Promise.all(
    [a, b].map((server) => keyedClient(server.server.url, { maxRetries: 5 }).beta.assistants.create(body, { idempotencyKey: 'pg-race-sdk' })),
  );
  assert.is(one!.id, two!.id);
  assert.equal([...a.internalErrors, ...b.internalErrors], []);
});

test('a response created on A reads back the same on B: object, input items, stream replays; B follows a streaming one live', async ({ a, b }) => {
  const read = async (t: TestServer, id: string) => {
    const text = async (path: string) => (await t.request(path)).text();
    return {
      object: await text(`/responses/${id}`),
      inputItems: await text(`/responses/${id}/input_items`),
      stream: await text(`/responses/${id}?stream=true`),
      after3: await text(`/responses/${id}?stream=true&starting_after=3`),
    };
  };
  const done = await a.openai.responses.create({ model: 'scripted', input: 'Hello there' });
  assert.equal(await read(b, done.id), await read(a, done.id));
  // A chain started on A goes on through B.
  const next = await b.openai.responses.create({ model: 'scripted', previous_response_id: done.id, input: 'And again?' });
  assert.is(next.status, 'completed');
  assert.equal(await read(a, next.id), await read(b, next.id));

  // A slow streamed response A executes, followed on B from its first event while it goes on.
  const response = await post(a, '/responses', { model: 'scripted', input: 'Tell me a long story about a lighthouse keeper.', stream: true, metadata: { scenario: 'slow' } }, 'pg-response-1');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let head = '';
  while (!head.includes('"sequence_number":0}')) head += (await reader.read()).value ?? '';
  const id = /"id":"(resp_\w+)"/.exec(head)![1]!;
  const [onA, onB, retriedOnB] = await Promise.all([
    (async () => {
      let rest = head;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return rest;
        rest += value;
      }
    })(),
    b.request(`/responses/${id}?stream=true`).then((answer) => answer.text()),
    post(b, '/responses', { model: 'scripted', input: 'Tell me a long story about a lighthouse keeper.', stream: true, metadata: { scenario: 'slow' } }, 'pg-response-1').then((answer) => answer.text()),
  ]);
  assert.is(eventNames(onA).at(-1), 'response.completed');
  assert.is(onB, onA, 'B streamed the response A executes, event for event');
  assert.is(retriedOnB, onA, 'the keyed retry on B re-attached to it');
  assert.equal(await read(b, id), await read(a, id));
  assert.equal([...a.internalErrors, ...b.internalErrors], []);
});

test("a function call answered on A is continued through B; a background response A executes is cancelled through B", async ({ a, b }) => {
  const weather = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: false };
  const call = await a.openai.responses.create({ model: 'scripted', input: "What's the weather in Lima?", tools: [weather] });
  const item = call.output.find((output) => output.type === 'function_call');
  assert.ok(item !== undefined && item.type === 'function_call');
  const continued = await b.openai.responses.create({
    model: 'scripted',
    previous_response_id: call.id,
    input: [{ type: 'function_call_output', call_id: item.call_id, output: 'Foggy, 17 °C' }],
    tools: [weather],
  });
  assert.is(continued.status, 'completed');
  assert.match(continued.output_text, /Foggy, 17 °C/);
  assert.equal(await a.openai.responses.retrieve(continued.id), continued);

  const background = await a.openai.responses.create({ model: 'scripted', input: 'Tell me a long story about a lighthouse keeper.', background: true, metadata: { scenario: 'slow' } });
  const cancelled = await b.openai.responses.cancel(background.id);
  assert.is(cancelled.status, 'cancelled');
  let onA = await a.openai.responses.retrieve(background.id);
  for (let checks = 0; onA.status !== 'cancelled' && checks < 200; checks++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    onA = await a.openai.responses.retrieve(background.id);
  }
  assert.is(onA.status, 'cancelled');
  assert.equal([...a.internalErrors, ...b.internalErrors], []);
});

test("a key claimed by a server that is gone is taken over by the retry; one claimed by a running server is not", async ({ a, b, cluster }) => {
  // B's id, as the runs it executes record it.
  const run = await b.openai.beta.threads.createAndRun({ assistant_id: (await b.openai.beta.assistants.create({ model: 'scripted' })).id });
  const db = new pg.Client({ connectionString: cluster.url });
  await db.connect();
  try {
    const { rows } = await db.query<{ data: string }>("SELECT data FROM objects WHERE kind = 'run' AND id = $1", [run.id]);
    const ownerB = (JSON.parse(rows[0]!.data) as { owner: string }).owner;
    const pending = async (key: string, owner: string, body: object) => {
      const fingerprint = `POST /v1/assistants ${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
      // Keys are kept per tenant: `tenant:key` (this server's tenant is `default`).
      await db.query('INSERT INTO idempotency_keys (key, fingerprint, expires_at, owner, answer) VALUES ($1, $2, $3, $4, NULL)', [key, fingerprint, Date.now() + 60_000, owner]);
    };
    const body = { model: 'scripted', name: 'taken over' };
    // What a server killed between claiming a key and answering leaves behind.
    await pending('default:pg-pending-gone', 'a-server-that-is-gone', body);
    const takenOver = await post(a, '/assistants', body, 'pg-pending-gone');
    assert.is(takenOver.status, 200);
    const again = await post(b, '/assistants', body, 'pg-pending-gone');
    assert.is((await again.json()).id, (await takenOver.json()).id, 'the taken-over key keeps its answer');

    await pending('default:pg-pending-live', ownerB, body);
    const waiting = await post(a, '/assistants', body, 'pg-pending-live');
    assert.is(waiting.status, 409, 'B still runs: its request may still be answered');
    assert.is((await waiting.json()).error.code, 'idempotency_key_in_progress');
  } finally {
    await db.end();
  }
  assert.equal([...a.internalErrors, ...b.internalErrors], []);
});

// Last: its small bound prunes the keys of every server on the database.
test('a server with maxKeys 2 prunes the shared table: another server then forgets the oldest key, not the newest', async ({ a, cluster }) => {
  const small = await startTestServer({ databaseUrl: cluster.url, idempotency: { maxKeys: 2 } });
  try {
    const ids: string[] = [];
    for (const key of ['pg-bound-1', 'pg-bound-2', 'pg-bound-3']) ids.push((await (await post(small, '/assistants', { model: 'scripted', name: key }, key)).json()).id);
    // A has none of these keys in memory: it answers from the table.
    assert.is((await (await post(a, '/assistants', { model: 'scripted', name: 'pg-bound-3' }, 'pg-bound-3')).json()).id, ids[2]);
    const forgotten = await (await post(a, '/assistants', { model: 'scripted', name: 'pg-bound-1' }, 'pg-bound-1')).json();
    assert.is.not(forgotten.id, ids[0], 'the oldest key was pruned: the request ran again');
    assert.equal(small.internalErrors, []);
  } finally {
    await small.close();
  }
});

test.run();
