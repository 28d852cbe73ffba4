import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, BadRequestError, NotFoundError, type ConversationItem } from '../src/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// Our client's `conversations` (and `.items`) against the embedded server, side by side with the
// official SDK: the same calls, the same answers; `conversation` on responses.stream keeps one
// run across a function call round trip; the server's 400s are typed errors.

const test = suite<{ t: TestServer; client: AssistantsClient }>('client conversations');
test.before(async (context) => {
  context.t = await startTestServer();
  context.client = new AssistantsClient({ baseURL: context.t.server.url, apiKey: 'test-key', maxRetries: 0 });
});
test.after(async ({ t }) => {
  await t.close();
  assert.equal(t.internalErrors, []);
});

const weather = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

test('create, retrieve, update, delete: the same objects the official SDK gets', async ({ t, client }) => {
  const ours = await client.conversations.create({ items: [{ role: 'user', content: 'Hi' }], metadata: { by: 'ours' } });
  const theirs = await t.openai.conversations.retrieve(ours.id);
  assert.equal(ours, theirs);
  assert.equal(await client.conversations.retrieve(ours.id), theirs);
  const updated = await client.conversations.update(ours.id, { metadata: { by: 'ours', again: 'yes' } });
  assert.equal(updated, await t.openai.conversations.retrieve(ours.id));
  assert.equal(await client.conversations.delete(ours.id), { id: ours.id, object: 'conversation.deleted', deleted: true });
  const gone = await client.conversations.retrieve(ours.id).catch((error: unknown) => error);
  assert.ok(gone instanceof NotFoundError);
});

test('items: create, list across pages in either order, include, retrieve, delete', async ({ t, client }) => {
  const conversation = await client.conversations.create();
  const added = await client.conversations.items.create(conversation.id, { items: ['a', 'b', 'c', 'd', 'e'].map((text) => ({ role: 'user' as const, content: text })) });
  assert.equal([added.object, added.data.length], ['list', 5]);
  const ids = added.data.map((item) => item.id);
  const oldestFirst: string[] = [];
  for await (const item of client.conversations.items.list(conversation.id, { order: 'asc', limit: 2 })) oldestFirst.push(item.id);
  assert.equal(oldestFirst, ids);
  const page = await client.conversations.items.list(conversation.id, { limit: 3 });
  assert.equal([page.data.map((item) => item.id), page.has_more], [[ids[4], ids[3], ids[2]], true]);
  assert.equal((await page.getNextPage()).data.map((item) => item.id), [ids[1], ids[0]]);
  const theirs = await t.openai.conversations.items.list(conversation.id, { limit: 3 });
  assert.equal(page.data, theirs.data as ConversationItem[]);
  assert.equal(await client.conversations.items.retrieve(ids[1]!, { conversation_id: conversation.id }), added.data[1]);
  assert.equal(await client.conversations.items.delete(ids[1]!, { conversation_id: conversation.id }), conversation);
  const tooMany = await client.conversations.items
    .create(conversation.id, { items: Array.from({ length: 21 }, () => ({ role: 'user' as const, content: 'x' })) })
    .catch((error: unknown) => error);
  assert.ok(tooMany instanceof BadRequestError);
  assert.equal([tooMany.status, tooMany.param, tooMany.code], [400, 'items', 'array_above_max_length']);
});

test('include reaches the server as the SDK sends it', async ({ client }) => {
  const file = await client.files.create({ file: new File(['The door code is 4711.'], 'door.txt'), purpose: 'assistants' });
  const store = await client.vectorStores.create({ file_ids: [file.id] });
  await client.vectorStores.files.poll(store.id, file.id, { pollIntervalMs: 5 });
  const conversation = await client.conversations.create();
  await client.responses.create({ model: 'scripted', conversation: conversation.id, input: 'What is the door code?', tools: [{ type: 'file_search', vector_store_ids: [store.id] }] });
  const searched = (list: ConversationItem[]) => list.find((item) => item.type === 'file_search_call');
  assert.is(searched((await client.conversations.items.list(conversation.id)).data)?.['results'], null);
  const included = searched((await client.conversations.items.list(conversation.id, { include: ['file_search_call.results'] })).data);
  assert.match(JSON.stringify(included?.['results']), /4711/);
  assert.equal(await client.conversations.items.retrieve(included!.id, { conversation_id: conversation.id, include: ['file_search_call.results'] }), included);
});

test('responses.stream in a conversation: the function outputs go on with the same run, no previous_response_id', async ({ client }) => {
  const conversation = await client.conversations.create({ items: [{ role: 'user', content: 'What is the weather in Bergen?' }] });
  const first = client.responses.stream({ model: 'scripted', conversation: conversation.id, tools: [weather] });
  const paused = await first.finalRun();
  assert.is(paused.status, 'requires_action');
  const call = paused.required_action!.submit_tool_outputs.tool_calls[0]!;
  const second = client.responses.stream({
    model: 'scripted',
    conversation: { id: conversation.id },
    input: [{ type: 'function_call_output', call_id: call.id, output: 'Rain, 9 °C' }],
    tools: [weather],
  });
  const run = await second.finalRun();
  assert.equal([run.id, run.status], [paused.id, 'completed'], 'one run across the round trip');
  assert.is((await second.finalResponse()).output_text, 'get_weather returned: Rain, 9 °C');
  const types = [];
  for await (const item of client.conversations.items.list(conversation.id, { order: 'asc' })) types.push(item.type);
  assert.equal(types, ['message', 'function_call', 'function_call_output', 'message']);
});

test('conversation with previous_response_id is a BadRequestError carrying the API envelope', async ({ client }) => {
  const conversation = await client.conversations.create();
  const first = await client.responses.create({ model: 'scripted', input: 'Hi' });
  const error = await client.responses.create({ model: 'scripted', input: 'Hi', conversation: conversation.id, previous_response_id: first.id }).catch((failure: unknown) => failure);
  assert.ok(error instanceof BadRequestError);
  assert.equal([error.status, error.code, error.param], [400, 'mutually_exclusive_parameters', null]);
  const streamed = client.responses.stream({ model: 'scripted', input: 'Hi', conversation: conversation.id, previous_response_id: first.id });
  const failure = await streamed.done().catch((failed: unknown) => failed);
  assert.match(String((failure as Error).message), /Mutually exclusive parameters/);
});

test.run();
