// A client stream against servers that misbehave on purpose (all on loopback): one that never
// answers, one that sends only heartbeats, one that cuts the connection inside an event or
// between two. Each ends with its own typed error, and nothing waits forever.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APIConnectionError, AssistantsClient, type AssistantStreamError } from '../src/index.ts';
import { makeRun, toSSE } from '../src/testing/index.ts';
import { startLoopback, within } from './helpers/loopback.ts';

const START = toSSE(
  [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  ],
  { done: false },
);
const sseHeaders = { 'content-type': 'text/event-stream' };
const clientOf = (baseURL: string) => new AssistantsClient({ baseURL, apiKey: 'test', maxRetries: 0 });
const failure = (promise: Promise<unknown>): Promise<AssistantStreamError> =>
  promise.then(
    () => {
      throw new Error('the stream should have failed');
    },
    (error: AssistantStreamError) => error,
  );

test('a server that never answers: the idle timer runs from the request, not from the headers', async () => {
  const server = await startLoopback(() => new Promise(() => {}));
  try {
    const stream = clientOf(server.url).beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }, { idleTimeoutMs: 150 });
    const error = await within(failure(stream.done()), 5000, 'the idle timeout');
    assert.is(error.kind, 'idle-timeout');
  } finally {
    await server.close();
  }
});

test('a server that sends only heartbeats: comment lines are not progress, unless asked', async () => {
  const server = await startLoopback((_, response) => {
    response.writeHead(200, sseHeaders);
    response.write(START);
    const beat = setInterval(() => response.write(': ping\n\n'), 30);
    response.on('close', () => clearInterval(beat));
  });
  try {
    const stream = clientOf(server.url).beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }, { idleTimeoutMs: 200 });
    const error = await within(failure(stream.done()), 5000, 'the idle timeout');
    assert.is(error.kind, 'idle-timeout');
    assert.is(stream.snapshot().eventCount, 2, 'what arrived stays readable');

    const patient = clientOf(server.url).beta.threads.runs.stream(
      'thread_1',
      { assistant_id: 'asst_1' },
      { idleTimeoutMs: 200, heartbeatsCountAsProgress: true, deadlineMs: 700 },
    );
    const ended = await within(failure(patient.done()), 5000, 'the deadline');
    assert.is(ended.kind, 'deadline-exceeded', 'heartbeats kept it alive until the overall deadline');
  } finally {
    await server.close();
  }
});

test('a cut inside an event is truncated, a cut between events is source; both carry an APIConnectionError', async () => {
  for (const [cut, kind] of [
    ['event: thread.run.completed\ndata: {"id":"run_1","obj', 'truncated'],
    ['', 'source'],
  ] as const) {
    const server = await startLoopback((_, response) => {
      response.writeHead(200, sseHeaders);
      response.write(START + cut, () => setTimeout(() => response.socket?.destroy(), 20));
    });
    try {
      const stream = clientOf(server.url).beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' });
      const error = await within(failure(stream.done()), 5000, 'the cut');
      assert.is(error.kind, kind, JSON.stringify(cut));
      assert.instance(error.cause, APIConnectionError);
      assert.is(stream.snapshot().eventCount, 2);
    } finally {
      await server.close();
    }
  }
});

test('await using: leaving the scope aborts the stream and its request', async () => {
  let closed: () => void = () => {};
  const requestClosed = new Promise<void>((resolve) => (closed = resolve));
  const server = await startLoopback((_, response) => {
    response.writeHead(200, sseHeaders);
    response.write(START);
    response.on('close', () => closed());
  });
  try {
    const client = clientOf(server.url);
    let inside: { aborted: boolean } | undefined;
    {
      await using stream = client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' });
      await stream.emitted('event');
      inside = stream;
    }
    assert.ok(inside?.aborted, 'the stream was aborted when its scope ended');
    await within(requestClosed, 5000, 'the request to close');
  } finally {
    await server.close();
  }
});

test.run();
