import type { ServerResponse } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APIConnectionError, AssistantEventHandler, AssistantsClient, AssistantStreamError, type Message } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
import { apiError, drain, handlesLeftAfterClose, startLoopback, within, type Loopback, type Responder, type SeenRequest } from './helpers/loopback.ts';

// The three stream helpers against a loopback server that answers with server-sent events.

const baseline = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind.startsWith('TCP'));
const open: Loopback[] = [];

const textRun: ScriptedEvent[] = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  { event: 'thread.run.step.created', data: makeRunStep() },
  { event: 'thread.message.created', data: makeMessage() },
  { event: 'thread.message.delta', data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: 'Hi', annotations: [] } }] } } },
  { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'Hi', annotations: [] } }] }) },
  { event: 'thread.run.step.completed', data: makeRunStep({ status: 'completed' }) },
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
];

function sse(response: ServerResponse, text: string): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end(text);
}

async function serve(respond: Responder, maxRetries?: number) {
  const server = await startLoopback(respond);
  open.push(server);
  return { server, client: new AssistantsClient({ apiKey: 'sk-test', baseURL: server.url, ...(maxRetries === undefined ? {} : { maxRetries }) }) };
}

async function failure(promise: Promise<unknown>): Promise<AssistantStreamError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, AssistantStreamError);
    return error as AssistantStreamError;
  }
  throw new Error('expected the stream to fail');
}

const header = (request: SeenRequest, name: string) => request.headers[name.toLowerCase()];

test.after.each(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

test('runs.stream POSTs the params plus stream: true (include in the query) and streams the run', async () => {
  const { server, client } = await serve((_, response) => sse(response, toSSE(textRun)));
  const texts: string[] = [];
  const stream = client.beta.threads.runs.stream('thread_1', {
    assistant_id: 'asst_1',
    include: ['step_details.tool_calls[*].file_search.results[*].content'],
  });
  const log: string[] = [];
  stream.on('connect', () => log.push('connect')).on('textDelta', (delta) => texts.push(delta.value ?? '')).on('end', () => log.push('end'));
  const run = await stream.finalRun();
  assert.is(run.status, 'completed');
  assert.equal(texts, ['Hi']);
  assert.equal(log, ['connect', 'end']);
  const [request] = server.requests;
  assert.is(request!.method, 'POST');
  assert.is(decodeURIComponent(request!.url), '/v1/threads/thread_1/runs?include[]=step_details.tool_calls[*].file_search.results[*].content');
  assert.equal(JSON.parse(request!.body), { assistant_id: 'asst_1', stream: true });
  assert.is(header(request!, 'OpenAI-Beta'), 'assistants=v2');
  assert.is(header(request!, 'X-Stainless-Helper-Method'), 'stream');
});

test('the handler option receives the callbacks', async () => {
  const { client } = await serve((_, response) => sse(response, toSSE(textRun)));
  const calls: string[] = [];
  class Recorder extends AssistantEventHandler {
    override onMessageDone(message: Message) {
      calls.push(`messageDone:${message.id}`);
    }
    override onEnd() {
      calls.push('end');
    }
  }
  await client.beta.threads.createAndRunStream({ assistant_id: 'asst_1' }, { handler: new Recorder() }).done();
  assert.equal(calls, ['messageDone:msg_1', 'end']);
});

test('the inspect option observes the stream’s actors', async () => {
  const { client } = await serve((_, response) => sse(response, toSSE(textRun)));
  const actorIds = new Set<string>();
  await client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }, { inspect: (event) => {
    if (event.type === '@xstate.actor') actorIds.add((event.actorRef as { id?: string }).id ?? '');
  } }).done();
  for (const id of ['run:run_1', 'runStep:step_1', 'message:msg_1']) assert.ok(actorIds.has(id), `saw ${id}`);
});

