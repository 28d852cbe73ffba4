import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { createServer, type AssistantsServer } from '../src/server/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

// WebSocket mode of /v1/responses with the official SDK's ResponsesWS as the client: each
// response.create answered with the events the HTTP stream carries, continuations with only the
// new items, the connection-local cache (store: false), lanes, and the errors as error events.

type ServerEvent = OpenAI.Responses.ResponsesServerEvent & Record<string, unknown>;

const test = suite<{ t: TestServer }>('responses websocket (official SDK)');
test.before(async (context) => {
  context.t = await startTestServer();
});
test.after(async ({ t }) => {
  await t.close();
  assert.equal(t.internalErrors, []);
});

const weather = { type: 'function' as const, name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } };

/** An SDK socket whose events are read one response at a time. */
function open(openai: OpenAI) {
  const ws = new ResponsesWS(openai);
  const events: ServerEvent[] = [];
  const waiters: Array<() => void> = [];
  ws.on('event', (event) => {
    events.push(event as ServerEvent);
    for (const waiter of waiters.splice(0)) waiter();
  });
  // An error event also reaches the `error` listener (without one the SDK rejects unhandled).
  ws.on('error', () => {});
  /** The events of the next response (or error) of `lane`, up to its terminal event. */
  const next = async (lane?: string): Promise<ServerEvent[]> => {
    for (;;) {
      const mine = events.filter((event) => event['stream_id'] === lane);
      const end = mine.findIndex((event) => event.type === 'error' || /^response\.(completed|failed|incomplete)$/.test(event.type));
      if (end !== -1) {
        const taken = mine.slice(0, end + 1);
        for (const event of taken) events.splice(events.indexOf(event), 1);
        return taken;
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ws, next };
}

const finalOf = (events: ServerEvent[]) => (events.at(-1) as { response: OpenAI.Responses.Response }).response;
const errorOf = (events: ServerEvent[]) => events.at(-1) as unknown as { type: 'error'; status: number; error: { code: string | null; param: string | null; message: string } };

test('a response over the socket carries the events of the HTTP stream, in order', async ({ t }) => {
  const { ws, next } = open(t.openai);
  ws.send({ type: 'response.create', model: 'scripted', input: 'Hello over a socket' });
  const events = await next();
  const http: string[] = [];
  for await (const event of await t.openai.responses.create({ model: 'scripted', input: 'Hello over a socket', stream: true })) http.push(event.type);
  assert.equal(
    events.map((event) => event.type),
    http,
  );
  assert.equal(
    events.map((event) => event['sequence_number']),
    events.map((_, index) => index),
  );
  const response = finalOf(events);
  assert.is(response.status, 'completed');
  // Stored by default: the socket's response is the server's, over HTTP too.
  assert.is((await t.openai.responses.retrieve(response.id)).status, 'completed');
  ws.close();
});

test('a function loop with store: false: each turn sends only its new items; the chain lives on the connection only', async ({ t }) => {
  const { ws, next } = open(t.openai);
  ws.send({ type: 'response.create', model: 'scripted', input: "What's the weather in Paris?", tools: [weather], store: false });
  const first = finalOf(await next());
  const call = first.output.find((item) => item.type === 'function_call')!;
  assert.ok(call);
  ws.send({
    type: 'response.create',
    model: 'scripted',
    previous_response_id: first.id,
    input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"forecast":"sunny"}' }],
    tools: [weather],
    store: false,
  });
  const second = finalOf(await next());
  assert.is(second.output_text ?? second.output.map((item) => (item.type === 'message' ? item.content.map((part) => ('text' in part ? part.text : '')).join('') : '')).join(''), 'get_weather returned: {"forecast":"sunny"}');
  ws.send({ type: 'response.create', model: 'scripted', previous_response_id: second.id, input: 'Thanks!', store: false });
  assert.is(finalOf(await next()).status, 'completed');
  // Not the server's: over HTTP neither response exists, nor can a chain go on from it.
  const status = async (call: Promise<unknown>) => call.then(() => 200, (error: InstanceType<typeof OpenAI.APIError>) => [error.status, error.code]);
  assert.equal(await status(t.openai.responses.retrieve(second.id)), [404, null]);
  assert.equal(await status(t.openai.responses.create({ model: 'scripted', previous_response_id: second.id, input: 'Hi' })), [400, 'previous_response_not_found']);
  ws.close();
});

test('the cache is the connection’s: a new connection gets previous_response_not_found for a store: false response, a stored one goes on', async ({ t }) => {
  const first = open(t.openai);
  first.ws.send({ type: 'response.create', model: 'scripted', input: 'Forget me', store: false });
  const forgotten = finalOf(await first.next());
  first.ws.send({ type: 'response.create', model: 'scripted', input: 'Keep me' });
  const kept = finalOf(await first.next());
  first.ws.close();
  const second = open(t.openai);
  second.ws.send({ type: 'response.create', model: 'scripted', previous_response_id: forgotten.id, input: 'And now?' });
  const refused = errorOf(await second.next());
  assert.equal([refused.status, refused.error.code, refused.error.param], [400, 'previous_response_not_found', 'previous_response_id']);
  assert.is(refused.error.message, `Previous response with id '${forgotten.id}' not found.`);
  second.ws.send({ type: 'response.create', model: 'scripted', previous_response_id: kept.id, input: 'And now?' });
  const continued = finalOf(await second.next());
  assert.equal([continued.status, continued.previous_response_id], ['completed', kept.id]);
  second.ws.close();
});

test('a continuation that fails evicts the response it continued', async ({ t }) => {
  const { ws, next } = open(t.openai);
  ws.send({ type: 'response.create', model: 'scripted', input: 'Start', store: false });
  const start = finalOf(await next());
  ws.send({ type: 'response.create', model: 'scripted', previous_response_id: start.id, input: 'Go on', store: false, metadata: { scenario: 'failed' } });
  assert.is(finalOf(await next()).status, 'failed');
  ws.send({ type: 'response.create', model: 'scripted', previous_response_id: start.id, input: 'Go on', store: false });
  assert.is(errorOf(await next()).error.code, 'previous_response_not_found');
  // A refused request evicts it too.
  ws.send({ type: 'response.create', model: 'scripted', input: 'Again', store: false });
  const again = finalOf(await next());
  ws.send({ type: 'response.create', model: 'scripted', previous_response_id: again.id, input: 'Go on', tools: [{ type: 'web_search' }] });
  assert.is(errorOf(await next()).error.param, 'tools[0]');
  ws.send({ type: 'response.create', model: 'scripted', previous_response_id: again.id, input: 'Go on', store: false });
  assert.is(errorOf(await next()).error.code, 'previous_response_not_found');
  ws.close();
});

test('lanes: each stream_id runs in order, lanes side by side, and every event names its lane', async ({ t }) => {
  const { ws, next } = open(t.openai);
  ws.send({ type: 'response.create', stream_id: 'a', model: 'scripted', input: 'First of a' });
  ws.send({ type: 'response.create', stream_id: 'b', model: 'scripted', input: 'First of b' });
  ws.send({ type: 'response.create', stream_id: 'a', model: 'scripted', input: 'Second of a' });
  const [a1, b1, a2] = [await next('a'), await next('b'), await next('a')];
  for (const [events, lane] of [[a1, 'a'], [b1, 'b'], [a2, 'a']] as const) assert.ok(events!.every((event) => event['stream_id'] === lane));
  assert.match(finalOf(a1!).output_text ?? JSON.stringify(finalOf(a1!).output), /First of a/);
  assert.match(JSON.stringify(finalOf(a2!).output), /Second of a/);
  assert.match(JSON.stringify(finalOf(b1!).output), /First of b/);
  ws.close();
});

test('what the socket refuses comes back as error events; the connection stays usable', async ({ t }) => {
  const { ws, next } = open(t.openai);
  ws.send({ type: 'response.create', model: 'scripted', input: 'Hi', background: true });
  const background = errorOf(await next());
  assert.equal([background.status, background.error.param], [400, 'background']);
  ws.send({ type: 'response.create', model: 'scripted', input: 'Hi' });
  assert.is(finalOf(await next()).status, 'completed');
  ws.close();
  const raw = new WebSocket(t.server.responsesWebSocketURL);
  const messages: Array<Record<string, unknown>> = [];
  raw.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  await new Promise((resolve) => raw.once('open', resolve));
  raw.send('{not json');
  raw.send(JSON.stringify({ type: 'session.update' }));
  raw.send(JSON.stringify({ type: 'response.steer', input: 'faster' }));
  raw.send(JSON.stringify({ type: 'response.create', model: 'scripted', input: 'Still here?' }));
  while (!messages.some((message) => message['type'] === 'response.completed')) await new Promise((resolve) => setTimeout(resolve, 5));
  const errors = messages.filter((message) => message['type'] === 'error').map((message) => (message['error'] as { code: string | null }).code);
  assert.equal(errors, ['invalid_json', 'invalid_value', 'steering_not_supported']);
  raw.close();
});

test('the upgrade needs the key the server requires, and the right path', async () => {
  const guarded: AssistantsServer = await createServer({ apiKey: 'sk-right', pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  const statusOf = (url: string, key: string) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(url, { headers: { Authorization: `Bearer ${key}` } });
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('open', () => {
        socket.close();
        resolve(101);
      });
      socket.once('error', () => {});
    });
  assert.is(await statusOf(guarded.responsesWebSocketURL, 'sk-wrong'), 401);
  assert.is(await statusOf(guarded.responsesWebSocketURL.replace('/responses', '/threads'), 'sk-right'), 404);
  assert.is(await statusOf(guarded.responsesWebSocketURL, 'sk-right'), 101);
  const { ws, next } = open(new OpenAI({ baseURL: guarded.url, apiKey: 'sk-right' }));
  ws.send({ type: 'response.create', model: 'scripted', input: 'Let me in' });
  assert.is(finalOf(await next()).status, 'completed');
  ws.close();
  await guarded.close();
});

test('with durable storage, a stored response made over the socket survives a restart', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ws-durable-'));
  try {
    const first = await createServer({ dataDir, pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
    const { ws, next } = open(new OpenAI({ baseURL: first.url, apiKey: 'k' }));
    ws.send({ type: 'response.create', model: 'scripted', input: 'Keep me across a restart' });
    const kept = finalOf(await next());
    ws.close();
    await first.close();
    const second = await createServer({ dataDir, pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
    const openai = new OpenAI({ baseURL: second.url, apiKey: 'k' });
    const retrieved = await openai.responses.retrieve(kept.id);
    assert.equal([retrieved.status, retrieved.output], ['completed', kept.output]);
    // …and a new connection continues it.
    const again = open(openai);
    again.ws.send({ type: 'response.create', model: 'scripted', previous_response_id: kept.id, input: 'Still there?' });
    assert.equal(finalOf(await again.next()).previous_response_id, kept.id);
    again.ws.close();
    await second.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('tenants: a connection works in its key’s tenant, within its key’s limits, and ends when its key is removed', async () => {
  const server = await createServer({
    keys: [
      { tenant: 'acme', name: 'acme-key', key: 'sk-acme' },
      { tenant: 'globex', name: 'globex-key', key: 'sk-globex', limits: { requestsPerMinute: 2 } },
    ],
    pace: { deltaDelayMs: 0, stepDelayMs: 0 },
  });
  try {
    const acme = open(new OpenAI({ baseURL: server.url, apiKey: 'sk-acme' }));
    acme.ws.send({ type: 'response.create', model: 'scripted', input: 'Acme only' });
    const mine = finalOf(await acme.next());
    const globexClient = new OpenAI({ baseURL: server.url, apiKey: 'sk-globex' });
    const globex = open(globexClient);
    // Another tenant's response is unknown here, over the socket as over HTTP.
    globex.ws.send({ type: 'response.create', model: 'scripted', previous_response_id: mine.id, input: 'Peek' });
    assert.is(errorOf(await globex.next()).error.code, 'previous_response_not_found');
    assert.is(await globexClient.responses.retrieve(mine.id).then(() => 200, (error: { status: number }) => error.status), 404);
    // Its key's limit: two requests a minute, the socket's messages counted with them.
    globex.ws.send({ type: 'response.create', model: 'scripted', input: 'Third request' });
    const limited = errorOf(await globex.next());
    assert.equal([limited.status, limited.error.code], [429, 'rate_limit_exceeded']);
    globex.ws.close();
    // A key removed since the connection opened: its next message is refused, and the connection closed.
    server.setKeys([{ tenant: 'globex', key: 'sk-globex' }]);
    acme.ws.send({ type: 'response.create', model: 'scripted', input: 'Still me?' });
    const revoked = errorOf(await acme.next());
    assert.equal([revoked.status, revoked.error.code], [401, 'invalid_api_key']);
    acme.ws.close();
  } finally {
    await server.close();
  }
});

test('a connection past its age takes no new response: websocket_connection_limit_reached', async () => {
  await createServer({ webSocketMaxAgeMs: -1 }).then(
    () => assert.unreachable('a negative age is refused'),
    (error: Error) => assert.match(error.message, /webSocketMaxAgeMs must be a number of milliseconds/),
  );
  const aged = await createServer({ webSocketMaxAgeMs: 0, pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  const { ws, next } = open(new OpenAI({ baseURL: aged.url, apiKey: 'k' }));
  ws.send({ type: 'response.create', model: 'scripted', input: 'Too late' });
  const refused = errorOf(await next());
  assert.equal([refused.status, refused.error.code], [400, 'websocket_connection_limit_reached']);
  ws.close();
  await aged.close();
});

test.run();
