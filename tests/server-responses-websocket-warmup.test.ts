// WebSocket mode's warm-up (`response.create` with `generate: false`), with the official SDK's
// ResponsesWS as the client and a live Chat Completions model behind the server: the warm-up
// answers a completed response with no output and calls no model; a turn chained from it
// (directly, or a warm-up chained from a generated turn, or in a conversation) sends the model
// everything the chain holds; what a warm-up cannot do comes back as an error event.
import type OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startChatCompletions, type ModelUpstream } from './helpers/modelUpstream.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

type ServerEvent = OpenAI.Responses.ResponsesServerEvent & Record<string, unknown>;

const test = suite<{ t: TestServer; upstream: ModelUpstream }>('responses websocket warm-up');
test.before(async (context) => {
  context.upstream = await startChatCompletions();
  context.t = await startTestServer({ model: { baseURL: context.upstream.url, protocol: 'chat' } });
});
test.after(async ({ t, upstream }) => {
  await t.close();
  await upstream.close();
  assert.equal(t.internalErrors, []);
});

/** A socket whose events are read one response (or error) at a time. */
function open(openai: OpenAI) {
  const ws = new ResponsesWS(openai);
  const events: ServerEvent[] = [];
  let wake: (() => void) | undefined;
  ws.on('event', (event) => {
    events.push(event as ServerEvent);
    wake?.();
  });
  ws.on('error', () => {});
  const next = async (): Promise<ServerEvent[]> => {
    for (;;) {
      const end = events.findIndex((event) => event.type === 'error' || /^response\.(completed|failed|incomplete)$/.test(event.type));
      if (end !== -1) return events.splice(0, end + 1);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return { ws, next };
}

const finalOf = (events: ServerEvent[]) => (events.at(-1) as { response: OpenAI.Responses.Response }).response;
const errorOf = (events: ServerEvent[]) => events.at(-1) as unknown as { type: 'error'; status: number; error: { code: string | null; param: string | null; message: string } };
const userTexts = (body: Record<string, unknown>) => (body['messages'] as Array<{ role: string; content?: string }>).filter((message) => message.role === 'user').map((message) => message.content);

test('a warm-up is a completed response with no output, and calls no model', async ({ t, upstream }) => {
  const { ws, next } = open(t.openai);
  const before = upstream.bodies().length;
  ws.send({ type: 'response.create', model: 'gpt-live', instructions: 'Answer briefly.', input: 'My name is Ada.', store: false, generate: false });
  const events = await next();
  assert.equal(events.map((event) => event.type), ['response.created', 'response.in_progress', 'response.completed']);
  const warm = finalOf(events);
  assert.equal([warm.status, warm.output, warm.usage?.total_tokens], ['completed', [], 0]);
  assert.is(warm.instructions, 'Answer briefly.');
  assert.is(upstream.bodies().length, before, 'no model request');
  ws.close();
});

test('a turn chained from a warm-up sends the model the warm-up\'s input, then its own', async ({ t, upstream }) => {
  const { ws, next } = open(t.openai);
  ws.send({ type: 'response.create', model: 'gpt-live', input: 'My name is Ada.', store: false, generate: false });
  const warm = finalOf(await next());
  const before = upstream.bodies().length;
  ws.send({ type: 'response.create', model: 'gpt-live', previous_response_id: warm.id, input: 'What is my name?', store: false });
  const answered = finalOf(await next());
  assert.is(answered.status, 'completed');
  assert.ok(answered.output.length > 0, 'this one generates');
  const requests = upstream.bodies().slice(before);
  assert.is(requests.length, 1);
  assert.equal(userTexts(requests[0]!), ['My name is Ada.', 'What is my name?']);

  // A warm-up chained from a generated turn adds to the chain; the next turn gets all of it.
  ws.send({ type: 'response.create', model: 'gpt-live', previous_response_id: answered.id, input: 'I live in Lyon.', store: false, generate: false });
  const warmAgain = finalOf(await next());
  assert.equal([warmAgain.status, warmAgain.output], ['completed', []]);
  assert.is(upstream.bodies().length, before + 1, 'the second warm-up calls no model either');
  ws.send({ type: 'response.create', model: 'gpt-live', previous_response_id: warmAgain.id, input: 'Where do I live?', store: false });
  assert.is(finalOf(await next()).status, 'completed');
  assert.equal(userTexts(upstream.bodies().at(-1)!), ['My name is Ada.', 'What is my name?', 'I live in Lyon.', 'Where do I live?']);
  ws.close();
});

test('a stored warm-up is a response like any other: retrieved, listed input items, chained over HTTP', async ({ t, upstream }) => {
  const { ws, next } = open(t.openai);
  ws.send({ type: 'response.create', model: 'gpt-live', input: 'Remember the number 42.', generate: false });
  const warm = finalOf(await next());
  ws.close();
  const retrieved = await t.openai.responses.retrieve(warm.id);
  assert.equal([retrieved.status, retrieved.output], ['completed', []]);
  const items = await t.openai.responses.inputItems.list(warm.id);
  assert.equal(items.data.map((item) => (item.type === 'message' ? item.role : item.type)), ['user']);
  const before = upstream.bodies().length;
  const answered = await t.openai.responses.create({ model: 'gpt-live', previous_response_id: warm.id, input: 'Which number?' });
  assert.is(answered.status, 'completed');
  assert.equal(userTexts(upstream.bodies()[before]!), ['Remember the number 42.', 'Which number?']);
});

test('a warm-up in a conversation adds its input to the conversation; the next response there gives it to the model', async ({ t, upstream }) => {
  const conversation = await t.openai.conversations.create({});
  const { ws, next } = open(t.openai);
  ws.send({ type: 'response.create', model: 'gpt-live', conversation: conversation.id, input: 'My cat is called Miso.', generate: false });
  assert.equal(finalOf(await next()).output, []);
  ws.close();
  const items = await t.openai.conversations.items.list(conversation.id, { order: 'asc' });
  assert.equal(items.data.map((item) => (item.type === 'message' ? item.role : item.type)), ['user']);
  const before = upstream.bodies().length;
  await t.openai.responses.create({ model: 'gpt-live', conversation: conversation.id, input: "What is my cat's name?" });
  assert.equal(userTexts(upstream.bodies()[before]!), ['My cat is called Miso.', "What is my cat's name?"]);
});

test('what a warm-up cannot be comes back as an error event naming generate (evicting what it continued, as any failed request does); the connection goes on', async ({ t }) => {
  const { ws, next } = open(t.openai);
  const weather = { type: 'function' as const, name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } };
  ws.send({ type: 'response.create', model: 'gpt-live', input: "What's the weather in Paris?", tools: [weather], store: false });
  const paused = finalOf(await next());
  const call = paused.output.find((item) => item.type === 'function_call')!;
  assert.ok(call, 'the model called the function');
  ws.send({ type: 'response.create', model: 'gpt-live', previous_response_id: paused.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }], tools: [weather], store: false, generate: false });
  const refused = errorOf(await next());
  assert.equal([refused.status, refused.error.param], [400, 'generate']);
  assert.match(refused.error.message, /function call/);
  ws.send({ type: 'response.create', model: 'gpt-live', input: 'Hi', generate: 'no' as unknown as boolean });
  const typed = errorOf(await next());
  assert.equal([typed.status, typed.error.param], [400, 'generate']);
  // As for any request that fails, the response it continued left the connection's cache.
  ws.send({ type: 'response.create', model: 'gpt-live', previous_response_id: paused.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }], tools: [weather], store: false });
  assert.is(errorOf(await next()).error.code, 'previous_response_not_found');
  ws.send({ type: 'response.create', model: 'gpt-live', input: 'Still here?', store: false });
  assert.is(finalOf(await next()).status, 'completed');
  ws.close();
});

test.run();
