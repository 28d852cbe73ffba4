// The server may say whether a retry can help (`x-should-retry`, as the official SDK obeys it):
// a reused Idempotency-Key's 409 is final, a key still being answered by another server is
// worth the retry, and so is any status the server marks `true`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, BadRequestError, ConflictError, isRetryable } from '../src/index.ts';
import { fakeClock } from './helpers/fakeClock.ts';
import { type Loopback, apiError, json, startLoopback } from './helpers/loopback.ts';

const open: Loopback[] = [];
test.after.each(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});
const assistant = { id: 'asst_1', object: 'assistant', created_at: 1, name: null, description: null, model: 'm', instructions: null, tools: [], metadata: {} };

test('a 409 marked x-should-retry: false is not retried', async () => {
  const server = await startLoopback((_request, response) =>
    apiError(response, 409, 'This Idempotency-Key was already used with a different request.', { code: 'idempotency_key_reused' }, { 'x-should-retry': 'false' }),
  );
  open.push(server);
  const client = new AssistantsClient({ apiKey: 'k', baseURL: server.url, clock: fakeClock(), maxRetries: 2 });
  const error = await client.beta.assistants.create({ model: 'm' }).catch((caught: unknown) => caught);
  assert.instance(error, ConflictError);
  assert.is((error as ConflictError).code, 'idempotency_key_reused');
  assert.is(server.requests.length, 1);
});

test('a 409 marked x-should-retry: true is retried after retry-after-ms, with the same Idempotency-Key', async () => {
  const server = await startLoopback((_request, response, n) =>
    n === 1
      ? apiError(response, 409, 'Still being answered by another server.', { code: 'idempotency_key_in_progress' }, { 'x-should-retry': 'true', 'retry-after-ms': '200' })
      : json(response, 200, assistant),
  );
  open.push(server);
  const clock = fakeClock();
  const client = new AssistantsClient({ apiKey: 'k', baseURL: server.url, clock, maxRetries: 2 });
  assert.is((await client.beta.assistants.create({ model: 'm' })).id, 'asst_1');
  assert.is(server.requests.length, 2);
  assert.equal(clock.waits, [200]);
  const [first, second] = server.requests.map((request) => request.headers['idempotency-key']);
  assert.ok(typeof first === 'string' && first !== '');
  assert.is(second, first);
});

test('isRetryable: the header overrides the status either way; without it, the status decides', () => {
  const error = (status: number, headers: Record<string, string> = {}) => new BadRequestError(status, undefined, 'x', new Headers(headers));
  assert.is(isRetryable(error(400, { 'x-should-retry': 'true' })), true);
  assert.is(isRetryable(new ConflictError(409, undefined, 'x', new Headers({ 'x-should-retry': 'false' }))), false);
  assert.is(isRetryable(new ConflictError(409, undefined, 'x', new Headers())), true);
  assert.is(isRetryable(error(400)), false);
});

test.run();
