import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { startTestServer, type TestServer } from './helpers/server.ts';

// Bad requests get the API's error envelope and status, and never crash the server or lose state.

const test = suite<{ t: TestServer; assistantId: string; threadId: string }>('malformed input');

test.before(async (context) => {
  context.t = await startTestServer({ maxBodyBytes: 64 * 1024 });
  context.assistantId = (await context.t.openai.beta.assistants.create({ model: 'scripted', name: 'kept' })).id;
  context.threadId = (await context.t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'kept' }] })).id;
});
test.after(async ({ t }) => t.close());

async function errorOf(response: Response) {
  return { status: response.status, body: (await response.json()) as { error: Record<string, unknown> } };
}

test('invalid JSON is a 400 with the envelope', async ({ t }) => {
  const { status, body } = await errorOf(await t.request('/assistants', { method: 'POST', body: '{"model": ' }));
  assert.is(status, 400);
  assert.equal(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.is(body.error['type'], 'invalid_request_error');
  assert.match(String(body.error['message']), /could not parse the JSON body/);
});

test('a body that is not valid UTF-8 is a 400 that says so, not a mangled success', async ({ t }) => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const body = new Uint8Array([...encode('{"model":"scr'), 0xff, 0xfe, ...encode('ipted"}')]);
  const { status, body: answer } = await errorOf(await t.request('/assistants', { method: 'POST', body }));
  assert.is(status, 400);
  assert.is(answer.error['message'], 'The request body is not valid UTF-8.');
});

test('an empty message is refused, as text or as parts', async ({ t, threadId }) => {
  for (const content of ['', []]) {
    const { status, body } = await errorOf(await t.request(`/threads/${threadId}/messages`, { method: 'POST', body: JSON.stringify({ role: 'user', content }) }));
    assert.is(status, 400, JSON.stringify(content));
    assert.is(body.error['param'], 'content');
  }
});

test('a missing required field names its param', async ({ t }) => {
  const { status, body } = await errorOf(await t.request('/assistants', { method: 'POST', body: '{}' }));
  assert.is(status, 400);
  assert.equal(body.error, { message: "Missing required parameter: 'model'.", type: 'invalid_request_error', param: 'model', code: null });
});

