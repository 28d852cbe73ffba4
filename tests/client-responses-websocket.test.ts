import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, toPromise } from 'xstate';
import {
  AssistantEventHandler,
  AssistantsClient,
  createAssistantRun,
  RESPONSE_RESTARTED_EVENT,
  RESPONSE_RESUMED_EVENT,
  type AssistantStream,
  type ResponseCreateParams,
  type ResponseRestartNotice,
  type UnknownStreamEvent,
} from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';
import { startTcpProxy, type TcpProxy } from './helpers/tcpProxy.ts';

// Our client's WebSocket mode (client.responses.connect) against the embedded server: the same
// statecharts and handler callbacks as over HTTP, the tool loop with only the new items, a
// dropped socket mid-response (store: false → previous_response_not_found → the chain goes on
// with its whole context, as the API's guide says; store: true → resumed over HTTP), and the
// official SDK's ResponsesWS beside it on the same server.

interface Context {
  server: AssistantsServer;
  proxy: TcpProxy;
  /** A client whose traffic goes through the proxy (the test can drop its connections). */
  client: AssistantsClient;
  internalErrors: unknown[];
}

const test = suite<Context>('responses websocket (our client)');
test.before(async (context) => {
  context.internalErrors = [];
  // A delta every millisecond: a cut at a delta falls mid-response, with most of it still to come.
  context.server = await createServer({ pace: { deltaDelayMs: 1, stepDelayMs: 0 }, pollAfterMs: 5, onInternalError: (error) => context.internalErrors.push(error) });
  context.proxy = await startTcpProxy(context.server.port);
  context.client = new AssistantsClient({ baseURL: `http://127.0.0.1:${context.proxy.port}/v1`, apiKey: 'sk-socket', maxRetries: 0 });
});
test.after(async ({ server, proxy, internalErrors }) => {
  await proxy.close();
  await server.close();
  assert.equal(internalErrors, []);
});

const weather = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

/** A handler that writes down the name of every callback, in order. */
class Recorder extends AssistantEventHandler {
  readonly calls: string[] = [];
  override onRunStepCreated() {
    this.calls.push('runStepCreated');
  }
  override onRunStepDone() {
    this.calls.push('runStepDone');
  }
  override onMessageCreated() {
    this.calls.push('messageCreated');
  }
  override onMessageDone() {
    this.calls.push('messageDone');
  }
  override onTextCreated() {
    this.calls.push('textCreated');
  }
  override onTextDone() {
    this.calls.push('textDone');
  }
  override onToolCallCreated() {
    this.calls.push('toolCallCreated');
  }
  override onToolCallDone() {
    this.calls.push('toolCallDone');
  }
  override onEnd() {
    this.calls.push('end');
  }
}

/** The callbacks of a tool loop: the question, then its function outputs; with the final text. */
async function toolLoop(store: boolean, send: (body: ResponseCreateParams, handler: Recorder) => AssistantStream) {
  const handler = new Recorder();
  const first = send({ model: 'scripted', input: "What's the weather in Paris?", tools: [weather], store }, handler);
  const paused = await first.finalRun();
  const response = await first.finalResponse();
  const call = response.output.find((item) => item.type === 'function_call') as { call_id: string };
  const second = send(
    { model: 'scripted', previous_response_id: response.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }], tools: [weather], store },
    handler,
  );
  const run = await second.finalRun();
  assert.is(run.id, paused.id);
  return { calls: handler.calls, text: (await second.finalResponse()).output_text, status: run.status };
}

test('a tool loop over the socket drives the same callbacks as over HTTP, and keeps the run id', async ({ client }) => {
  const socket = client.responses.connect();
  // store: false on the socket (the connection keeps the chain), stored over HTTP (the server must).
  const overSocket = await toolLoop(false, (body, handler) => socket.stream(body, { handler }));
  const overHttp = await toolLoop(true, (body, handler) => client.responses.stream(body, { handler }));
  assert.equal(overSocket, overHttp);
  assert.equal([overSocket.status, overSocket.text], ['completed', 'get_weather returned: sunny']);
  socket.close();
});

test('a warm-up (generate: false): a completed response with no output, a run with no step, and the next turn chains from it', async ({ client }) => {
  const socket = client.responses.connect();
  const handler = new Recorder();
  const warm = socket.stream({ model: 'scripted', input: 'My name is Ada.', store: false, generate: false }, { handler });
  const run = await warm.finalRun();
  const response = await warm.finalResponse();
  assert.equal([run.status, response.status, response.output], ['completed', 'completed', []]);
  assert.equal(handler.calls, ['end'], 'no step, no message: only the end');
  const answered = await socket.create({ model: 'scripted', previous_response_id: response.id, input: 'Hello again', store: false });
  assert.is(answered.status, 'completed');
  assert.match(answered.output_text ?? '', /Hello again/);
  socket.close();
});

