import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import OpenAI from 'openai';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli/main.ts';
import { createLiveModel, createServer } from '../src/server/index.ts';
import { captureIO } from './helpers/cli.ts';
import { startChatCompletions, startResponsesProxy } from './helpers/modelUpstream.ts';

// The upstream key is the server's secret: it goes upstream in the Authorization header and
// nowhere else — not in responses, streams, errors, recordings, logs or the printed banner.

const KEY = 'sk-live-SECRET-7f3a9c1e';

test('the key goes upstream, and never into anything the server answers, logs or records', async () => {
  const upstream = await startChatCompletions();
  const logged: string[] = [];
  const shim = await createServer({
    model: { baseURL: upstream.url, apiKey: KEY, protocol: 'chat', retryBaseDelayMs: 1, maxRetries: 1 },
    pace: { deltaDelayMs: 0, stepDelayMs: 0 },
    pollAfterMs: 5,
    onInternalError: (error) => logged.push(inspect(error)),
  });
  const seen: string[] = [];
  // Every byte the server sends back, bodies and streams alike.
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    seen.push(await response.clone().text());
    return response;
  };
  const directory = await mkdtemp(join(tmpdir(), 'am-secrets-'));
  try {
    const openai = new OpenAI({ baseURL: shim.url, apiKey: 'client-key', maxRetries: 0, fetch: recordingFetch });
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    const completed = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } }, { pollIntervalMs: 5 });
    assert.is(completed.status, 'completed');
    assert.is(upstream.requests[0]?.headers['authorization'], `Bearer ${KEY}`, 'the key is used upstream');

    // An upstream that echoes the key in its error (as real APIs do for a wrong key).
    upstream.failNext(1, { status: 401, message: `Incorrect API key provided: ${KEY}. You can find your API key at https://example.invalid.` });
    const failed = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } }, { pollIntervalMs: 5 });
    assert.is(failed.status, 'failed');
    assert.is(failed.last_error?.code, 'server_error');
    assert.match(failed.last_error?.message ?? '', /refused the server's credentials \(401\): Incorrect API key provided: \[redacted\]\./);
    const stream = openai.beta.threads.createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Stream it' }] } });
    await stream.done();

    // A recording made with the CLI of a run on the shim.
    const out = join(directory, 'run.ndjson');
    const io = captureIO({ OPENAI_BASE_URL: shim.url, OPENAI_API_KEY: 'client-key', NO_COLOR: '1' });
    assert.is(await runCli(['record', '--assistant', assistant.id, '--out', out, 'Record this'], io), 0);
    const recording = await readFile(out, 'utf8');
    assert.match(recording, /Record this/);

    const model = createLiveModel({ baseURL: upstream.url, apiKey: KEY, protocol: 'responses' });
    const everything = [...seen, ...logged, recording, io.out(), io.err(), inspect(model, { depth: 10, showHidden: true }), JSON.stringify(model)].join('\n');
    assert.ok(seen.length >= 8, `saw ${seen.length} answers`);
    assert.not.ok(everything.includes(KEY), 'the key appears nowhere');
    assert.not.ok(everything.includes('7f3a9c1e'), 'not even in part');
  } finally {
    await rm(directory, { recursive: true, force: true });
    await shim.close();
    await upstream.close();
  }
});

test('serve --model-api-key-env reads the key from the environment and prints only where the model is', async () => {
  const backend = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  const upstream = await startResponsesProxy(backend.url);
  const controller = new AbortController();
  const io = { ...captureIO({ MODEL_KEY: KEY, NO_COLOR: '1' }), signal: controller.signal };
  try {
    const exit = runCli(['serve', '--model-base-url', upstream.url, '--model-api-key-env', 'MODEL_KEY', '--model-protocol', 'responses'], io);
    while (!io.out().includes('/v1')) await new Promise((resolve) => setTimeout(resolve, 5));
    const url = /listening on (\S+\/v1)/.exec(io.out())?.[1];
    assert.type(url, 'string');
    const openai = new OpenAI({ baseURL: url, apiKey: 'client-key', maxRetries: 0 });
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hello' }] } }, { pollIntervalMs: 5 });
    assert.is(run.status, 'completed');
    assert.is(upstream.requests.at(-1)?.headers['authorization'], `Bearer ${KEY}`);
    controller.abort();
    assert.is(await exit, 0);
    assert.match(io.out(), new RegExp(`model: Responses API at ${upstream.url.replace(/[/.]/g, '\\$&')}, with a key`));
    assert.not.ok(`${io.out()}${io.err()}`.includes(KEY));
  } finally {
    controller.abort();
    await upstream.close();
    await backend.close();
  }
});

test('serve refuses a key variable that is not set, naming the variable, and a protocol it does not know', async () => {
  const unset = captureIO({});
  assert.is(await runCli(['serve', '--model-base-url', 'http://127.0.0.1:9/v1', '--model-api-key-env', 'NOT_THERE'], unset), 2);
  assert.match(unset.err(), /--model-api-key-env names NOT_THERE, but that environment variable is not set/);
  const protocol = captureIO({});
  assert.is(await runCli(['serve', '--model-base-url', 'http://127.0.0.1:9/v1', '--model-protocol', 'grpc'], protocol), 2);
  assert.match(protocol.err(), /--model-protocol must be one of responses, chat, got "grpc"/);
  const stray = captureIO({});
  assert.is(await runCli(['serve', '--model-protocol', 'chat'], stray), 2);
  assert.match(stray.err(), /--model-protocol needs --model-base-url/);
  const badUrl = captureIO({});
  assert.is(await runCli(['serve', '--model-base-url', 'ftp://example'], badUrl), 2);
  assert.match(badUrl.err(), /--model-base-url must be an http\(s\) URL, got "ftp:\/\/example"/);
});

test.run();
