import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  AssistantsClient,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  REAL_CLOCK,
  type RetryClock,
  type Thread,
} from '../src/index.ts';
import { fakeClock } from './helpers/fakeClock.ts';
import { type Loopback, type Responder, apiError, handlesLeftAfterClose, json, rejection, startLoopback } from './helpers/loopback.ts';

// A loopback server injects one fault per test; each asserts the exact number of requests the
// client sent (1 + retries) and the class of what it threw.

const baseline = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind.startsWith('TCP'));
const thread: Thread = { id: 'thread_1', object: 'thread', created_at: 1, tool_resources: null, metadata: {} };
const open: Loopback[] = [];

// Waits between attempts go through a fake clock: the tests assert the waits the client asked
// for, and no test sits them out. (The abort test uses real timers, to show a real wait ends.)
async function serve(respond: Responder, options: { maxRetries?: number; timeoutMs?: number; clock?: RetryClock } = {}) {
  const server = await startLoopback(respond);
  open.push(server);
  const clock = fakeClock();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: server.url, clock, ...options });
  return { server, client, clock };
}

test.after.each(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

test('429 with Retry-After: 1 is retried after a second, then succeeds', async () => {
  const { server, client, clock } = await serve((_, response, n) => {
    if (n === 1) apiError(response, 429, 'Rate limit reached', { code: 'rate_limit_exceeded' }, { 'retry-after': '1' });
    else json(response, 200, thread);
  });
  const result = await client.beta.threads.retrieve('thread_1');
  assert.equal(result, thread);
  assert.is(server.requests.length, 2);
  assert.equal(clock.waits, [1000], 'waited the second the server asked for');
});

test('Retry-After as an HTTP date is a wait until then; past a minute the client backs off instead', async () => {
  const datedClock = fakeClock({ now: Date.parse('2026-01-01T00:00:00Z') });
  const dated = await serve((_, response, n) => (n === 1 ? apiError(response, 503, 'busy', {}, { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }) : json(response, 200, thread)), {
    clock: datedClock,
  });
  assert.equal(await dated.client.beta.threads.retrieve('thread_1'), thread);
  assert.equal(datedClock.waits, [3000], 'until the date the server named');
  const tooLong = await serve((_, response, n) => (n === 1 ? apiError(response, 429, 'later', {}, { 'retry-after': '120' }) : json(response, 200, thread)));
  assert.equal(await tooLong.client.beta.threads.retrieve('thread_1'), thread);
  assert.equal([dated.server.requests.length, tooLong.server.requests.length], [2, 2]);
  assert.equal(tooLong.clock.waits, [500]);
});

test('retry-after-ms is honoured, and a 429 that persists past maxRetries is a RateLimitError', async () => {
  const { server, client, clock } = await serve((_, response) =>
    apiError(response, 429, 'You exceeded your current quota', { code: 'insufficient_quota', type: 'insufficient_quota' }, { 'retry-after-ms': '20' }),
  );
  const error = await rejection(client.beta.threads.retrieve('thread_1'));
  assert.instance(error, RateLimitError);
  const rateLimit = error as RateLimitError;
  assert.is(rateLimit.kind, 'rate-limit');
  assert.is(rateLimit.status, 429);
  assert.is(rateLimit.code, 'insufficient_quota');
  assert.is(rateLimit.type, 'insufficient_quota');
  assert.is(rateLimit.requestID, 'req_429');
  assert.equal(rateLimit.error, { message: 'You exceeded your current quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' });
  assert.is(server.requests.length, 3, 'the first attempt and 2 retries (the default)');
  assert.equal(clock.waits, [20, 20]);
});

test('500s are retried maxRetries times with backoff, then an InternalServerError from the envelope', async () => {
  const { server, client, clock } = await serve((_, response) => apiError(response, 500, 'The server had an error'), { maxRetries: 1 });
  const error = await rejection(client.beta.threads.create());
  assert.instance(error, InternalServerError);
  assert.is((error as InternalServerError).status, 500);
  assert.is((error as InternalServerError).message, '500 The server had an error');
  assert.is(server.requests.length, 2);
  assert.equal(clock.waits, [500], 'backed off 500 ms (no jitter with this clock)');
  const jitteryClock = fakeClock({ random: 1 });
  const jittered = await serve((_, response) => apiError(response, 500, 'again'), { maxRetries: 3, clock: jitteryClock });
  await rejection(jittered.client.beta.threads.create());
  assert.is(jittered.server.requests.length, 4);
  assert.equal(jitteryClock.waits, [375, 750, 1500], 'doubling, less at most a quarter at random');
});

test('a 503 then a 200 succeeds with exactly one retry', async () => {
  const { server, client } = await serve((_, response, n) => (n === 1 ? apiError(response, 503, 'busy', {}, { 'retry-after-ms': '1' }) : json(response, 200, thread)));
  assert.equal(await client.beta.threads.retrieve('thread_1'), thread);
  assert.is(server.requests.length, 2);
});

test('409 is retried; 400 and 404 are not', async () => {
  const conflict = await serve((_, response) => apiError(response, 409, 'thread busy', {}, { 'retry-after-ms': '1' }));
  assert.instance(await rejection(conflict.client.beta.threads.retrieve('thread_1')), ConflictError);
  assert.is(conflict.server.requests.length, 3);

  const bad = await serve((_, response) => apiError(response, 400, "Missing required parameter: 'assistant_id'.", { param: 'assistant_id', code: 'missing_required_parameter' }));
  const badRequest = await rejection(bad.client.beta.threads.runs.create('thread_1', { assistant_id: '' }));
  assert.instance(badRequest, BadRequestError);
  assert.is((badRequest as BadRequestError).param, 'assistant_id');
  assert.is(bad.server.requests.length, 1);

  const missing = await serve((_, response) => apiError(response, 404, 'No thread found'));
  assert.instance(await rejection(missing.client.beta.threads.retrieve('thread_x')), NotFoundError);
  assert.is(missing.server.requests.length, 1);
});

test('a connection reset mid-body is a connection error: retried, then APIConnectionError', async () => {
  const { server, client, clock } = await serve((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
    response.write('{"id":"thread_1","obj');
    setImmediate(() => response.socket?.destroy());
  });
  const error = await rejection(client.beta.threads.retrieve('thread_1'));
  assert.instance(error, APIConnectionError);
  assert.not.instance(error, APIConnectionTimeoutError);
  assert.is((error as APIConnectionError).kind, 'connection');
  assert.instance((error as APIConnectionError).cause, Error, 'cause is what fetch threw');
  assert.is(server.requests.length, 3);
  assert.equal(clock.waits, [500, 1000], 'exponential backoff between the attempts');
});

test('a reset mid-body followed by a good answer succeeds', async () => {
  const { server, client } = await serve((_, response, n) => {
    if (n > 1) return json(response, 200, thread);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
    response.write('{"id":');
    setImmediate(() => response.socket?.destroy());
  });
  assert.equal(await client.beta.threads.retrieve('thread_1'), thread);
  assert.is(server.requests.length, 2);
});

test('a response slower than timeoutMs times out, is retried, then APIConnectionTimeoutError', async () => {
  const { server, client } = await serve(() => {
    // Never answers: the client's timeout has to end each attempt.
  }, { timeoutMs: 100, maxRetries: 1 });
  const started = performance.now();
  const error = await rejection(client.beta.threads.retrieve('thread_1'));
  assert.instance(error, APIConnectionTimeoutError);
  assert.is((error as APIConnectionTimeoutError).kind, 'connection-timeout');
  assert.is(server.requests.length, 2);
  assert.ok(performance.now() - started < 2000);
});

test('a body that stalls past timeoutMs also times out (the timeout covers reading a JSON body)', async () => {
  const { server, client } = await serve((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    response.write('{"id":"thread_1"');
  }, { timeoutMs: 100, maxRetries: 0 });
  assert.instance(await rejection(client.beta.threads.retrieve('thread_1')), APIConnectionTimeoutError);
  assert.is(server.requests.length, 1);
});

test('a per-request timeout and maxRetries override the client’s', async () => {
  const { server, client, clock } = await serve(() => {}, { timeoutMs: 60_000, maxRetries: 5 });
  assert.instance(await rejection(client.beta.threads.retrieve('thread_1', { timeoutMs: 50, maxRetries: 0 })), APIConnectionTimeoutError);
  // No retry was waited for: maxRetries 0 held. (On a loaded machine the 50 ms can end before
  // the server has read the request, so the server saw at most the one.)
  assert.equal(clock.waits, []);
  assert.ok(server.requests.length <= 1, `${server.requests.length} requests`);
});

test('aborting during a retry wait rejects at once with APIUserAbortError carrying the reason', async () => {
  const controller = new AbortController();
  const { server, client } = await serve((_, response) => {
    apiError(response, 429, 'slow down', {}, { 'retry-after': '30' });
    setTimeout(() => controller.abort('user navigated away'), 20);
  }, { clock: REAL_CLOCK });
  const started = performance.now();
  const error = await rejection(client.beta.threads.retrieve('thread_1', { signal: controller.signal }));
  assert.instance(error, APIUserAbortError);
  assert.is((error as APIUserAbortError).cause, 'user navigated away');
  assert.is(server.requests.length, 1);
  assert.ok(performance.now() - started < 1000, 'did not sit out the 30 s');
});

test('aborting while the response is pending aborts the request', async () => {
  const controller = new AbortController();
  const { server, client } = await serve(() => {
    setTimeout(() => controller.abort(), 10);
  });
  assert.instance(await rejection(client.beta.threads.retrieve('thread_1', { signal: controller.signal })), APIUserAbortError);
  assert.is(server.requests.length, 1);
});

test('an already-aborted signal sends nothing', async () => {
  const { server, client } = await serve((_, response) => json(response, 200, thread));
  assert.instance(await rejection(client.beta.threads.retrieve('thread_1', { signal: AbortSignal.abort() })), APIUserAbortError);
  assert.is(server.requests.length, 0);
});

test('a refused connection is retried, then APIConnectionError', async () => {
  const { server } = await serve(() => {});
  const url = server.url;
  await server.close();
  open.length = 0;
  let attempts = 0;
  const countingFetch: typeof fetch = (input, init) => {
    attempts++;
    return fetch(input, init);
  };
  const clock = fakeClock();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: url, fetch: countingFetch, maxRetries: 1, clock });
  const error = await rejection(client.beta.threads.retrieve('thread_1'));
  assert.instance(error, APIConnectionError);
  assert.is(attempts, 2);
  assert.equal(clock.waits, [500]);
});

test('nothing is left running: no timers, no sockets', async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
  assert.equal(await handlesLeftAfterClose(baseline), []);
});

test.run();
