import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, InvalidResponseError, Page } from '../src/index.ts';
import { fakeFetch } from './helpers/fakeFetch.ts';

// List calls: a page (data, has_more) that is also an async iterable over every item.

const base = 'http://127.0.0.1:9/v1';
const message = (id: string) => ({ id, object: 'thread.message' });

function pagedServer() {
  const pages: Record<string, unknown> = {
    '': { object: 'list', data: [message('m1'), message('m2')], first_id: 'm1', last_id: 'm2', has_more: true },
    m2: { object: 'list', data: [message('m3'), message('m4')], first_id: 'm3', last_id: 'm4', has_more: true },
    m4: { object: 'list', data: [message('m5')], first_id: 'm5', last_id: 'm5', has_more: false },
  };
  return fakeFetch((call) => pages[new URL(call.url).searchParams.get('after') ?? '']);
}

test('await gives the first page; getNextPage follows the last id', async () => {
  const { fetch, calls } = pagedServer();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  const page = await client.beta.threads.messages.list('thread_1', { limit: 2, order: 'asc' });
  assert.instance(page, Page);
  assert.equal(page.data.map((item) => item.id), ['m1', 'm2']);
  assert.is(page.has_more, true);
  assert.is(page.hasNextPage(), true);
  const next = await page.getNextPage();
  assert.equal(next.data.map((item) => item.id), ['m3', 'm4']);
  assert.is(new URL(calls[1]!.url).search, '?limit=2&order=asc&after=m2');
});

test('for await over the list call yields every item across pages', async () => {
  const { fetch, calls } = pagedServer();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  const ids: string[] = [];
  for await (const item of client.beta.threads.messages.list('thread_1')) ids.push(item.id);
  assert.equal(ids, ['m1', 'm2', 'm3', 'm4', 'm5']);
  assert.is(calls.length, 3);
});

test('iterating a page yields from that page on; iterPages yields pages', async () => {
  const { fetch } = pagedServer();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  const second = await (await client.beta.threads.messages.list('thread_1')).getNextPage();
  const ids: string[] = [];
  for await (const item of second) ids.push(item.id);
  assert.equal(ids, ['m3', 'm4', 'm5']);
  const sizes: number[] = [];
  for await (const page of (await client.beta.threads.messages.list('thread_1')).iterPages()) sizes.push(page.data.length);
  assert.equal(sizes, [2, 2, 1]);
});

test('the last page has no next page', async () => {
  const { fetch } = fakeFetch(() => ({ object: 'list', data: [], has_more: false }));
  const page = await new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch }).beta.assistants.list();
  assert.is(page.hasNextPage(), false);
  try {
    await page.getNextPage();
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, 'no next page');
  }
});

test('a list answer without a data array is an InvalidResponseError', async () => {
  const { fetch } = fakeFetch(() => ({ object: 'list', items: [] }));
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  const error = await client.vectorStores.list().then(() => undefined, (thrown: unknown) => thrown);
  assert.instance(error, InvalidResponseError);
  assert.match((error as Error).message, 'no `data` array');
});

test.run();
