// Tenants: several keys, each its own namespace. Tenant B aiming at tenant A's objects gets
// exactly what it gets for ids nobody created (status, body, content type), on every route;
// lists and searches show B only its own; A's file contents never reach B; replacing the keys
// refuses a removed key from the next request.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import OpenAI from 'openai';
import { hashKey, KeysError, parseKeysFile } from '../src/server/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { normalized, probes, seedTenant, send, tenantRequest, unknownObjects, type TenantObjects } from './helpers/tenants.ts';

const KEY_A = 'sk-tenant-a-0f3e9c1d7b2a';
const KEY_B = 'sk-tenant-b-6a8d2e4f1c0b';
const SECRET = 'The launch code of project Albatross is 7-4-1-9.';

interface Context {
  t: TestServer;
  a: TenantObjects;
  b: TenantObjects;
}

const test = suite<Context>('tenants on one server');
test.before(async (context) => {
  context.t = await startTestServer({
    keys: [
      { tenant: 'acme', key: KEY_A },
      { tenant: 'globex', sha256: hashKey(KEY_B), name: 'globex-ci' },
    ],
  });
  context.a = await seedTenant(context.t.server.url, KEY_A, SECRET);
  context.b = await seedTenant(context.t.server.url, KEY_B, 'Globex sells hammocks.');
});
test.after(async ({ t }) => t?.close());

test("on every route, B aiming at A's ids gets exactly the answer for ids nobody created", async ({ t, a, b }) => {
  const asB = tenantRequest(t.server.url, KEY_B);
  const unknown = unknownObjects(a);
  for (const probe of probes(b)) {
    const foreign = await normalized(await send(asB, probe, a), a);
    const none = await normalized(await send(asB, probe, unknown), unknown);
    assert.equal(foreign, none, probe.name);
    assert.ok(foreign.status === 404 || foreign.status === 400, `${probe.name}: ${foreign.status} ${foreign.body}`);
    assert.not.ok(foreign.body.includes('Albatross'), `${probe.name}: A's file content leaked`);
  }
  assert.equal(t.internalErrors, []);
});

test("A's objects are untouched by B's attempts, and A still sees them all", async ({ t, a }) => {
  const asA = tenantRequest(t.server.url, KEY_A);
  for (const path of [`/assistants/${a.assistant}`, `/threads/${a.thread}`, `/files/${a.file}`, `/vector_stores/${a.vectorStore}`, `/responses/${a.response}`, `/threads/${a.thread}/messages/${a.message}`, `/conversations/${a.conversation}/items/${a.item}`]) {
    assert.is((await asA(path)).status, 200, path);
  }
  assert.equal((await (await asA(`/assistants/${a.assistant}`)).json()).name, null, 'not renamed by B');
  assert.is(await (await asA(`/files/${a.file}/content`)).text(), SECRET);
});

test('lists and vector store searches contain only the caller\'s objects', async ({ t, a, b }) => {
  const asB = tenantRequest(t.server.url, KEY_B);
  const ids = async (path: string) => ((await (await asB(path)).json()) as { data: Array<{ id: string }> }).data.map((item) => item.id);
  assert.equal(await ids('/assistants'), [b.assistant]);
  assert.equal(await ids('/files'), [b.file]);
  assert.equal(await ids('/vector_stores'), [b.vectorStore]);
  const threads = await ids('/threads?limit=100');
  assert.ok(threads.includes(b.thread) && !threads.includes(a.thread), 'GET /threads lists only the caller\'s');
  const search = (await (await asB(`/vector_stores/${b.vectorStore}/search`, { method: 'POST', body: { query: 'launch code Albatross' } })).json()) as { data: Array<{ file_id: string }> };
  assert.ok(search.data.every((hit) => hit.file_id === b.file));
  // A's search finds A's secret: the query works, B just cannot reach it.
  const asA = tenantRequest(t.server.url, KEY_A);
  const found = (await (await asA(`/vector_stores/${a.vectorStore}/search`, { method: 'POST', body: { query: 'launch code Albatross' } })).json()) as { data: Array<{ content: Array<{ text: string }> }> };
  assert.match(found.data[0]!.content[0]!.text, /7-4-1-9/);
});