test('createAndRunStream and submitToolOutputsStream hit their endpoints; thread_id is not in the body', async () => {
  const { server, client } = await serve((_, response) => sse(response, toSSE(textRun)));
  await client.beta.threads.createAndRunStream({ assistant_id: 'asst_1', thread: { messages: [{ role: 'user', content: 'hi' }] } }).done();
  await client.beta.threads.runs.submitToolOutputsStream('run_1', { thread_id: 'thread_1', tool_outputs: [{ tool_call_id: 'call_1', output: '42' }] }).done();
  assert.equal(
    server.requests.map((request) => `${request.method} ${request.url} ${request.body}`),
    [
      'POST /v1/threads/runs {"assistant_id":"asst_1","thread":{"messages":[{"role":"user","content":"hi"}]},"stream":true}',
      'POST /v1/threads/thread_1/runs/run_1/submit_tool_outputs {"tool_outputs":[{"tool_call_id":"call_1","output":"42"}],"stream":true}',
    ],
  );
});

test('a 400 fails the stream with kind api-error, its status and the error object; not retried', async () => {
  const { server, client } = await serve((_, response) => apiError(response, 400, 'No assistant found', { param: 'assistant_id' }));
  const error = await failure(client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_x' }).done());
  assert.is(error.kind, 'api-error');
  assert.is(error.status, 400);
  assert.is(error.apiError?.message, 'No assistant found');
  assert.is(server.requests.length, 1);
});

test('500s are retried before the stream sees a byte; the last one fails it with api-error 500', async () => {
  const { server, client } = await serve((_, response) => apiError(response, 500, 'oops', {}, { 'retry-after-ms': '1' }), 2);
  let connects = 0;
  const stream = client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }).on('connect', () => connects++);
  const error = await failure(stream.done());
  assert.is(error.status, 500);
  assert.is(server.requests.length, 3);
  assert.is(connects, 1);
});

test('a 429 then events: the stream only ever sees the successful response', async () => {
  const { server, client } = await serve((_, response, n) => (n === 1 ? apiError(response, 429, 'slow down', {}, { 'retry-after-ms': '5' }) : sse(response, toSSE(textRun))));
  const events: string[] = [];
  const stream = client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }).on('event', (event) => events.push(event.event));
  assert.is((await stream.finalRun()).status, 'completed');
  assert.is(server.requests.length, 2);
  assert.is(events.length, textRun.length);
});

test('a request that never gets an answer fails the stream with kind source, the APIConnectionError as cause', async () => {
  const { server, client } = await serve((_, response) => void response.socket?.destroy(), 1);
  const error = await failure(client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }).done());
  assert.is(error.kind, 'source');
  assert.instance(error.cause, APIConnectionError);
  assert.is(server.requests.length, 2);
});

test('stream.abort() while the response is pending aborts the fetch', async () => {
  let closed!: () => void;
  const requestClosed = new Promise<void>((resolve) => (closed = resolve));
  const { client } = await serve((_, response) => {
    response.on('close', () => closed());
  });
  const stream = client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' });
  const aborts: string[] = [];
  stream.on('abort', (error) => aborts.push(error.kind));
  for (let spins = 0; open[0]!.requests.length === 0 && spins < 10_000; spins++) await drain();
  stream.abort();
  await within(requestClosed, 2000, 'the request closing');
  assert.is((await failure(stream.done())).kind, 'aborted');
  assert.equal(aborts, ['aborted']);
});

test('stream.abort() mid-body closes the connection', async () => {
  let closed!: () => void;
  const requestClosed = new Promise<void>((resolve) => (closed = resolve));
  const { client } = await serve((_, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(toSSE(textRun.slice(0, 3), { done: false }));
    response.on('close', () => closed());
  });
  const stream = client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' });
  await within(new Promise<void>((resolve) => stream.on('runStepCreated', () => resolve()).on('end', () => resolve())), 2000, 'runStepCreated');
  assert.is(stream.status, 'streaming');
  stream.abort();
  await within(requestClosed, 2000, 'the request closing');
  assert.is(stream.status, 'aborted');
});

test('the caller’s signal aborts the stream and its request', async () => {
  const controller = new AbortController();
  const { client } = await serve(() => {
    setTimeout(() => controller.abort('bye'), 5);
  });
  const error = await failure(client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }, { signal: controller.signal }).done());
  assert.is(error.kind, 'aborted');
  assert.is(error.cause, 'bye');
});

test('nothing is left running', async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
  assert.equal(await handlesLeftAfterClose(baseline), []);
});

test.run();