test('a wrong type, a bad enum value and an unknown field each name the param', async ({ t, threadId }) => {
  const wrongType = await errorOf(await t.request('/assistants', { method: 'POST', body: JSON.stringify({ model: 'm', temperature: 'hot' }) }));
  assert.equal([wrongType.status, wrongType.body.error['param'], wrongType.body.error['code']], [400, 'temperature', 'invalid_type']);
  const badEnum = await errorOf(
    await t.request(`/threads/${threadId}/messages`, { method: 'POST', body: JSON.stringify({ role: 'system', content: 'x' }) }),
  );
  assert.equal([badEnum.status, badEnum.body.error['param'], badEnum.body.error['code']], [400, 'role', 'invalid_value']);
  const unknown = await errorOf(await t.request('/assistants', { method: 'POST', body: JSON.stringify({ model: 'm', colour: 'red' }) }));
  assert.equal([unknown.status, unknown.body.error['param'], unknown.body.error['message']], [400, 'colour', 'Unrecognized request argument supplied: colour']);
  const nested = await errorOf(
    await t.request('/threads', { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text' }] }] }) }),
  );
  assert.equal([nested.status, nested.body.error['param']], [400, 'messages[0].content[0].text']);
});

test('a body that is not an object, and metadata over its limits, are 400s', async ({ t }) => {
  for (const body of ['[]', 'null', '"text"', '42']) {
    assert.is((await t.request('/assistants', { method: 'POST', body })).status, 400, body);
  }
  const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
  const metadata = await errorOf(await t.request('/threads', { method: 'POST', body: JSON.stringify({ metadata: tooMany }) }));
  assert.equal([metadata.status, metadata.body.error['param']], [400, 'metadata']);
});

test('a broken multipart upload is a 400, not a server error', async ({ t }) => {
  for (const contentType of ['multipart/form-data; boundary=xyz', 'multipart/form-data']) {
    const response = await fetch(`${t.server.url}/files`, { method: 'POST', headers: { 'content-type': contentType }, body: 'not multipart at all' });
    assert.is(response.status, 400, contentType);
  }
});

test('unknown ids are 404s worded like the API', async ({ t, threadId }) => {
  const cases: Array<[string, string]> = [
    ['/assistants/asst_nope', "No assistant found with id 'asst_nope'."],
    ['/threads/thread_nope', "No thread found with id 'thread_nope'."],
    [`/threads/${threadId}/messages/msg_nope`, "No message found with id 'msg_nope'."],
    [`/threads/${threadId}/runs/run_nope`, "No run found with id 'run_nope'."],
    ['/files/file-nope', "No file found with id 'file-nope'."],
    ['/vector_stores/vs_nope', "No vector store found with id 'vs_nope'."],
  ];
  for (const [path, message] of cases) {
    const { status, body } = await errorOf(await t.request(path));
    assert.equal([status, body.error['message'], body.error['type']], [404, message, 'invalid_request_error'], path);
  }
  const run = await errorOf(await t.request(`/threads/${threadId}/runs`, { method: 'POST', body: JSON.stringify({ assistant_id: 'asst_nope' }) }));
  assert.equal([run.status, run.body.error['message']], [404, "No assistant found with id 'asst_nope'."]);
});

test('the SDK sees a 404 as NotFoundError', async ({ t }) => {
  try {
    await t.openai.beta.threads.retrieve('thread_missing');
    assert.unreachable('retrieve should have failed');
  } catch (error) {
    assert.is((error as { status?: number }).status, 404);
    assert.is((error as Error).constructor.name, 'NotFoundError');
  }
});

test('an unknown path is a 404, a known path with the wrong method a 405 with Allow', async ({ t }) => {
  const unknown = await errorOf(await t.request('/nothing/here'));
  assert.equal([unknown.status, unknown.body.error['message']], [404, 'Invalid URL (GET /v1/nothing/here)']);
  const response = await t.request('/files/file_1/content', { method: 'PUT', body: '{}' });
  assert.is(response.status, 405);
  assert.is(response.headers.get('allow'), 'GET, HEAD');
  assert.equal(((await response.json()) as { error: object }).error, {
    message: 'Method PUT is not allowed for /v1/files/file_1/content; use GET or HEAD.',
    type: 'invalid_request_error',
    param: null,
    code: null,
  });
  assert.is((await t.request('/assistants/asst_1', { method: 'PATCH', body: '{}' })).status, 405);
  const steps = await t.request('/threads/thread_1/runs/run_1/steps', { method: 'DELETE' });
  assert.equal([steps.status, steps.headers.get('allow')], [405, 'GET, HEAD'], 'a GET route also answers HEAD');
});

test('a body over the limit is a 413', async ({ t }) => {
  const { status, body } = await errorOf(
    await t.request('/assistants', { method: 'POST', body: JSON.stringify({ model: 'm', instructions: 'x'.repeat(100 * 1024) }) }),
  );
  assert.equal([status, body.error['type']], [413, 'invalid_request_error']);
});

test('a chunked body (no Content-Length) over the limit is a 413 too, one under it passes', async ({ t }) => {
  const chunked = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    });
  const post = (text: string) =>
    t.request('/assistants', { method: 'POST', body: chunked(text), duplex: 'half' } as RequestInit & { duplex: 'half' });
  assert.is((await post(JSON.stringify({ model: 'm', instructions: 'x'.repeat(100 * 1024) }))).status, 413);
  assert.is((await post(JSON.stringify({ model: 'm', name: 'chunked' }))).status, 200);
});