test("B's file_search never reaches A's files, even asked for A's words", async ({ t, b }) => {
  const openai = new OpenAI({ baseURL: t.server.url, apiKey: KEY_B, maxRetries: 0 });
  const run = await openai.beta.threads.createAndRunPoll(
    { assistant_id: b.assistant, thread: { messages: [{ role: 'user', content: 'What does the document say about the launch code of project Albatross?' }] } },
    { pollIntervalMs: 5 },
  );
  assert.is(run.status, 'completed');
  const steps = await openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, include: ['step_details.tool_calls[*].file_search.results[*].content'] });
  const text = JSON.stringify(steps.data) + JSON.stringify((await openai.beta.threads.messages.list(run.thread_id)).data);
  assert.not.ok(text.includes('Albatross is'), 'no passage of A\'s file');
});

test('the same Idempotency-Key from two tenants is two keys: no 409, no answer of the other\'s', async ({ t }) => {
  const key = 'idem-shared-1';
  const asA = tenantRequest(t.server.url, KEY_A);
  const asB = tenantRequest(t.server.url, KEY_B);
  const first = await asA('/assistants', { method: 'POST', body: { model: 'scripted', name: 'of A' }, headers: { 'idempotency-key': key } });
  const second = await asB('/assistants', { method: 'POST', body: { model: 'scripted', name: 'of B, another body' }, headers: { 'idempotency-key': key } });
  assert.is(second.status, 200);
  const [one, two] = [await first.json(), await second.json()];
  assert.is.not(one.id, two.id);
  assert.is(two.name, 'of B, another body');
});

test('replacing the keys refuses a removed key from the next request', async ({ t }) => {
  const asB = tenantRequest(t.server.url, KEY_B);
  assert.is((await asB('/assistants')).status, 200);
  t.server.setKeys([{ tenant: 'acme', key: KEY_A }]);
  const refused = await asB('/assistants');
  assert.is(refused.status, 401);
  assert.is((await refused.json()).error.code, 'invalid_api_key');
  assert.is((await tenantRequest(t.server.url, KEY_A)('/assistants')).status, 200);
  assert.throws(() => t.server.setKeys([{ tenant: 'acme', key: 'has space' }]), (error: unknown) => error instanceof KeysError && !String(error).includes('has space'));
  assert.is((await tenantRequest(t.server.url, KEY_A)('/assistants')).status, 200, 'a malformed set leaves the old keys');
  t.server.setKeys([
    { tenant: 'acme', key: KEY_A },
    { tenant: 'globex', sha256: hashKey(KEY_B) },
  ]);
  assert.is((await asB('/assistants')).status, 200);
});

test('keys files: JSON or lines of TENANT SHA256 [NAME]; errors say where, never the key', () => {
  const hash = hashKey(KEY_A);
  assert.equal(parseKeysFile(`# team keys\nacme sha256:${hash} ci\n\nglobex ${hashKey(KEY_B)}\n`, 'keys.txt'), [
    { tenant: 'acme', sha256: `sha256:${hash}`, name: 'ci' },
    { tenant: 'globex', sha256: hashKey(KEY_B) },
  ]);
  const json = parseKeysFile(JSON.stringify({ keys: [{ tenant: 'acme', sha256: hash, limits: { requests_per_minute: 60 } }] }), 'keys.json');
  assert.equal(json, [{ tenant: 'acme', name: undefined, sha256: hash, limits: { requestsPerMinute: 60, concurrentRuns: undefined } }]);
  const failures: Array<[string, RegExp]> = [
    ['acme\n', /keys\.txt: line 1: expected TENANT SHA256/],
    [`acme ${hash}\nglobex ${hash}\n`, /listed twice/],
    ['acme sk-plaintext-key\n', /keys\.txt: line 1: expected the SHA-256/],
    [`-bad ${hash}\n`, /keys\.txt: line 1: a tenant is/],
    ['{"keys": [{"tenant": "acme"}]}', /keys\.txt: keys\.0\.sha256/],
  ];
  for (const [text, expected] of failures) {
    assert.throws(() => parseKeysFile(text, 'keys.txt'), (error: unknown) => error instanceof KeysError && expected.test(error.message) && !error.message.includes('sk-plaintext'), text);
  }
});

test.run();
