// Every answer of the embedded server carries an `x-request-id` of its own, as the API's do
// (issue 27, item 4): routes, errors, preflights and streams alike, a fresh id per request,
// nothing the client sent echoed back. The official SDK reports it (`_request_id`,
// `request_id`, `APIError.requestID`), and so does ours.
import OpenAI from 'openai';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, AssistantStreamError, NotFoundError } from '../src/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

/** What the API's request ids look like: `req_` and 32 hexadecimal digits. */
const REQUEST_ID = /^req_[0-9a-f]{32}$/;
const PAGE = 'http://127.0.0.1:5173';
const KEY = 'sk-request-ids';

const context: { server?: TestServer } = {};
test.before(async () => {
  context.server = await startTestServer({ apiKey: KEY, cors: [PAGE], maxBodyBytes: 64 * 1024 });
});
test.after(async () => {
  await context.server?.close();
});

/** Sends a request with the SDK's headers (the key included unless `headers` overrides it). */
async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const { server } = context.server!;
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'openai-beta': 'assistants=v2', ...(init.headers as Record<string, string> | undefined) },
  });
  // Streams are read to their end: the header is on the answer, and nothing is left open.
  await response.text();
  return response;
}

test('every answer carries a fresh request id: routes, errors, a preflight and streams', async () => {
  const assistant = (await (
    await fetch(`${context.server!.server.url}/assistants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'openai-beta': 'assistants=v2' },
      body: JSON.stringify({ model: 'scripted' }),
    })
  ).json()) as { id: string };
  const answers: Record<string, Response> = {
    'list (200)': await send('/assistants'),
    'create (200)': await send('/assistants', { method: 'POST', body: JSON.stringify({ model: 'scripted' }) }),
    'unknown object (404)': await send('/assistants/asst_missing'),
    'unknown path (404)': await send('/nowhere'),
    'wrong method (405)': await send('/assistants', { method: 'PUT', body: '{}' }),
    'no key (401)': await send('/assistants', { headers: { authorization: 'Bearer wrong' } }),
    'no beta header (400)': await send('/assistants', { headers: { 'openai-beta': '' } }),
    'body too large (413)': await send('/assistants', { method: 'POST', body: JSON.stringify({ model: 'x'.repeat(100 * 1024) }) }),
    'CORS preflight': await send('/assistants', { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': 'POST' } }),
    'run stream (SSE)': await send('/threads/runs', { method: 'POST', body: JSON.stringify({ assistant_id: assistant.id, stream: true }) }),
    'response (200)': await send('/responses', { method: 'POST', body: JSON.stringify({ model: 'scripted', input: 'hi' }) }),
    'response stream (SSE)': await send('/responses', { method: 'POST', body: JSON.stringify({ model: 'scripted', input: 'hi', stream: true }) }),
  };
  assert.is(answers['run stream (SSE)']!.headers.get('content-type')?.startsWith('text/event-stream'), true);
  assert.is(answers['response stream (SSE)']!.headers.get('content-type')?.startsWith('text/event-stream'), true);
  const ids = Object.entries(answers).map(([what, response]) => [what, response.headers.get('x-request-id')] as const);
  for (const [what, id] of ids) assert.ok(id !== null && REQUEST_ID.test(id), `${what}: x-request-id ${id}`);
  assert.is(new Set(ids.map(([, id]) => id)).size, ids.length, 'each answer has its own id');
});

test('nothing the client sends is echoed: not its own x-request-id, not an X-Client-Request-Id', async () => {
  const response = await send('/assistants', { headers: { 'x-request-id': 'req_mine', 'x-client-request-id': 'mine' } });
  const id = response.headers.get('x-request-id');
  assert.ok(id !== null && REQUEST_ID.test(id), String(id));
  assert.is.not(id, 'req_mine');
});

test('a retry answered from its Idempotency-Key gets an id of its own', async () => {
  const init = { method: 'POST', body: JSON.stringify({ model: 'scripted' }), headers: { 'idempotency-key': 'key-request-ids' } };
  const { server } = context.server!;
  const post = () => fetch(`${server.url}/assistants`, { ...init, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'openai-beta': 'assistants=v2', ...init.headers } });
  const first = await post();
  const again = await post();
  assert.is(((await again.json()) as { id: string }).id, ((await first.json()) as { id: string }).id, 'the original answer');
  assert.ok(REQUEST_ID.test(again.headers.get('x-request-id') ?? ''));
  assert.is.not(again.headers.get('x-request-id'), first.headers.get('x-request-id'));
});

test('the official SDK reports it: `_request_id`, `request_id` of a stream, `APIError.requestID`', async () => {
  const openai = new OpenAI({ baseURL: context.server!.server.url, apiKey: KEY, maxRetries: 0 });
  const assistant = await openai.beta.assistants.create({ model: 'scripted' });
  assert.match(assistant._request_id ?? '', REQUEST_ID);
  const response = await openai.responses.create({ model: 'scripted', input: 'hi' });
  assert.match(response._request_id ?? '', REQUEST_ID);
  const { data: events, request_id } = await openai.responses.create({ model: 'scripted', input: 'hi', stream: true }).withResponse();
  for await (const _ of events);
  assert.match(request_id ?? '', REQUEST_ID);
  const refused = await openai.beta.assistants.retrieve('asst_missing').catch((error: unknown) => error);
  assert.instance(refused, OpenAI.NotFoundError);
  assert.match((refused as InstanceType<typeof OpenAI.NotFoundError>).requestID ?? '', REQUEST_ID);
});

test('ours reports it too: `APIError.requestID`, and a refused stream’s error', async () => {
  const client = new AssistantsClient({ baseURL: context.server!.server.url, apiKey: KEY, maxRetries: 0 });
  const refused = await client.beta.assistants.retrieve('asst_missing').catch((error: unknown) => error);
  assert.instance(refused, NotFoundError);
  assert.match((refused as NotFoundError).requestID ?? '', REQUEST_ID);
  const stream = client.beta.threads.runs.stream('thread_missing', { assistant_id: 'asst_missing' });
  const failed = await stream.done().catch((error: unknown) => error);
  assert.instance(failed, AssistantStreamError);
  assert.is((failed as AssistantStreamError).status, 404);
  assert.match((failed as AssistantStreamError).requestID ?? '', REQUEST_ID);
});

test.run();