test('the Assistants API requires the OpenAI-Beta header, as the real one does', async ({ t }) => {
  const response = await fetch(`${t.server.url}/assistants`, { headers: {} });
  const { status, body } = await errorOf(response);
  assert.equal([status, body.error['code']], [400, 'invalid_beta']);
  assert.match(String(body.error['message']), /OpenAI-Beta: assistants=v2/);
  assert.is((await fetch(`${t.server.url}/files`)).status, 200, 'files need no beta header');
});

test('bad query parameters are 400s', async ({ t, threadId }) => {
  for (const query of ['limit=0', 'limit=101', 'limit=ten', 'order=sideways', 'after=msg_unknown']) {
    assert.is((await t.request(`/threads/${threadId}/messages?${query}`)).status, 400, query);
  }
  assert.is((await t.request(`/threads/${threadId}/runs?include[]=everything`, { method: 'POST', body: '{"assistant_id":"x"}' })).status, 400);
});

test('an unknown scenario is a 400 on metadata.scenario, and no run is created', async ({ t, assistantId, threadId }) => {
  const { status, body } = await errorOf(
    await t.request(`/threads/${threadId}/runs`, { method: 'POST', body: JSON.stringify({ assistant_id: assistantId, metadata: { scenario: 'explode' } }) }),
  );
  assert.equal([status, body.error['param'], body.error['code']], [400, 'metadata.scenario', 'invalid_value']);
  assert.is((await t.openai.beta.threads.runs.list(threadId)).data.length, 0);
});

test('hostile keys are data, not prototypes', async ({ t }) => {
  const response = await t.request('/threads', { method: 'POST', body: '{"metadata":{"__proto__":"x","constructor":"y"}}' });
  assert.is(response.status, 200);
  assert.is(({} as Record<string, unknown>)['x'], undefined);
  const bad = await t.request('/assistants', { method: 'POST', body: '{"model":"m","__proto__":{"polluted":true}}' });
  assert.is(bad.status, 400);
  assert.is(({} as Record<string, unknown>)['polluted'], undefined);
});

test('random JSON bodies on every POST endpoint never make a server error', async ({ t }) => {
  // Objects of its own, so what the fuzz changes cannot touch the state checked below.
  const assistantId = (await t.openai.beta.assistants.create({ model: 'scripted' })).id;
  const threadId = (await t.openai.beta.threads.create()).id;
  const run = await t.openai.beta.threads.runs.createAndPoll(threadId, { assistant_id: assistantId });
  const store = await t.openai.vectorStores.create({ name: 'fuzz' });
  const paths = [
    '/assistants', `/assistants/${assistantId}`, '/threads', `/threads/${threadId}`, '/threads/runs', `/threads/${threadId}/messages`,
    `/threads/${threadId}/runs`, `/threads/${threadId}/runs/${run.id}`, `/threads/${threadId}/runs/${run.id}/cancel`,
    `/threads/${threadId}/runs/${run.id}/submit_tool_outputs`, '/vector_stores', `/vector_stores/${store.id}`, `/vector_stores/${store.id}/files`,
    `/vector_stores/${store.id}/file_batches`, `/vector_stores/${store.id}/search`,
  ];
  const statuses = new Set<number>();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 4 }), async (path, body) => {
      const response = await t.request(path, { method: 'POST', body: JSON.stringify(body) });
      await response.arrayBuffer();
      statuses.add(response.status);
      return response.status < 500;
    }),
    { numRuns: 300, seed: 20260826 },
  );
  assert.ok(statuses.has(400), 'the bodies were refused as bad requests');
});

test('after all that, the state is intact and the server still works', async ({ t, assistantId, threadId }) => {
  assert.is((await t.openai.beta.assistants.retrieve(assistantId)).name, 'kept');
  const messages = await t.openai.beta.threads.messages.list(threadId);
  assert.equal(messages.data.map((message) => message.content[0]?.type === 'text' && message.content[0].text.value), ['kept']);
  const run = await t.openai.beta.threads.runs.createAndPoll(threadId, { assistant_id: assistantId });
  assert.is(run.status, 'completed');
  assert.equal(t.internalErrors, []);
});

test.run();
