// A stream that fails on the server's word — an `error` event in the stream, or an error status
// before it — keeps the answer's `x-request-id` and headers, as the official SDK's `APIError`
// does (issue 27, item 4): the id is what to quote when reporting the failure. The official
// `openai` package is the oracle: the same answers go to both clients.
import OpenAI from 'openai';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, AssistantStream, AssistantStreamError } from '../src/index.ts';
import { makeRun, toSSE } from '../src/testing/index.ts';
import { fakeFetch } from './helpers/fakeFetch.ts';

const base = 'http://127.0.0.1:9/v1';
const REQUEST_ID = 'req_4f1c2e9a0b7d4c3e8a6f5b2d1c0e9f8a';

const assistantsError = toSSE(
  [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'error', data: { message: 'The model is overloaded.', type: 'server_error', param: null, code: 'overloaded' } },
  ],
  { done: false },
);
const responsesError = [
  'event: response.created',
  `data: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', created_at: 1, status: 'in_progress', model: 'm', output: [] } })}`,
  '',
  'event: error',
  `data: ${JSON.stringify({ type: 'error', code: 'overloaded', message: 'The model is overloaded.', param: null, sequence_number: 1 })}`,
  '',
  '',
].join('\n');

const sse = (body: string) => new Response(body, { headers: { 'content-type': 'text/event-stream', 'x-request-id': REQUEST_ID } });
const refused = () =>
  Response.json(
    { error: { message: 'No thread found with id thread_1.', type: 'invalid_request_error', param: null, code: null } },
    { status: 404, headers: { 'x-request-id': REQUEST_ID } },
  );

/** What a failure says about the answer it came in: its request id and that header. */
const answerOf = (error: unknown) => {
  const { requestID, headers } = error as { requestID?: string | null; headers?: Headers };
  return { requestID, header: headers?.get('x-request-id') };
};
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => assert.unreachable('the stream must fail'),
    (error: unknown) => error,
  );

for (const [what, answer] of [
  ['an Assistants stream whose server sends an `error` event', () => sse(assistantsError)],
  ['an Assistants stream refused with an error status', refused],
] as const) {
  test(`${what}: the failure keeps the answer's request id, as the official SDK's does`, async () => {
    const official = new OpenAI({ apiKey: 'sk-test', baseURL: base, fetch: fakeFetch(answer).fetch, maxRetries: 0 });
    const theirs = await failureOf(official.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }).done());
    assert.instance(theirs, OpenAI.APIError);
    assert.equal(answerOf(theirs), { requestID: REQUEST_ID, header: REQUEST_ID }, 'the oracle keeps it');

    const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch: fakeFetch(answer).fetch, maxRetries: 0 });
    const stream = client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' });
    let heard: unknown;
    stream.on('error', (error) => (heard = error));
    const ours = await failureOf(stream.done());
    assert.instance(ours, AssistantStreamError);
    assert.is((ours as AssistantStreamError).kind, 'api-error');
    assert.equal(answerOf(ours), answerOf(theirs));
    assert.is(heard, ours, 'the error listener hears the same error');
  });
}

test('a Responses stream whose server sends an `error` event: the failure keeps the request id, as the official SDK’s does', async () => {
  const official = new OpenAI({ apiKey: 'sk-test', baseURL: base, fetch: fakeFetch(() => sse(responsesError)).fetch, maxRetries: 0 });
  const theirs = await failureOf(official.responses.stream({ model: 'm', input: 'hi' }).done());
  assert.instance(theirs, OpenAI.APIError);
  assert.equal(answerOf(theirs), { requestID: REQUEST_ID, header: REQUEST_ID });

  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch: fakeFetch(() => sse(responsesError)).fetch, maxRetries: 0 });
  const ours = await failureOf(client.responses.stream({ model: 'm', input: 'hi' }).done());
  assert.is((ours as AssistantStreamError).kind, 'api-error');
  assert.equal(answerOf(ours), answerOf(theirs));
});

test('a stream read from a Response keeps its request id; one read from bytes has none to keep', async () => {
  const fromResponse = await failureOf(AssistantStream.fromSSE(sse(assistantsError)).done());
  assert.equal(answerOf(fromResponse), { requestID: REQUEST_ID, header: REQUEST_ID });
  const withoutHeader = await failureOf(AssistantStream.fromSSE(new Response(assistantsError)).done());
  assert.equal(answerOf(withoutHeader), { requestID: null, header: null }, 'an answer without the header: null, as the official SDK');
  const fromBytes = await failureOf(AssistantStream.fromSSE(new Response(assistantsError).body!).done());
  assert.equal(answerOf(fromBytes), { requestID: undefined, header: undefined }, 'no answer, nothing to keep');
});

test.run();