test('lanes: two stream_ids on one socket run side by side, each in order', async ({ client }) => {
  const socket = client.responses.connect();
  const [a1, b1, a2] = await Promise.all([
    socket.create({ model: 'scripted', input: 'First of a', stream_id: 'a' }),
    socket.create({ model: 'scripted', input: 'First of b', stream_id: 'b' }),
    socket.create({ model: 'scripted', input: 'Second of a', stream_id: 'a' }),
  ]);
  assert.match(a1.output_text ?? '', /First of a/);
  assert.match(b1.output_text ?? '', /First of b/);
  assert.match(a2.output_text ?? '', /Second of a/);
  socket.close();
});

test('a socket dropped mid-response with store: false: the stream cannot resume; the next turn gets previous_response_not_found and goes on with the whole chain', async ({ client, proxy }) => {
  const socket = client.responses.connect();
  const first = await socket.create({ model: 'scripted', input: 'Remember the word apricot', store: false });
  const second = socket.stream({ model: 'scripted', previous_response_id: first.id, input: 'Tell me a long story', store: false});
  second.once('response.output_text.delta', () => proxy.cut());
  const failure = await second.done().then(
    () => undefined,
    (error: Error) => error,
  );
  assert.ok(failure, 'the cut stream failed');
  // The server had only the connection's copy: over HTTP the cut response is not there.
  const cutId = second.currentResponse()!.id;
  assert.is(await client.responses.retrieve(cutId).then(() => 200, (error: { status: number }) => error.status), 404);

  // The turn again: a new connection, where `first` is unknown — the socket sends the chain's context instead.
  const notices: ResponseRestartNotice[] = [];
  const again = socket.stream({ model: 'scripted', previous_response_id: first.id, input: 'Tell me a long story', store: false });
  again.on('event', (event) => {
    if (event.event === RESPONSE_RESTARTED_EVENT) notices.push((event as UnknownStreamEvent).data as ResponseRestartNotice);
  });
  const answered = await again.finalResponse();
  assert.is(answered.status, 'completed');
  assert.is(answered.previous_response_id, null);
  assert.equal(notices, [{ type: RESPONSE_RESTARTED_EVENT, previous_response_id: first.id, reason: 'previous_response_not_found', context_items: 2, compacted: false }]);
  const inputItems = (await client.responses.inputItems.list(answered.id).catch(() => undefined))?.data;
  assert.is(inputItems, undefined, 'store: false: the restarted response is not kept either');
  // Chained on from the restarted response, the connection has it again.
  const next = await socket.create({ model: 'scripted', previous_response_id: answered.id, input: 'Thanks', store: false });
  assert.is(next.previous_response_id, answered.id);
  socket.close();
});

test('a dropped tool loop restarts without calling the function again: the calls and their outputs travel with the context', async ({ client, proxy }) => {
  const socket = client.responses.connect();
  const first = await socket.create({ model: 'scripted', input: "What's the weather in Paris?", tools: [weather], store: false });
  const call = first.output.find((item) => item.type === 'function_call') as { call_id: string };
  proxy.cut();
  const restarted = socket.stream({ model: 'scripted', previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'rainy' }], tools: [weather], store: false });
  const seen: string[] = [];
  restarted.on('event', (event) => seen.push(event.event));
  const response = await restarted.finalResponse();
  assert.is(seen[0], RESPONSE_RESTARTED_EVENT);
  assert.equal(
    response.output.map((item) => item.type),
    ['message'],
  );
  assert.is(response.output_text, 'get_weather returned: rainy');
  socket.close();
});

test("recover: 'compact' restarts from the compacted chain; 'none' lets previous_response_not_found end the stream", async ({ client, proxy }) => {
  const compacting = client.responses.connect({ recover: 'compact' });
  const first = await compacting.create({ model: 'scripted', input: 'Hello', store: false });
  proxy.cut();
  const notices: ResponseRestartNotice[] = [];
  const again = compacting.stream({ model: 'scripted', previous_response_id: first.id, input: 'Again', store: false });
  again.on('event', (event) => {
    if (event.event === RESPONSE_RESTARTED_EVENT) notices.push((event as UnknownStreamEvent).data as ResponseRestartNotice);
  });
  assert.is((await again.finalResponse()).status, 'completed');
  assert.equal(
    notices.map((notice) => [notice.compacted, notice.context_items]),
    [[true, 2]],
  );
  // A tool loop restarted from its compacted chain: the call waiting for its output is kept, and answered.
  const asked = await compacting.create({ model: 'scripted', input: "What's the weather in Paris?", tools: [weather], store: false });
  const call = asked.output.find((item) => item.type === 'function_call') as { call_id: string };
  proxy.cut();
  const answered = await compacting.create({
    model: 'scripted',
    previous_response_id: asked.id,
    input: [{ type: 'function_call_output', call_id: call.call_id, output: 'foggy' }],
    tools: [weather],
    store: false,
  });
  assert.is(answered.output_text, 'get_weather returned: foggy');
  compacting.close();

  const strict = client.responses.connect({ recover: 'none' });
  const kept = await strict.create({ model: 'scripted', input: 'Hello', store: false });
  proxy.cut();
  const refused = strict.stream({ model: 'scripted', previous_response_id: kept.id, input: 'Again', store: false });
  const error = await refused.done().then(
    () => undefined,
    (thrown: { kind?: string; apiError?: { code?: string } }) => thrown,
  );
  assert.equal([error?.kind, error?.apiError?.code], ['api-error', 'previous_response_not_found']);
  strict.close();
});

