// CORS on the server, with plain fetch playing the browser's part: `createServer({ cors })`
// answers preflights from the allowed origins (API key or not), puts the CORS headers on every
// answer — errors and SSE streams included — and says nothing to other origins; off by default.
import OpenAI from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { CORS_ALLOWED_HEADERS, createServer } from '../src/server/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const PAGE = 'http://127.0.0.1:5173';
const OTHER_PAGE = 'http://localhost:5173';
const KEY = 'sk-cors-test';

const test = suite<{ on: TestServer; off: TestServer }>('server CORS');
test.before(async (context) => {
  context.on = await startTestServer({ cors: [PAGE], apiKey: KEY });
  context.off = await startTestServer({ apiKey: KEY });
});
test.after(async ({ on, off }) => {
  await on?.close();
  await off?.close();
});

const preflight = (t: TestServer, path: string, origin: string, method: string, headers: string[]) =>
  fetch(`${t.server.url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers.join(',') },
  });
const listOf = (value: string | null) => (value ?? '').split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== '');

/** The header names a client sends, by calling the server through a fetch that records them. */
function recordingFetch(names: Set<string>): typeof fetch {
  return (input, init) => {
    for (const name of new Headers(init?.headers).keys()) names.add(name);
    return fetch(input, init);
  };
}

test('a preflight from an allowed origin: 204, that origin, the method and every header asked for, no key needed', async ({ on }) => {
  const asked = ['authorization', 'content-type', 'openai-beta', 'idempotency-key', 'x-stainless-retry-count', 'x-stainless-helper-method', 'last-event-id'];
  const response = await preflight(on, '/threads/thread_abc/runs', PAGE, 'POST', asked);
  assert.is(response.status, 204);
  assert.is(response.headers.get('access-control-allow-origin'), PAGE);
  assert.ok(listOf(response.headers.get('access-control-allow-methods')).includes('post'));
  const allowed = listOf(response.headers.get('access-control-allow-headers'));
  for (const header of asked) assert.ok(allowed.includes(header), `${header} allowed`);
  assert.ok(listOf(response.headers.get('vary')).includes('origin'), 'caches keep answers per origin');
  assert.ok(Number(response.headers.get('access-control-max-age')) > 0, 'the browser may cache the preflight');
  assert.is(await response.text(), '');
});

test('a preflight from another origin gets no CORS headers, so the browser refuses the call', async ({ on }) => {
  const response = await preflight(on, '/assistants', OTHER_PAGE, 'GET', ['authorization']);
  assert.is(response.headers.get('access-control-allow-origin'), null);
  const get = await fetch(`${on.server.url}/assistants`, { headers: { origin: OTHER_PAGE, authorization: `Bearer ${KEY}`, 'openai-beta': 'assistants=v2' } });
  assert.is(get.status, 200, 'CORS is the browser\'s check: the server still answers');
  assert.is(get.headers.get('access-control-allow-origin'), null);
});

test('CORS off (the default): a preflight gets no CORS headers, and neither does a request', async ({ off }) => {
  const response = await preflight(off, '/assistants', PAGE, 'GET', ['authorization']);
  assert.is(response.headers.get('access-control-allow-origin'), null);
  assert.is(response.headers.get('access-control-allow-headers'), null);
  const get = await fetch(`${off.server.url}/assistants`, { headers: { origin: PAGE, authorization: `Bearer ${KEY}`, 'openai-beta': 'assistants=v2' } });
  assert.is(get.status, 200);
  assert.is(get.headers.get('access-control-allow-origin'), null);
});

test('answers to the allowed origin carry its CORS headers, errors too, with the headers the clients read exposed', async ({ on }) => {
  const headers = { origin: PAGE, 'openai-beta': 'assistants=v2', 'content-type': 'application/json' };
  const created = await fetch(`${on.server.url}/assistants`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${KEY}` }, body: '{"model":"scripted"}' });
  assert.is(created.status, 200);
  assert.is(created.headers.get('access-control-allow-origin'), PAGE);
  const exposed = listOf(created.headers.get('access-control-expose-headers'));
  for (const header of ['openai-poll-after-ms', 'x-request-id', 'retry-after', 'retry-after-ms', 'x-should-retry']) assert.ok(exposed.includes(header), `${header} exposed`);
  // A page must be able to read why it was refused: the 401 and the 404 carry the headers.
  const unauthorized = await fetch(`${on.server.url}/assistants`, { headers });
  assert.is(unauthorized.status, 401);
  assert.is(unauthorized.headers.get('access-control-allow-origin'), PAGE);
  const missing = await fetch(`${on.server.url}/assistants/asst_nope`, { headers: { ...headers, authorization: `Bearer ${KEY}` } });
  assert.is(missing.status, 404);
  assert.is(missing.headers.get('access-control-allow-origin'), PAGE);
});

