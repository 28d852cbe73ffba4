import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// GET /v1/threads: the extension the server offers so a client can find every thread without
// its ids, shaped as Microsoft Foundry's agents service lists threads (limit 1–100, default 20;
// order, newest first by default; after/before cursors; the API's list envelope).

const test = suite<{ t: TestServer }>('thread list');
test.before(async (context) => {
  context.t = await startTestServer();
});
test.after(async ({ t }) => {
  await t.close();
  assert.equal(t.internalErrors, []);
});

type ThreadList = { object: string; data: Array<{ id: string; object: string }>; first_id: string | null; last_id: string | null; has_more: boolean };
const list = async (t: TestServer, query = ''): Promise<ThreadList> => (await t.request(`/threads${query}`)).json() as Promise<ThreadList>;

test('threads are listed newest first, a page at a time; the threads behind /v1/responses are not', async ({ t }) => {
  const ids = [];
  for (let index = 0; index < 5; index++) ids.push((await t.openai.beta.threads.create({ metadata: { index: String(index) } })).id);
  await t.openai.responses.create({ model: 'scripted', input: 'A response runs on a thread of its own' });
  const first = await list(t, '?limit=2');
  assert.equal(first, { object: 'list', data: first.data, first_id: ids[4]!, last_id: ids[3]!, has_more: true });
  assert.equal(first.data.map((thread) => [thread.id, thread.object]), [[ids[4], 'thread'], [ids[3], 'thread']]);
  const second = await list(t, `?limit=2&after=${ids[3]}`);
  assert.equal([second.data.map((thread) => thread.id), second.has_more], [[ids[2], ids[1]], true]);
  const last = await list(t, `?limit=2&after=${ids[1]}`);
  assert.equal([last.data.map((thread) => thread.id), last.has_more], [[ids[0]], false]);
  const oldest = await list(t, '?order=asc&limit=100');
  assert.equal(oldest.data.map((thread) => thread.id), ids);
  const before = await list(t, `?before=${ids[1]}`);
  assert.equal(before.data.map((thread) => thread.id), [ids[4], ids[3], ids[2]]);
  // Foundry's clients send api-version; it is accepted.
  assert.equal((await list(t, '?api-version=v1&limit=1')).data.map((thread) => thread.id), [ids[4]]);
  const deleted = await t.openai.beta.threads.delete(ids[4]!);
  assert.ok(deleted.deleted);
  assert.equal((await list(t, '?limit=1')).data.map((thread) => thread.id), [ids[3]]);
});

test('a bad limit or an unknown cursor is a 400 naming it', async ({ t }) => {
  const limit = await t.request('/threads?limit=101');
  assert.equal([limit.status, ((await limit.json()) as { error: { param: string } }).error.param], [400, 'limit']);
  const cursor = await t.request('/threads?after=thread_missing');
  assert.equal([cursor.status, ((await cursor.json()) as { error: { param: string } }).error.param], [400, 'after']);
});

test('our client lists threads with beta.threads.list, across pages', async ({ t }) => {
  const client = new AssistantsClient({ baseURL: t.server.url, apiKey: 'test-key' });
  const listed = [];
  for await (const thread of client.beta.threads.list({ limit: 2 })) listed.push(thread.id);
  assert.equal(listed, (await list(t, '?limit=100')).data.map((thread) => thread.id));
});

test.run();
