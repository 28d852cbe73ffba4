// Operations: an x-request-id on every answer (the official SDK reads it as `_request_id`) and
// in every log line of its request; JSON logs without payloads or keys; /healthz, /readyz and
// /metrics at the root; per-key rate limits answered 429 with retry-after and the API's
// envelope, one key's flood leaving another key's runs alone; a drain that lets quick streams
// finish and ends the rest with the run's documented ending.
import OpenAI from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ENDED_BY_SHUTDOWN } from '../src/server/index.ts';
import { startChatCompletions } from './helpers/modelUpstream.ts';
import { startTestServer } from './helpers/server.ts';
import { tenantRequest } from './helpers/tenants.ts';

const KEY_A = 'sk-ops-a-51c3d9e0aa';
const KEY_B = 'sk-ops-b-7e2f08b1cc';
const PAYLOAD = 'the confidential merger is with Initech';

const test = suite('server operations');

test('every answer carries an x-request-id, the official SDK reads it', async () => {
  const t = await startTestServer({ keys: [{ tenant: 'acme', key: KEY_A }] });
  try {
    const asA = tenantRequest(t.server.url, KEY_A);
    const answers = [
      await asA('/assistants'),
      await asA('/assistants/asst_nope'),
      await tenantRequest(t.server.url, 'sk-wrong')('/assistants'),
      await asA('/threads/runs', { method: 'POST', body: { assistant_id: 'asst_nope' } }),
      await fetch(t.server.url.replace(/\/v1$/, '/healthz')),
    ];
    const ids = answers.map((answer) => answer.headers.get('x-request-id'));
    assert.ok(ids.every((id) => id !== null && /^req_[0-9a-f]{32}$/.test(id)), ids.join(','));
    assert.is(new Set(ids).size, ids.length, 'one id per request');
    const openai = new OpenAI({ baseURL: t.server.url, apiKey: KEY_A, maxRetries: 0 });
    const assistant = await openai.beta.assistants.create({ model: 'scripted' });
    assert.match(assistant._request_id ?? '', /^req_/);
    const stream = await asA('/threads/runs', { method: 'POST', body: { assistant_id: assistant.id, stream: true, thread: { messages: [{ role: 'user', content: 'Hi' }] } } });
    assert.match(stream.headers.get('x-request-id') ?? '', /^req_/);
    await stream.text();
    // As the API: a request's own x-request-id is not echoed.
    const sent = await asA('/assistants', { headers: { 'x-request-id': 'lb-3f9a-77c1-0d2e' } });
    assert.match(sent.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
  } finally {
    await t.close();
  }
});

test('JSON log lines: each line of a request carries its request id, tenant and key name; no payload, no key', async () => {
  const lines: string[] = [];
  const t = await startTestServer({ keys: [{ tenant: 'acme', key: KEY_A, name: 'acme-ci' }], log: (line) => lines.push(line), pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  try {
    const asA = tenantRequest(t.server.url, KEY_A);
    const assistant = (await (await asA('/assistants', { method: 'POST', body: { model: 'scripted', instructions: PAYLOAD } })).json()) as { id: string };
    const stream = await asA('/threads/runs', { method: 'POST', body: { assistant_id: assistant.id, stream: true, thread: { messages: [{ role: 'user', content: PAYLOAD }] } } });
    const requestId = stream.headers.get('x-request-id');
    await stream.text();
    await asA('/threads/thread_nope');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const ofStream = parsed.filter((line) => line['request_id'] === requestId);
    assert.equal(
      ofStream.map((line) => line['msg']),
      ['stream started', 'stream ended'],
    );
    assert.equal(
      { tenant: ofStream[0]!['tenant'], key: ofStream[0]!['key'], route: ofStream[0]!['route'], status: ofStream[0]!['status'] },
      { tenant: 'acme', key: 'acme-ci', route: '/v1/threads/runs', status: 200 },
    );
    assert.is(ofStream[1]!['ended'], 'completed');
    const notFound = parsed.find((line) => line['route'] === '/v1/threads/:thread_id' && line['status'] === 404);
    assert.ok(notFound !== undefined && typeof notFound['request_id'] === 'string' && typeof notFound['time'] === 'string' && notFound['level'] === 'info');
    const all = lines.join('\n');
    assert.not.ok(all.includes('Initech'), 'no message text or instructions in the log');
    assert.not.ok(all.includes(KEY_A.slice(3, 15)), 'no key in the log');
  } finally {
    await t.close();
  }
});

test('/healthz, /readyz and /metrics at the root, without a key', async () => {
  const upstream = await startChatCompletions();
  const t = await startTestServer({ keys: [{ tenant: 'acme', key: KEY_A }], model: { baseURL: upstream.url, protocol: 'chat' } });
  try {
    const root = t.server.url.replace(/\/v1$/, '');
    assert.equal(await (await fetch(`${root}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${root}/readyz`);
    assert.is(ready.status, 200);
    assert.equal(await ready.json(), { status: 'ready', checks: { storage: 'memory', model: `live ${upstream.url}`, embeddings: 'none', draining: false } });
    assert.is((await fetch(`${root}/metrics`, { method: 'POST' })).status, 405);

    const openai = new OpenAI({ baseURL: t.server.url, apiKey: KEY_A, maxRetries: 0 });
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hello there' }] } }, { pollIntervalMs: 5 });
    assert.is(run.status, 'completed');
    await openai.beta.assistants.retrieve('asst_nope').catch(() => undefined);

    const metrics = await fetch(`${root}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    assert.match(text, /assistant_machines_http_requests_total\{method="POST",route="\/v1\/assistants",status="200"\} 1/);
    assert.match(text, /assistant_machines_http_requests_total\{method="GET",route="\/v1\/assistants\/:assistant_id",status="404"\} 1/);
    assert.match(text, /assistant_machines_runs_total\{status="completed"\} 1/);
    assert.match(text, /assistant_machines_run_time_to_first_event_seconds_count 1/);
    assert.match(text, /assistant_machines_upstream_request_duration_seconds_count\{operation="chat_completions",status="200"\} 1/);
    assert.match(text, /assistant_machines_upstream_tokens_total\{kind="prompt"\} [1-9]/);
    assert.match(text, /assistant_machines_active_runs 0/);
    assert.not.match(text, /(?:asst|thread|run|msg|file|vs)[_-][A-Za-z0-9]{24}/, 'routes are patterns: no ids in label values');
  } finally {
    await t.close();
    await upstream.close();
  }
});

test('/readyz answers 503 once a drain has begun; a database that answers is ready', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'am-ready-'));
  const t = await startTestServer({ dataDir: dir });
  const root = t.server.url.replace(/\/v1$/, '');
  const ready = (await (await fetch(`${root}/readyz`)).json()) as { checks: { storage: string } };
  assert.is(ready.checks.storage, 'ok');
  await t.server.drain();
  await rm(dir, { recursive: true, force: true });
});

test('a flood from one key is answered 429 (retry-after, the API envelope) while another key\'s runs go through', async () => {
  const t = await startTestServer({
    keys: [
      { tenant: 'acme', key: KEY_A, limits: { requestsPerMinute: 20 } },
      { tenant: 'globex', key: KEY_B },
    ],
    limits: { requestsPerMinute: 1000 },
  });
  try {
    const asA = tenantRequest(t.server.url, KEY_A);
    const flood = await Promise.all(Array.from({ length: 60 }, () => asA('/assistants')));
    const refused = flood.filter((answer) => answer.status === 429);
    assert.ok(refused.length >= 39 && refused.length <= 41, `${refused.length} of 60 refused`);
    const first = refused[0]!;
    const { error } = (await first.json()) as { error: Record<string, unknown> };
    assert.equal({ ...error, message: undefined }, { message: undefined, type: 'requests', param: null, code: 'rate_limit_exceeded' });
    assert.match(String(error['message']), /^Rate limit reached for requests: this key may make 20 requests per minute\. Please try again in \d+ms\.$/);
    assert.is(first.headers.get('x-ratelimit-limit-requests'), '20');
    assert.ok(Number(first.headers.get('retry-after')) >= 1);
    assert.ok(Number(first.headers.get('retry-after-ms')) > 0);
    assert.is(first.headers.get('x-ratelimit-remaining-requests'), '0');

    const openai = new OpenAI({ baseURL: t.server.url, apiKey: KEY_B, maxRetries: 0 });
    const assistant = await openai.beta.assistants.create({ model: 'scripted' });
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What is 6 * 7?' }] } }, { pollIntervalMs: 5 })),
    );
    assert.ok(runs.every((run) => run.status === 'completed'));
    const metrics = await (await fetch(t.server.url.replace(/\/v1$/, '/metrics'))).text();
    assert.match(metrics, new RegExp(`assistant_machines_rate_limited_total\\{limit="requests"\\} ${refused.length}`));
  } finally {
    await t.close();
  }
});

test('concurrent runs per key: a new run past the limit is 429 until one ends', async () => {
  const t = await startTestServer({ keys: [{ tenant: 'acme', key: KEY_A }], limits: { concurrentRuns: 1 } });
  try {
    const openai = new OpenAI({ baseURL: t.server.url, apiKey: KEY_A, maxRetries: 0 });
    const assistant = await openai.beta.assistants.create({ model: 'scripted' });
    const slow = await openai.beta.threads.createAndRun({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Tell me a story' }] }, metadata: { scenario: 'slow' } });
    const refused = await openai.beta.threads.createAndRun({ assistant_id: assistant.id }).catch((error: unknown) => error);
    assert.instance(refused, OpenAI.RateLimitError);
    assert.match((refused as InstanceType<typeof OpenAI.RateLimitError>).message, /concurrent runs/);
    await openai.beta.threads.runs.cancel(slow.id, { thread_id: slow.thread_id });
    await openai.beta.threads.runs.poll(slow.id, { thread_id: slow.thread_id }, { pollIntervalMs: 5 });
    const next = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } }, { pollIntervalMs: 5 });
    assert.is(next.status, 'completed');
  } finally {
    await t.close();
  }
});

test('a drain lets quick streams complete and ends slow ones with thread.run.failed, then [DONE]', async () => {
  const t = await startTestServer({ drainTimeoutMs: 150, pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  const openai = t.openai;
  const assistant = await openai.beta.assistants.create({ model: 'scripted' });
  const open = (scenario?: string) =>
    t.request('/threads/runs', { method: 'POST', body: JSON.stringify({ assistant_id: assistant.id, stream: true, thread: { messages: [{ role: 'user', content: 'Tell me about the sea and the sky' }] }, ...(scenario === undefined ? {} : { metadata: { scenario } }) }) });
  const streams = await Promise.all([open(), open('slow'), open('slow')]);
  const texts = streams.map((stream) => stream.text());
  await t.server.drain();
  const bodies = await Promise.all(texts);
  const endings = bodies.map((body) => [...body.matchAll(/^event: (thread\.run\.\w+)$/gm)].map((match) => match[1]).at(-1));
  assert.equal(endings, ['thread.run.completed', 'thread.run.failed', 'thread.run.failed']);
  for (const body of bodies) assert.match(body, /event: done\ndata: \[DONE\]\n\n$/);
  assert.ok(bodies[1]!.includes(ENDED_BY_SHUTDOWN.message));
  assert.match(bodies[1]!, /event: thread\.message\.incomplete/);
  assert.equal(t.internalErrors, []);
});

test.run();
