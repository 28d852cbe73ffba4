import OpenAI from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from './helpers/server.ts';

// /v1/conversations with the official SDK as the client: the objects and their items as the SDK
// types them, the 400s in the API's envelope, and `conversation` on /v1/responses — the
// conversation's items are the input's prefix, its input and output are added when it ends.

const test = suite<{ t: TestServer }>('conversations');
test.before(async (context) => {
  context.t = await startTestServer();
});
test.after(async ({ t }) => {
  await t.close();
  assert.equal(t.internalErrors, []);
});

const weather = { type: 'function' as const, name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } };

/** The API error a call failed with: status and envelope. */
async function refusal(call: Promise<unknown>): Promise<{ status: number | undefined; error: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { status: error.status, error: error.error as Record<string, unknown> };
    throw error;
  }
  throw new Error('the call succeeded');
}

test('create with initial items, retrieve, update the metadata, delete', async ({ t }) => {
  const { openai } = t;
  const created = await openai.conversations.create({ items: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi!' }], metadata: { topic: 'greetings' } });
  assert.match(created.id, /^conv_/);
  assert.equal(Object.keys(created).sort(), ['created_at', 'id', 'metadata', 'object']);
  assert.equal([created.object, created.metadata], ['conversation', { topic: 'greetings' }]);
  assert.equal(await openai.conversations.retrieve(created.id), created);
  const items = await openai.conversations.items.list(created.id, { order: 'asc' });
  assert.equal(
    items.data.map((item) => item.type === 'message' && [item.role, item.status, item.content]),
    [
      ['user', 'completed', [{ type: 'input_text', text: 'Hello' }]],
      ['assistant', 'completed', [{ type: 'output_text', text: 'Hi!', annotations: [], logprobs: [] }]],
    ],
  );
  const updated = await openai.conversations.update(created.id, { metadata: { topic: 'farewells' } });
  assert.equal(updated, { ...created, metadata: { topic: 'farewells' } });
  assert.equal(await openai.conversations.delete(created.id), { id: created.id, object: 'conversation.deleted', deleted: true });
  const gone = await refusal(openai.conversations.retrieve(created.id));
  assert.equal([gone.status, gone.error['type']], [404, 'invalid_request_error']);
});

test('more than 20 items in one request is a 400 naming items; 20 pass', async ({ t }) => {
  const { openai } = t;
  const items = (count: number) => Array.from({ length: count }, (_, index) => ({ role: 'user' as const, content: `message ${index}` }));
  const tooMany = await refusal(openai.conversations.create({ items: items(21) }));
  assert.equal([tooMany.status, tooMany.error['param'], tooMany.error['code']], [400, 'items', 'array_above_max_length']);
  assert.is(tooMany.error['message'], "Invalid 'items': array too long. Expected an array with maximum length 20, but got an array with length 21 instead.");
  const conversation = await openai.conversations.create({ items: items(20) });
  const added = await openai.conversations.items.create(conversation.id, { items: items(20) });
  assert.equal([added.object, added.data.length, added.has_more, added.first_id, added.last_id], ['list', 20, false, added.data[0]!.id, added.data[19]!.id]);
  const refused = await refusal(openai.conversations.items.create(conversation.id, { items: items(21) }));
  assert.equal([refused.status, refused.error['param'], refused.error['code']], [400, 'items', 'array_above_max_length']);
  const all = [];
  for await (const item of openai.conversations.items.list(conversation.id, { limit: 7 })) all.push(item);
  assert.is(all.length, 40, 'nothing of the refused request was added');
});

test('items: listed newest first by default, paginated by after, in order with order=asc; retrieved; deleted', async ({ t }) => {
  const { openai } = t;
  const conversation = await openai.conversations.create();
  const { data } = await openai.conversations.items.create(conversation.id, {
    items: ['one', 'two', 'three', 'four', 'five'].map((text) => ({ type: 'message' as const, role: 'user' as const, content: text })),
  });
  const ids = data.map((item) => item.id);
  const newest = await openai.conversations.items.list(conversation.id, { limit: 2 });
  assert.equal([newest.data.map((item) => item.id), newest.has_more], [[ids[4], ids[3]], true]);
  const next = await newest.getNextPage();
  assert.equal(next.data.map((item) => item.id), [ids[2], ids[1]]);
  const oldest = [];
  for await (const item of openai.conversations.items.list(conversation.id, { order: 'asc', limit: 2 })) oldest.push(item.id);
  assert.equal(oldest, ids);
  assert.equal(await openai.conversations.items.retrieve(ids[2]!, { conversation_id: conversation.id }), data[2]);
  const after = await openai.conversations.items.delete(ids[2]!, { conversation_id: conversation.id });
  assert.equal(after, conversation, 'deleting an item answers with the conversation');
  const missing = await refusal(openai.conversations.items.retrieve(ids[2]!, { conversation_id: conversation.id }));
  assert.is(missing.status, 404);
  const duplicate = await refusal(openai.conversations.items.create(conversation.id, { items: [{ type: 'message', role: 'user', content: 'again', id: ids[0] } as never] }));
  assert.equal([duplicate.status, duplicate.error['code']], [400, 'duplicate_item']);
});

test('a response in a conversation reads its items as the prefix of its input, and adds its input and output when it ends', async ({ t }) => {
  const { openai } = t;
  const conversation = await openai.conversations.create({ items: [{ role: 'user', content: 'What is the weather in Paris?' }] });
  // No input of its own: the question it answers is the conversation's.
  const paused = await openai.responses.create({ model: 'scripted', conversation: conversation.id, tools: [weather] });
  assert.equal(paused.conversation, { id: conversation.id });
  const call = paused.output.find((item) => item.type === 'function_call');
  assert.equal([call?.type === 'function_call' && call.name, call?.type === 'function_call' && call.arguments], ['get_weather', '{"city":"Paris"}']);
  // The outputs continue the paused run through the conversation: no previous_response_id.
  const answered = await openai.responses.create({
    model: 'scripted',
    conversation: { id: conversation.id },
    input: [{ type: 'function_call_output', call_id: call?.type === 'function_call' ? call.call_id : '', output: 'Sunny, 24 °C' }],
    tools: [weather],
  });
  assert.is(answered.output_text, 'get_weather returned: Sunny, 24 °C');
  const followUp = await openai.responses.create({ model: 'scripted', conversation: conversation.id, input: 'Thanks! And hello.' });
  assert.match(followUp.output_text, /You said: "Thanks! And hello."/);
  const items = [];
  for await (const item of openai.conversations.items.list(conversation.id, { order: 'asc' })) items.push(item);
  assert.equal(
    items.map((item) => `${item.type}${item.type === 'message' ? `:${item.role}` : ''}`),
    ['message:user', 'function_call', 'function_call_output', 'message:assistant', 'message:user', 'message:assistant'],
  );
  assert.is(items[1]!.id, call?.id, 'output items keep their ids');
  const inputItems = await openai.responses.inputItems.list(followUp.id);
  assert.equal(
    inputItems.data.map((item) => item.id),
    [items[4]!.id],
    "a response's input items are the conversation's",
  );
});

test('a paused call must be answered before the conversation goes on — unless it was deleted from the conversation', async ({ t }) => {
  const { openai } = t;
  const conversation = await openai.conversations.create({ items: [{ role: 'user', content: 'What is the weather in Paris?' }] });
  const paused = await openai.responses.create({ model: 'scripted', conversation: conversation.id, tools: [weather] });
  const call = paused.output.find((item) => item.type === 'function_call');
  const unanswered = await refusal(openai.responses.create({ model: 'scripted', conversation: conversation.id, input: 'Something else' }));
  assert.equal([unanswered.status, unanswered.error['param']], [400, 'input']);
  assert.match(String(unanswered.error['message']), /No tool output found for function call/);
  // An item id the conversation has is refused before anything starts.
  const duplicate = await refusal(openai.responses.create({ model: 'scripted', conversation: conversation.id, input: [{ type: 'message', role: 'user', content: 'again', id: paused.output[0]!.id } as never] }));
  assert.equal([duplicate.status, duplicate.error['code']], [400, 'duplicate_item']);
  await openai.conversations.items.delete(call!.id!, { conversation_id: conversation.id });
  const next = await openai.responses.create({ model: 'scripted', conversation: conversation.id, input: 'Something else' });
  assert.equal([next.status, next.output_text.startsWith('You said: "Something else"')], ['completed', true]);
});

test("a conversation's developer messages are instructions, its assistant messages history", async ({ t }) => {
  const { openai } = t;
  const conversation = await openai.conversations.create({
    items: [
      { role: 'developer', content: 'Answer in haiku.' },
      { role: 'user', content: 'Compute 6*7 for me.' },
    ],
  });
  const response = await openai.responses.create({ model: 'scripted', conversation: conversation.id, tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] });
  assert.is(response.instructions, null, 'the request gave no instructions');
  assert.match(response.output_text, /The result of 6\*7 is 42/);
});

test('conversation with previous_response_id is a 400 in the API envelope; an unknown conversation a 404', async ({ t }) => {
  const { openai } = t;
  const conversation = await openai.conversations.create();
  const first = await openai.responses.create({ model: 'scripted', input: 'Hi' });
  const both = await refusal(openai.responses.create({ model: 'scripted', input: 'Hi', conversation: conversation.id, previous_response_id: first.id }));
  assert.equal(both, {
    status: 400,
    error: {
      message: "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
      type: 'invalid_request_error',
      param: null,
      code: 'mutually_exclusive_parameters',
    },
  });
  const unknown = await refusal(openai.responses.create({ model: 'scripted', input: 'Hi', conversation: 'conv_missing' }));
  assert.equal([unknown.status, unknown.error['param']], [404, 'conversation']);
  assert.equal((await openai.conversations.items.list(conversation.id)).data, [], 'nothing was added');
});

test('a second response while one runs in the conversation is conversation_locked; a failed one leaves the conversation as it was', async ({ t }) => {
  const { openai } = t;
  const conversation = await openai.conversations.create({ items: [{ role: 'user', content: 'Tell me a long story.' }] });
  const running = await openai.responses.create({ model: 'scripted', conversation: conversation.id, background: true, metadata: { scenario: 'slow' } });
  const locked = await refusal(openai.responses.create({ model: 'scripted', conversation: conversation.id, input: 'Hurry up' }));
  assert.equal([locked.status, locked.error['code'], locked.error['param']], [400, 'conversation_locked', 'conversation']);
  await openai.responses.cancel(running.id);
  const failed = await openai.responses.create({ model: 'scripted', conversation: conversation.id, input: 'Fail now', metadata: { scenario: 'failed' } });
  assert.is(failed.status, 'failed');
  const items = (await openai.conversations.items.list(conversation.id)).data;
  assert.equal(items.length, 1, 'neither the cancelled nor the failed response added anything');
});

test('store: false — answered, added to its conversation, and not retrievable afterwards', async ({ t }) => {
  const { openai } = t;
  const conversation = await openai.conversations.create();
  const response = await openai.responses.create({ model: 'scripted', conversation: conversation.id, input: 'Keep nothing', store: false });
  assert.equal([response.status, (response as unknown as { store: boolean }).store], ['completed', false]);
  assert.is((await refusal(openai.responses.retrieve(response.id))).status, 404);
  assert.is((await refusal(openai.responses.inputItems.list(response.id))).status, 404);
  const continued = await refusal(openai.responses.create({ model: 'scripted', previous_response_id: response.id, input: 'Again' }));
  assert.equal([continued.status, continued.error['param'], continued.error['code']], [400, 'previous_response_id', 'previous_response_not_found']);
  assert.is((await openai.conversations.items.list(conversation.id)).data.length, 2);
  const background = await refusal(openai.responses.create({ model: 'scripted', input: 'Hi', background: true, store: false }));
  assert.equal([background.status, background.error['param']], [400, 'store']);
  // Streamed too: the events arrive, and then the response is gone.
  const stream = await openai.responses.create({ model: 'scripted', input: 'Stream and forget', store: false, stream: true });
  let id = '';
  for await (const event of stream) if (event.type === 'response.completed') id = event.response.id;
  assert.is((await refusal(openai.responses.retrieve(id))).status, 404);
});

test('include shows a file search call’s results in the conversation’s items; without it they read null', async ({ t }) => {
  const { openai } = t;
  const file = await openai.files.create({ file: new File(['The vault code is 1234.'], 'vault.txt'), purpose: 'assistants' });
  const store = await openai.vectorStores.create({ file_ids: [file.id] });
  await openai.vectorStores.files.poll(store.id, file.id, { pollIntervalMs: 5 });
  const conversation = await openai.conversations.create();
  await openai.responses.create({ model: 'scripted', conversation: conversation.id, input: 'What is the vault code?', tools: [{ type: 'file_search', vector_store_ids: [store.id] }] });
  const plain = (await openai.conversations.items.list(conversation.id, { order: 'asc' })).data.find((item) => item.type === 'file_search_call');
  assert.is(plain?.type === 'file_search_call' && plain.results, null);
  const included = (await openai.conversations.items.list(conversation.id, { order: 'asc', include: ['file_search_call.results'] })).data.find(
    (item) => item.type === 'file_search_call',
  );
  assert.match(JSON.stringify(included?.type === 'file_search_call' && included.results), /The vault code is 1234/);
  const one = await openai.conversations.items.retrieve(included!.id, { conversation_id: conversation.id, include: ['file_search_call.results'] });
  assert.equal(one, included);
  const unknown = await refusal(openai.conversations.items.list(conversation.id, { include: ['nonsense' as never] }));
  assert.equal([unknown.status, unknown.error['param']], [400, 'include']);
});

test.run();
