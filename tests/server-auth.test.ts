// The server's API key: `createServer({ apiKey })` answers every request without the right
// bearer key with 401 in the API's envelope, which the official SDK and our client both turn
// into their AuthenticationError; the key itself never shows in an answer.
import OpenAI from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStreamError, AssistantsClient, AuthenticationError } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const KEY = 'sk-local-7d1f0c2b9e4a';

const test = suite<{ t: TestServer }>('server API key');
test.before(async (context) => {
  context.t = await startTestServer({ apiKey: KEY });
});
test.after(async ({ t }) => t?.close());

const listAssistants = (t: TestServer, authorization?: string) => t.request('/assistants', authorization === undefined ? {} : { headers: { authorization } });

test('no Authorization header: 401, the real API\'s "You didn\'t provide an API key" envelope', async ({ t }) => {
  const response = await listAssistants(t);
  assert.is(response.status, 401);
  const body = await response.json();
  assert.equal(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.is(body.error.type, 'invalid_request_error');
  assert.is(body.error.code, null);
  assert.is(body.error.param, null);
  assert.match(body.error.message, /^You didn't provide an API key\. .*Authorization: Bearer YOUR_KEY/);
});

test('a header that is not a bearer key counts as none', async ({ t }) => {
  for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', KEY, `Bearer ${KEY} extra`]) {
    const response = await listAssistants(t, authorization);
    assert.is(response.status, 401, authorization);
    assert.is((await response.json()).error.code, null, authorization);
  }
});

test('a wrong key: 401 invalid_api_key, and neither key appears in the answer', async ({ t }) => {
  for (const wrong of ['sk-wrong', KEY.slice(0, -1), `${KEY}x`, KEY.toUpperCase()]) {
    const response = await listAssistants(t, `Bearer ${wrong}`);
    assert.is(response.status, 401, wrong);
    const text = await response.text();
    const { error } = JSON.parse(text);
    assert.equal({ type: error.type, code: error.code, param: error.param }, { type: 'invalid_request_error', code: 'invalid_api_key', param: null });
    assert.match(error.message, /^Incorrect API key provided\./);
    assert.not.ok(text.includes(KEY.slice(3, 12)), 'no part of the server key in the answer');
    assert.not.ok(text.includes(wrong), 'the key received is not echoed either');
  }
});

test('the right key: the request goes through (the scheme in any case)', async ({ t }) => {
  for (const authorization of [`Bearer ${KEY}`, `bearer ${KEY}`, `BEARER  ${KEY} `]) {
    const response = await listAssistants(t, authorization);
    assert.is(response.status, 200, authorization);
    assert.is((await response.json()).object, 'list');
  }
});

test('every route is behind the key, streams and unknown paths included', async ({ t }) => {
  const create = await t.request('/threads/runs', { method: 'POST', body: JSON.stringify({ assistant_id: 'asst_x', stream: true }) });
  assert.is(create.status, 401);
  assert.is((await t.request('/files')).status, 401);
  assert.is((await t.request('/responses', { method: 'POST', body: '{}' })).status, 401);
  assert.is((await t.request('/nothing-here')).status, 401, 'a 404 would tell a caller without the key which paths exist');
});

test('the official openai package: a wrong key is its AuthenticationError; the right key streams a run', async ({ t }) => {
  const wrong = new OpenAI({ baseURL: t.server.url, apiKey: 'sk-wrong', maxRetries: 0 });
  const error = await wrong.beta.assistants.create({ model: 'scripted' }).catch((caught: unknown) => caught);
  assert.instance(error, OpenAI.AuthenticationError);
  assert.is((error as InstanceType<typeof OpenAI.AuthenticationError>).status, 401);
  assert.is((error as InstanceType<typeof OpenAI.AuthenticationError>).code, 'invalid_api_key');

  const right = new OpenAI({ baseURL: t.server.url, apiKey: KEY, maxRetries: 0 });
  const assistant = await right.beta.assistants.create({ model: 'scripted' });
  const run = await right.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What is 6 * 7?' }] } }, { pollIntervalMs: 5 });
  assert.is(run.status, 'completed');
});

test('our client: a missing or wrong key is its typed AuthenticationError (kind "authentication"); the right key streams', async ({ t }) => {
  // A null default header removes the client's Authorization: the request carries no key.
  const withoutKey = new AssistantsClient({ baseURL: t.server.url, apiKey: 'unsent', maxRetries: 0, defaultHeaders: { Authorization: null } });
  const withWrongKey = new AssistantsClient({ baseURL: t.server.url, apiKey: 'sk-wrong', maxRetries: 0 });
  for (const [client, code] of [[withoutKey, null], [withWrongKey, 'invalid_api_key']] as const) {
    const error = await client.beta.assistants.list().catch((caught: unknown) => caught);
    assert.instance(error, AuthenticationError, String(code));
    assert.is((error as AuthenticationError).code, code);
    assert.is((error as AuthenticationError).kind, 'authentication');
    assert.is((error as AuthenticationError).status, 401);
  }
  const client = new AssistantsClient({ baseURL: t.server.url, apiKey: KEY, maxRetries: 0 });
  const assistant = await client.beta.assistants.create({ model: 'scripted' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 6 * 7?' }] });
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  let text = '';
  for await (const delta of stream.textDeltas) text += delta;
  assert.is((await stream.finalRun()).status, 'completed');
  assert.ok(text.length > 0, 'text streamed');
  // A stream opened with a wrong key fails as every refused stream does: its typed error with
  // the status and the envelope's error object.
  const refused = new AssistantsClient({ baseURL: t.server.url, apiKey: 'sk-wrong', maxRetries: 0 }).beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const streamError = await refused.done().catch((caught: unknown) => caught);
  assert.instance(streamError, AssistantStreamError);
  assert.equal({ kind: (streamError as AssistantStreamError).kind, status: (streamError as AssistantStreamError).status }, { kind: 'api-error', status: 401 });
  assert.is((streamError as AssistantStreamError).apiError?.code, 'invalid_api_key');
});

test('a bad apiKey option is refused before anything listens, without showing the key', async () => {
  for (const [apiKey, pattern] of [
    ['', /empty/],
    ['has space', /visible ASCII/],
    [42, /must be a string, got number/],
  ] as const) {
    const error = await createServer({ apiKey: apiKey as string }).catch((caught: unknown) => caught);
    assert.instance(error, TypeError);
    assert.match((error as Error).message, pattern);
    if (typeof apiKey === 'string' && apiKey !== '') assert.not.ok((error as Error).message.includes(apiKey));
  }
});

test.run();
