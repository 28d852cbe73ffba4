import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStreamError, AssistantsClient, RESPONSE_POLLED_EVENT, RESPONSE_RESUMED_EVENT, type AssistantStream, type Message } from '../src/index.ts';
import { cuttingFetch, type CuttingFetch } from './helpers/cuttingFetch.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// A Responses stream whose connection is cut goes on by itself from the last sequence_number it
// read (GET /responses/{id}?stream=true&starting_after=N); where the server refuses that, the
// response is polled to its end and the stream made from it, and the stream says which it did.
// Nothing is heard twice, nothing is lost.

const test = suite<{ t: TestServer; cutting: CuttingFetch; client: AssistantsClient }>('responses resume');
test.before(async (context) => {
  // A small pace, so a response is still going when its stream is cut.
  context.t = await startTestServer({ pace: { deltaDelayMs: 2, stepDelayMs: 2 } });
});
test.before.each((context) => {
  context.cutting = cuttingFetch();
  context.client = new AssistantsClient({ baseURL: context.t.server.url, apiKey: 'test-key', fetch: context.cutting.fetch, maxRetries: 0 });
});
test.after(async ({ t }) => {
  await t.close();
  assert.equal(t.internalErrors, []);
});

const weather = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const textOf = (messages: Message[]) => messages.map((message) => message.content.map((block) => (block.type === 'text' ? block.text.value : '')).join('')).join('|');

/** What a stream let its listeners hear: every sequence number, the text deltas, the notices. */
function listen(stream: AssistantStream) {
  const heard = { sequences: [] as number[], text: '', notices: [] as Array<{ event: string; data: Record<string, unknown> }> };
  const names = ['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_item.done', 'response.content_part.added',
    'response.content_part.done', 'response.output_text.delta', 'response.output_text.done', 'response.completed', 'response.queued',
    'response.function_call_arguments.delta', 'response.function_call_arguments.done'] as const;
  for (const name of names) stream.on(name, (event: { sequence_number: number }) => heard.sequences.push(event.sequence_number));
  stream.on('textDelta', (delta) => {
    heard.text += delta.value ?? '';
  });
  stream.on('event', (event) => {
    if (event.event.startsWith('assistant_machines.')) heard.notices.push({ event: event.event, data: event.data as Record<string, unknown> });
  });
  return heard;
}

const inOrder = (numbers: number[]) => numbers.every((value, index) => index === 0 || value === numbers[index - 1]! + 1);

test('a stream cut after five events reconnects after the fifth; every event is heard once, in order', async ({ t, cutting, client }) => {
  cutting.cutStreams(5);
  const stream = client.responses.stream({ model: 'scripted', input: 'Hello, tell me about lighthouses.' });
  const heard = listen(stream);
  const response = await stream.finalResponse();
  const messages = await stream.finalMessages();
  assert.is(response.status, 'completed');
  assert.equal(heard.notices.map((notice) => [notice.event, notice.data['starting_after']]), [[RESPONSE_RESUMED_EVENT, 4]]);
  const resumed = cutting.seen.find((request) => request.method === 'GET');
  assert.equal([resumed?.url.searchParams.get('stream'), resumed?.url.searchParams.get('starting_after')], ['true', '4']);
  assert.ok(inOrder(heard.sequences) && heard.sequences[0] === 0, `sequence numbers ${heard.sequences.join(',')}`);
  assert.is(heard.text, response.output_text);
  assert.is(textOf(messages), response.output_text);
  const retrieved = await t.openai.responses.retrieve(response.id);
  assert.is(retrieved.output_text, response.output_text);
});

test('a cut in the middle of an event: its half is dropped and the event comes again whole', async ({ cutting, client }) => {
  cutting.cutInsideFrames = true;
  cutting.cutStreams(9);
  const stream = client.responses.stream({ model: 'scripted', input: 'Hello again, tell me a story.' });
  const heard = listen(stream);
  const response = await stream.finalResponse();
  assert.equal(heard.notices.map((notice) => notice.data['starting_after']), [8]);
  assert.ok(inOrder(heard.sequences));
  assert.is(heard.text, response.output_text);
});

test('cut again and again, each time after some progress: the stream still ends whole', async ({ cutting, client }) => {
  cutting.cutStreams(4, 3, 3, 3);
  const stream = client.responses.stream({ model: 'scripted', input: 'Hello from Lisbon, where the trams are yellow.' });
  const heard = listen(stream);
  const response = await stream.finalResponse();
  assert.equal(
    heard.notices.map((notice) => notice.data['starting_after']),
    [3, 6, 9, 12],
  );
  assert.ok(inOrder(heard.sequences) && heard.sequences.length === heard.sequences.at(-1)! + 1);
  assert.is(heard.text, response.output_text);
});

test('a background response is resumed the same way', async ({ cutting, client }) => {
  cutting.cutStreams(3);
  const stream = client.responses.stream({ model: 'scripted', input: 'Hello from the background', background: true });
  const heard = listen(stream);
  const response = await stream.finalResponse();
  assert.equal([response.status, response.background], ['completed', true]);
  assert.equal(heard.notices.map((notice) => notice.event), [RESPONSE_RESUMED_EVENT]);
  assert.ok(inOrder(heard.sequences));
  assert.is(heard.text, response.output_text);
});

test('a server that refuses to stream the response again: it is polled to its end, and the stream says so', async ({ t, cutting, client }) => {
  cutting.refuseResumeWith = 400;
  cutting.cutStreams(6);
  const stream = client.responses.stream({ model: 'scripted', input: 'What is the weather in Quito? And tell me a story.', tools: [weather] });
  const heard = listen(stream);
  const response = await stream.finalResponse();
  const run = await stream.finalRun();
  assert.equal(
    heard.notices.map((notice) => [notice.event, notice.data['starting_after'], notice.data['reason']]),
    [[RESPONSE_POLLED_EVENT, 5, `GET /responses/${response.id}?stream=true&starting_after=5 answered 400`]],
  );
  assert.ok(cutting.seen.some((request) => request.method === 'GET' && request.url.searchParams.get('stream') === null), 'the response was polled');
  assert.ok(inOrder(heard.sequences));
  const retrieved = await t.openai.responses.retrieve(response.id);
  assert.equal(response.output, retrieved.output as never);
  assert.equal([run.status, run.required_action?.submit_tool_outputs.tool_calls[0]?.function.arguments], ['requires_action', '{"city":"Quito"}']);
});

test('polled to its end: a message the stream never saw arrives whole', async ({ cutting, client }) => {
  cutting.refuseResumeWith = 405;
  cutting.cutStreams(2);
  const stream = client.responses.stream({ model: 'scripted', input: 'Hello, polled world.' });
  const heard = listen(stream);
  const response = await stream.finalResponse();
  const messages = await stream.finalMessages();
  assert.equal(heard.notices.map((notice) => notice.event), [RESPONSE_POLLED_EVENT]);
  assert.is(textOf(messages), response.output_text);
  assert.is(heard.text, response.output_text);
  assert.ok((response.output_text ?? '').length > 0);
});

test('a response the server does not keep (store: false) cannot be resumed: the stream fails with its cut, the text so far kept', async ({ cutting, client }) => {
  cutting.cutStreams(8);
  const stream = client.responses.stream({ model: 'scripted', input: 'Hello, forget me.', store: false });
  const heard = listen(stream);
  const error = await stream.done().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof AssistantStreamError);
  assert.is(error.kind, 'source');
  assert.equal(heard.notices, []);
  assert.ok(stream.currentResponse() !== undefined);
  assert.is(heard.sequences.length, 8);
});

test.run();
