import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APIError, AssistantsClient, BadRequestError, InternalServerError, InvalidResponseError, retryDelayMs } from '../src/index.ts';
import { fakeFetch } from './helpers/fakeFetch.ts';

// What goes on the wire for a call, and how answers become values or typed errors.

const base = 'http://127.0.0.1:9/v1';

test('headers: auth, JSON, the beta header on assistants/threads/vector_stores only, defaults and caller layers', async () => {
  const { fetch, calls } = fakeFetch(() => ({ id: 'x', object: 'any' }));
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: `${base}/`, fetch, defaultHeaders: { 'X-Team': 'a', 'OpenAI-Beta': null } });
  await client.beta.threads.create({ metadata: { a: 'b' } }, { headers: new Headers({ 'X-Team': 'b' }) });
  await client.files.retrieve('file-1');
  await client.vectorStores.retrieve('vs_1', { headers: [['OpenAI-Beta', 'assistants=v2']] });
  const [create, file, store] = calls;
  assert.is(create!.method, 'POST');
  assert.is(create!.url, `${base}/threads`);
  assert.is(create!.headers.get('authorization'), 'Bearer sk-test');
  assert.is(create!.headers.get('content-type'), 'application/json');
  assert.is(create!.headers.get('x-team'), 'b', 'the caller’s headers override the defaults');
  assert.is(create!.headers.get('openai-beta'), null, 'a null default removes our header');
  assert.is(create!.body, '{"metadata":{"a":"b"}}');
  assert.is(file!.headers.get('openai-beta'), null);
  assert.is(file!.headers.get('content-type'), null, 'no body, no content type');
  assert.is(store!.headers.get('openai-beta'), 'assistants=v2');
});

test('the beta header is on by default for the Assistants paths', async () => {
  const { fetch, calls } = fakeFetch(() => ({ id: 'x' }));
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  await client.beta.assistants.retrieve('asst_1');
  await client.beta.threads.messages.create('thread_1', { role: 'user', content: 'hi' });
  await client.vectorStores.fileBatches.cancel('vsfb_1', { vector_store_id: 'vs_1' });
  await client.files.delete('file-1');
  assert.equal(calls.map((call) => `${call.method} ${call.url.slice(base.length)} ${call.headers.get('openai-beta')}`), [
    'GET /assistants/asst_1 assistants=v2',
    'POST /threads/thread_1/messages assistants=v2',
    'POST /vector_stores/vs_1/file_batches/vsfb_1/cancel assistants=v2',
    'DELETE /files/file-1 null',
  ]);
});

test('query parameters: undefined left out, arrays as key[]=, the caller’s query merged in', async () => {
  const { fetch, calls } = fakeFetch(() => ({ object: 'list', data: [], has_more: false }));
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  await client.beta.threads.runs.steps.list('run_1', { thread_id: 'thread_1', limit: 5, order: 'asc', include: ['step_details.tool_calls[*].file_search.results[*].content'] }, { query: { extra: true } });
  assert.is(
    decodeURIComponent(calls[0]!.url.slice(base.length)),
    '/threads/thread_1/runs/run_1/steps?limit=5&order=asc&include[]=step_details.tool_calls[*].file_search.results[*].content&extra=true',
  );
  await client.beta.threads.runs.steps.retrieve('step_1', { thread_id: 'thread_1', run_id: 'run_1' });
  assert.is(calls[1]!.url, `${base}/threads/thread_1/runs/run_1/steps/step_1`);
});

test('an error status becomes its class, built from the envelope, with the request id', async () => {
  const { fetch } = fakeFetch(() =>
    Response.json({ error: { message: "Invalid 'limit'", type: 'invalid_request_error', param: 'limit', code: 'integer_below_min_value' } }, { status: 400, headers: { 'x-request-id': 'req_abc' } }),
  );
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  try {
    await client.beta.assistants.list({ limit: 0 });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, BadRequestError);
    const bad = error as BadRequestError;
    assert.equal([bad.kind, bad.status, bad.param, bad.code, bad.type, bad.requestID, bad.message], [
      'bad-request', 400, 'limit', 'integer_below_min_value', 'invalid_request_error', 'req_abc', "400 Invalid 'limit'",
    ]);
    assert.is(bad.headers?.get('x-request-id'), 'req_abc');
    const kind: 'bad-request' = bad.kind; // each class narrows its kind
    assert.is(kind, 'bad-request');
  }
});

test('an error without an envelope keeps the status and the body text; an unknown 4xx is a plain APIError', async () => {
  const { fetch, calls } = fakeFetch((_, n) => (n <= 1 ? new Response('<html>Bad gateway</html>', { status: 502 }) : new Response('', { status: 418 })));
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch, maxRetries: 0 });
  const gateway = await client.beta.threads.retrieve('thread_1').catch((error: unknown) => error);
  assert.instance(gateway, InternalServerError);
  assert.is((gateway as APIError).message, '502 <html>Bad gateway</html>');
  assert.is((gateway as APIError).error, undefined);
  const teapot = await client.beta.threads.retrieve('thread_1').catch((error: unknown) => error);
  assert.is((teapot as APIError).constructor, APIError);
  assert.is((teapot as APIError).message, '418 status code (no body)');
  assert.is(calls.length, 2);
});

test('a 2xx body that is not JSON, or not an object, is an InvalidResponseError and is not retried', async () => {
  const { fetch, calls } = fakeFetch((_, n) => (n === 1 ? new Response('not json', { status: 200 }) : Response.json([1, 2])));
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  const notJSON = await client.beta.threads.retrieve('thread_1').catch((error: unknown) => error);
  assert.instance(notJSON, InvalidResponseError);
  assert.is((notJSON as InvalidResponseError).kind, 'invalid-response');
  assert.instance(await client.beta.threads.retrieve('thread_1').catch((error: unknown) => error), InvalidResponseError);
  assert.is(calls.length, 2);
});

test('retryDelayMs: retry-after-ms, Retry-After seconds or date, capped at a minute, else jittered backoff', () => {
  const now = () => Date.parse('2026-01-01T00:00:00Z');
  const headers = (init: Record<string, string>) => new Headers(init);
  assert.is(retryDelayMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), 0), 250);
  assert.is(retryDelayMs(headers({ 'retry-after': '2' }), 0), 2000);
  assert.is(retryDelayMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), 0, Math.random, now), 3000);
  const noJitter = () => 0;
  const fullJitter = () => 1;
  assert.is(retryDelayMs(headers({ 'retry-after': '120' }), 0, noJitter), 500, 'over a minute: back off instead');
  assert.is(retryDelayMs(headers({ 'retry-after': 'soon' }), 1, noJitter), 1000);
  assert.is(retryDelayMs(undefined, 2, noJitter), 2000);
  assert.is(retryDelayMs(undefined, 10, noJitter), 8000, 'capped at 8 s');
  assert.is(retryDelayMs(undefined, 0, fullJitter), 375, 'at most a quarter taken off');
});

test.run();
