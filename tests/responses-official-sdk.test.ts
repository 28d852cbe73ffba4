import { BadRequestError, NotFoundError } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from './helpers/server.ts';

// The official SDK as the oracle of the embedded server's /v1/responses: its `responses.create`,
// `responses.stream` and `ResponseStream` run unmodified against it.

let t: TestServer;
let vectorStoreId: string;
const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

test.before(async () => {
  t = await startTestServer();
  const store = await t.openai.vectorStores.create({ name: 'policy' });
  vectorStoreId = store.id;
  await t.openai.vectorStores.files.uploadAndPoll(
    store.id,
    new File(['Hotels in Paris are reimbursed up to 180 euros a night. Taxis need a receipt.'], 'travel-policy.txt'),
    { pollIntervalMs: 5 },
  );
});

test.after(async () => {
  await t.close();
  assert.equal(t.internalErrors, []);
});

async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

test('a text answer streams through the official ResponseStream, numbered from 0 without gaps', async () => {
  const stream = t.openai.responses.stream({ model: 'scripted', input: 'Hello there' });
  const events = await collect(stream);
  const response = await stream.finalResponse();
  assert.equal(response.status, 'completed');
  assert.ok(response.output_text.startsWith('You said: "Hello there".'), response.output_text);
  assert.equal(
    events.map((event) => event.sequence_number),
    events.map((_, index) => index),
  );
  assert.equal(events[0]!.type, 'response.created');
  assert.equal(events.at(-1)!.type, 'response.completed');
  assert.ok(events.some((event) => event.type === 'response.output_text.delta'));
});

test('a function round trip: the call ends the response, previous_response_id + function_call_output continues it', async () => {
  const first = await t.openai.responses.stream({ model: 'scripted', input: "What's the weather in Paris?", tools: [weather] }).finalResponse();
  assert.equal(first.status, 'completed');
  const call = first.output.find((item) => item.type === 'function_call');
  assert.ok(call !== undefined && call.type === 'function_call');
  assert.equal(call.name, 'get_weather');
  assert.equal(JSON.parse(call.arguments), { city: 'Paris' });
  const second = await t.openai.responses
    .stream({
      model: 'scripted',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"forecast":"rain"}' }],
      tools: [weather],
    })
    .finalResponse();
  assert.equal(second.previous_response_id, first.id);
  assert.equal(second.output_text, 'get_weather returned: {"forecast":"rain"}');
});

test('arithmetic runs in the code interpreter (create, not streamed)', async () => {
  const response = await t.openai.responses.create({
    model: 'scripted',
    input: 'What is 2**10 + 3*7?',
    tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
  });
  assert.equal(response.status, 'completed');
  const call = response.output[0];
  assert.ok(call?.type === 'code_interpreter_call');
  assert.equal(call.code, 'print(2**10 + 3*7)');
  assert.equal(call.outputs, [{ type: 'logs', logs: '1045' }]);
  assert.equal(response.output_text, 'The result of 2**10 + 3*7 is 1045.');
});

test('file search finds the passage and cites it by index, without a marker in the text', async () => {
  const response = await t.openai.responses
    .stream({
      model: 'scripted',
      input: 'What does the travel policy say about hotels?',
      tools: [{ type: 'file_search', vector_store_ids: [vectorStoreId] }],
    })
    .finalResponse();
  const search = response.output.find((item) => item.type === 'file_search_call');
  assert.ok(search?.type === 'file_search_call');
  assert.equal(search.results?.[0]?.filename, 'travel-policy.txt');
  const message = response.output.find((item) => item.type === 'message');
  assert.ok(message?.type === 'message');
  const part = message.content[0];
  assert.ok(part?.type === 'output_text');
  assert.ok(part.text.includes('180 euros'), part.text);
  assert.not.ok(part.text.includes('【'));
  const [citation] = part.annotations;
  assert.ok(citation?.type === 'file_citation');
  assert.equal(citation.filename, 'travel-policy.txt');
  assert.equal(citation.index, part.text.length);
});

test('a background response answers at once, and cancel ends it as cancelled', async () => {
  const created = await t.openai.responses.create({
    model: 'scripted',
    input: 'Tell me something long',
    background: true,
    metadata: { scenario: 'slow' },
  });
  assert.equal(created.status, 'queued');
  assert.equal(created.background, true);
  const cancelled = await t.openai.responses.cancel(created.id);
  assert.equal(cancelled.status, 'cancelled');
  assert.equal((await t.openai.responses.retrieve(created.id)).status, 'cancelled');
});

test('responses.delete forgets a response: retrieving it is then a NotFoundError', async () => {
  const created = await t.openai.responses.create({ model: 'scripted', input: 'Hello there' });
  await t.openai.responses.delete(created.id);
  try {
    await t.openai.responses.retrieve(created.id);
    assert.unreachable('retrieved a deleted response');
  } catch (error) {
    assert.instance(error, NotFoundError);
  }
});

test('a response that is not in the background cannot be cancelled (the API envelope, 400)', async () => {
  const done = await t.openai.responses.create({ model: 'scripted', input: 'Hi' });
  try {
    await t.openai.responses.cancel(done.id);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, BadRequestError);
    assert.match((error as BadRequestError).message, /background/);
  }
});

test('scenarios: failed, expired and incomplete end the stream with their lifecycle event', async () => {
  const failed = await t.openai.responses.stream({ model: 'scripted', input: 'Hello', metadata: { scenario: 'failed' } }).finalResponse();
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error?.code, 'server_error');
  const expired = await t.openai.responses.stream({ model: 'scripted', input: 'Hello', metadata: { scenario: 'expired' } }).finalResponse();
  assert.equal(expired.status, 'failed');
  assert.match(expired.error?.message ?? '', /expired/);
  const incomplete = await t.openai.responses.stream({ model: 'scripted', input: 'Hello', metadata: { scenario: 'incomplete' } }).finalResponse();
  assert.equal(incomplete.status, 'incomplete');
  assert.equal(incomplete.incomplete_details?.reason, 'max_output_tokens');
});

test('retrieve with stream=true replays the events, and starting_after resumes after a sequence number', async () => {
  const response = await t.openai.responses.create({ model: 'scripted', input: 'Replay me' });
  const resumed = t.openai.responses.stream({ response_id: response.id, starting_after: 4 });
  const events = await collect(resumed);
  assert.ok(events.length > 0);
  assert.ok(events.every((event) => event.sequence_number > 4));
  assert.equal((await resumed.finalResponse()).output_text, response.output_text);
});

test('input items are listed, and unknown ids and tools are errors in the API envelope', async () => {
  const response = await t.openai.responses.create({ model: 'scripted', input: [{ role: 'user', content: 'First' }] });
  const items = await t.openai.responses.inputItems.list(response.id);
  assert.equal(items.data.length, 1);
  assert.equal(items.data[0]?.type, 'message');
  try {
    await t.openai.responses.create({ model: 'scripted', input: 'Hi', previous_response_id: 'resp_missing' });
    assert.unreachable();
  } catch (error) {
    // As the API answers: a 400, not a 404.
    assert.instance(error, BadRequestError);
    assert.equal([(error as BadRequestError).code, (error as BadRequestError).param], ['previous_response_not_found', 'previous_response_id']);
  }
  try {
    await t.openai.responses.create({ model: 'scripted', input: 'Hi', tools: [{ type: 'web_search' }] });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, BadRequestError);
    assert.equal((error as BadRequestError).param, 'tools[0]');
  }
});

test.run();