test('every header the official SDK and our client send is allowed by the preflight answer', async ({ on }) => {
  const sent = new Set<string>();
  const openai = new OpenAI({ baseURL: on.server.url, apiKey: KEY, maxRetries: 0, fetch: recordingFetch(sent) });
  const assistant = await openai.beta.assistants.create({ model: 'scripted' });
  await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What is 6 * 7?' }] } }, { pollIntervalMs: 5 });
  await openai.beta.threads.createAndRun({ assistant_id: assistant.id, stream: true }).then(async (stream) => {
    for await (const _event of stream);
  });
  const client = new AssistantsClient({ baseURL: on.server.url, apiKey: KEY, maxRetries: 0, fetch: recordingFetch(sent) });
  const thread = await client.beta.threads.create();
  await client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).done();
  await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 5 });
  // A browser sets User-Agent itself; the rest the preflight must allow.
  const needed = [...sent].filter((name) => name !== 'user-agent').sort();
  assert.ok(needed.includes('x-stainless-lang') && needed.includes('idempotency-key'), needed.join(', '));
  const response = await preflight(on, '/threads/runs', PAGE, 'POST', needed);
  const allowed = listOf(response.headers.get('access-control-allow-headers'));
  assert.equal(needed.filter((name) => !allowed.includes(name)), [], 'headers a browser would refuse to send');
  assert.equal(
    allowed,
    CORS_ALLOWED_HEADERS.map((name) => name.toLowerCase()),
  );
});

test('an SSE stream carries the CORS headers and starts before its run ends', async () => {
  // Each step waits a minute: only a stream whose headers go out at once can be read here.
  const t = await startTestServer({ cors: [PAGE], pace: { deltaDelayMs: 0, stepDelayMs: 60_000 } });
  try {
    const assistant = await (await t.request('/assistants', { method: 'POST', body: '{"model":"scripted"}' })).json();
    const response = await t.request('/threads/runs', {
      method: 'POST',
      headers: { origin: PAGE, 'idempotency-key': 'sse-cors' },
      body: JSON.stringify({ assistant_id: assistant.id, stream: true, thread: { messages: [{ role: 'user', content: 'Hello' }] } }),
      signal: AbortSignal.timeout(20_000),
    });
    assert.is(response.headers.get('content-type')?.split(';')[0], 'text/event-stream');
    assert.is(response.headers.get('access-control-allow-origin'), PAGE);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: thread.run.created')) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    assert.match(text, /event: thread\.run\.created/);
    await reader.cancel();
  } finally {
    await t.close();
  }
});

test('a bad cors option is refused before anything listens, naming the entry', async () => {
  for (const [cors, pattern] of [
    [['http://localhost:5173/'], /options\.cors\[0\] must be an origin .* got "http:\/\/localhost:5173\/"/],
    [[PAGE, 'localhost:5173'], /options\.cors\[1\]/],
    [['ftp://example.com'], /options\.cors\[0\]/],
    [[], /empty list/],
    ['http://localhost:5173', /array of origins or a function/],
  ] as const) {
    const error = await createServer({ cors: cors as unknown as string[] }).catch((caught: unknown) => caught);
    assert.instance(error, TypeError, JSON.stringify(cors));
    assert.match((error as Error).message, pattern);
  }
});

test("'*' allows any origin; a function decides per origin", async () => {
  for (const [cors, origin, allowed] of [
    [['*'], 'http://anything.test:1', true],
    [(origin: string) => origin.endsWith('.internal'), 'https://app.internal', true],
    [(origin: string) => origin.endsWith('.internal'), 'https://app.external', false],
  ] as const) {
    const t = await startTestServer({ cors });
    try {
      const response = await preflight(t, '/assistants', origin, 'GET', ['authorization']);
      assert.is(response.headers.get('access-control-allow-origin'), allowed ? origin : null, origin);
    } finally {
      await t.close();
    }
  }
});

test.run();