test('a stored response cut mid-way resumes over HTTP and ends once', async ({ client, proxy }) => {
  const socket = client.responses.connect();
  const stream = socket.stream({ model: 'scripted', input: 'A stored story'});
  const seen: string[] = [];
  let deltas = 0;
  stream.on('event', (event) => seen.push(event.event));
  stream.on('response.output_text.delta', () => {
    deltas += 1;
    if (deltas === 2) proxy.cut();
  });
  const response = await stream.finalResponse();
  assert.is(response.status, 'completed');
  assert.ok(seen.includes(RESPONSE_RESUMED_EVENT));
  assert.is(seen.filter((name) => name === 'thread.run.completed').length, 1);
  socket.close();
});

test('a connection past its age: the request goes again once on a new connection', async () => {
  const aged = await createServer({ webSocketMaxAgeMs: 0, pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  const proxy = await startTcpProxy(aged.port);
  try {
    const socket = new AssistantsClient({ baseURL: `http://127.0.0.1:${proxy.port}/v1`, apiKey: 'sk-socket' }).responses.connect();
    const error = await socket
      .stream({ model: 'scripted', input: 'Too late' })
      .done()
      .then(
        () => undefined,
        (thrown: { kind?: string; apiError?: { code?: string } }) => thrown,
      );
    // Every connection of this server is too old: refused on the first, and on the one it opened for the retry.
    assert.equal([error?.kind, error?.apiError?.code], ['api-error', 'websocket_connection_limit_reached']);
    assert.is(proxy.connections, 2);
    socket.close();
  } finally {
    await proxy.close();
    await aged.close();
  }
});

test('createAssistantRun over the socket: the same run and messages as over HTTP', async ({ client }) => {
  const socket = client.responses.connect();
  const assistants = { weather: { model: 'scripted', tools: [weather] } };
  const tools = { get_weather: async ({ city }: { city: string }) => ({ city, forecast: 'sunny' }) };
  const ask = async (responses: Parameters<typeof createAssistantRun>[0]['responses']) => {
    const logic = createAssistantRun({ client, tools, responses });
    const { run, messages } = await toPromise(
      createActor(logic, { input: { threadId: `thread-${Math.random()}`, assistantId: 'weather', additionalMessages: [{ role: 'user', content: "What's the weather in Paris?" }] } }).start(),
    );
    return { status: run.status, text: messages.map((message) => message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('')) };
  };
  const overSocket = await ask({ assistants, socket, history: 'previous_response_id' });
  const overHttp = await ask({ assistants, history: 'previous_response_id' });
  assert.equal(overSocket, overHttp);
  assert.is(overSocket.status, 'completed');
  socket.close();
});

test('the official SDK’s ResponsesWS and ours read the same events from the same server', async ({ server, client }) => {
  const openai = new OpenAI({ baseURL: server.url, apiKey: 'sk-socket' });
  const official = new ResponsesWS(openai);
  official.on('error', () => {});
  const officialTypes: string[] = [];
  const done = new Promise<void>((resolve) =>
    official.on('event', (event) => {
      officialTypes.push(event.type);
      if (event.type === 'response.completed') resolve();
    }),
  );
  official.send({ type: 'response.create', model: 'scripted', input: 'Both of us', stream_options: { include_obfuscation: false } });
  await done;
  official.close();
  const socket = client.responses.connect();
  const ours: string[] = [];
  const stream = socket.stream({ model: 'scripted', input: 'Both of us', stream_options: { include_obfuscation: false } });
  stream.on('event', () => {});
  for (const type of new Set(officialTypes)) stream.on(type as 'response.completed', () => ours.push(type));
  await stream.done();
  assert.equal(ours, officialTypes);
  socket.close();
});

test.run();
