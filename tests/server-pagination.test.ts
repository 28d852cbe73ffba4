import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ t: TestServer; threadId: string; ids: string[] }>('pagination');

test.before(async (context) => {
  context.t = await startTestServer();
  const thread = await context.t.openai.beta.threads.create();
  context.threadId = thread.id;
  context.ids = [];
  for (let index = 0; index < 25; index += 1) {
    context.ids.push((await context.t.openai.beta.threads.messages.create(thread.id, { role: 'user', content: `message ${index}` })).id);
  }
});
test.after(async ({ t }) => t.close());

test('the default page is the 20 newest, has_more, first_id and last_id', async ({ t, threadId, ids }) => {
  const response = await t.request(`/threads/${threadId}/messages`);
  const page = (await response.json()) as { object: string; data: Array<{ id: string }>; first_id: string; last_id: string; has_more: boolean };
  const newest = [...ids].reverse().slice(0, 20);
  assert.equal(page.data.map((message) => message.id), newest);
  assert.equal([page.object, page.first_id, page.last_id, page.has_more], ['list', newest[0], newest[19], true]);
});

test('limit, order, after and before', async ({ t, threadId, ids }) => {
  const list = async (query: string) => {
    const response = await t.request(`/threads/${threadId}/messages?${query}`);
    const page = (await response.json()) as { data: Array<{ id: string }>; has_more: boolean };
    return [page.data.map((message) => ids.indexOf(message.id)), page.has_more];
  };
  assert.equal(await list('order=asc&limit=3'), [[0, 1, 2], true]);
  assert.equal(await list(`order=asc&limit=3&after=${ids[2]}`), [[3, 4, 5], true]);
  assert.equal(await list(`order=asc&after=${ids[20]}`), [[21, 22, 23, 24], false]);
  assert.equal(await list(`order=asc&limit=2&before=${ids[5]}`), [[3, 4], true]);
  assert.equal(await list(`order=desc&limit=2&after=${ids[5]}`), [[4, 3], true]);
  assert.equal(await list(`order=asc&after=${ids[1]}&before=${ids[4]}`), [[2, 3], false]);
  assert.equal(await list(`order=asc&limit=100&after=${ids[24]}`), [[], false]);
});

test('the SDK auto-pages through every message, oldest first', async ({ t, threadId, ids }) => {
  const seen: string[] = [];
  for await (const message of t.openai.beta.threads.messages.list(threadId, { order: 'asc', limit: 7 })) seen.push(message.id);
  assert.equal(seen, ids);
});

test('an empty list has null cursors', async ({ t }) => {
  const thread = await t.openai.beta.threads.create();
  const response = await t.request(`/threads/${thread.id}/runs`);
  assert.equal(await response.json(), { object: 'list', data: [], first_id: null, last_id: null, has_more: false });
});

test.run();
