import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, InvalidArgumentError } from '../src/index.ts';
import { fakeFetch } from './helpers/fakeFetch.ts';

// Bad input is an InvalidArgumentError that names the argument, thrown before any request.

function client() {
  const double = fakeFetch(() => ({ id: 'x', object: 'thread' }));
  return { client: new AssistantsClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', fetch: double.fetch }), calls: double.calls };
}

function argumentOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.instance(error, InvalidArgumentError);
    assert.is((error as InvalidArgumentError).kind, 'invalid-argument');
    return (error as InvalidArgumentError).argument;
  }
  throw new Error('expected an InvalidArgumentError');
}

async function rejectedArgument(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, InvalidArgumentError);
    return (error as InvalidArgumentError).argument;
  }
  throw new Error('expected an InvalidArgumentError');
}

test('the constructor: a missing key, a bad base URL, maxRetries or timeout', () => {
  const saved = process.env['OPENAI_API_KEY'];
  delete process.env['OPENAI_API_KEY'];
  try {
    assert.is(argumentOf(() => new AssistantsClient()), 'apiKey');
    assert.is(argumentOf(() => new AssistantsClient({ apiKey: '' })), 'apiKey');
  } finally {
    if (saved !== undefined) process.env['OPENAI_API_KEY'] = saved;
  }
  assert.is(argumentOf(() => new AssistantsClient({ apiKey: 'k', baseURL: 'localhost:8080' })), 'baseURL');
  assert.is(argumentOf(() => new AssistantsClient({ apiKey: 'k', maxRetries: -1 })), 'maxRetries');
  assert.is(argumentOf(() => new AssistantsClient({ apiKey: 'k', maxRetries: 1.5 })), 'maxRetries');
  assert.is(argumentOf(() => new AssistantsClient({ apiKey: 'k', timeoutMs: 0 })), 'timeoutMs');
  assert.is(argumentOf(() => new AssistantsClient({ apiKey: 'k', timeoutMs: 2 ** 31 })), 'timeoutMs');
});

test('the constructor reads OPENAI_API_KEY and OPENAI_BASE_URL, and defaults to 2 retries and 10 minutes', () => {
  const saved = { key: process.env['OPENAI_API_KEY'], url: process.env['OPENAI_BASE_URL'] };
  process.env['OPENAI_API_KEY'] = 'sk-env';
  process.env['OPENAI_BASE_URL'] = 'http://127.0.0.1:4010/v1';
  try {
    const fromEnv = new AssistantsClient();
    assert.is(fromEnv.baseURL, 'http://127.0.0.1:4010/v1');
    assert.is(fromEnv.maxRetries, 2);
    assert.is(fromEnv.timeoutMs, 600_000);
  } finally {
    for (const [name, value] of [['OPENAI_API_KEY', saved.key], ['OPENAI_BASE_URL', saved.url]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test('empty or missing ids name the argument and send nothing', async () => {
  const { client: c, calls } = client();
  assert.is(await rejectedArgument(c.beta.threads.retrieve('')), 'threadId');
  assert.is(await rejectedArgument(c.beta.threads.runs.retrieve('run_1', { thread_id: '' })), 'threadId');
  assert.is(await rejectedArgument(c.beta.threads.runs.cancel('', { thread_id: 'thread_1' })), 'runId');
  assert.is(await rejectedArgument(c.beta.threads.messages.retrieve('..', { thread_id: 'thread_1' })), 'messageId');
  assert.is(await rejectedArgument(c.vectorStores.files.retrieve('file-1', { vector_store_id: undefined as unknown as string })), 'vectorStoreId');
  assert.is(argumentOf(() => c.beta.threads.runs.stream(null as unknown as string, { assistant_id: 'a' })), 'threadId');
  assert.is(calls.length, 0);
});

test('ids are percent-encoded, so one cannot reach another endpoint', async () => {
  const { client: c, calls } = client();
  await c.beta.threads.retrieve('thread_1/runs?x=1');
  assert.is(calls[0]!.url, 'http://127.0.0.1:9/v1/threads/thread_1%2Fruns%3Fx%3D1');
});

test('stream: true on a JSON call points at the stream helper', async () => {
  const { client: c, calls } = client();
  const body = { assistant_id: 'a', stream: true } as unknown as { assistant_id: string };
  assert.is(await rejectedArgument(c.beta.threads.runs.create('thread_1', body)), 'runs.create body.stream');
  assert.is(await rejectedArgument(c.beta.threads.createAndRun(body)), 'threads.createAndRun body.stream');
  assert.is(calls.length, 0);
});

test('uploads need a File or a named Blob', async () => {
  const { client: c, calls } = client();
  assert.is(await rejectedArgument(c.files.create({ file: new Blob(['x']) as File, purpose: 'assistants' })), 'body.file');
  assert.is(await rejectedArgument(c.files.create({ file: 'notes.txt' as unknown as File, purpose: 'assistants' })), 'body.file');
  assert.is(await rejectedArgument(c.vectorStores.files.uploadAndPoll('vs_1', new Blob(['x']) as File)), 'file');
  assert.is(calls.length, 0);
});

test('fileBatches.uploadAndPoll: no files, a bad file or a bad maxConcurrency is refused before any upload', async () => {
  const { client: c, calls } = client();
  const file = new File(['x'], 'a.txt');
  assert.is(await rejectedArgument(c.vectorStores.fileBatches.uploadAndPoll('vs_1', { files: [], fileIds: ['file-1'] })), 'files');
  assert.is(await rejectedArgument(c.vectorStores.fileBatches.uploadAndPoll('vs_1', { files: [file, new Blob(['y']) as File] })), 'files[1]');
  for (const maxConcurrency of [0, -1, 1.5, Number.NaN]) {
    assert.is(await rejectedArgument(c.vectorStores.fileBatches.uploadAndPoll('vs_1', { files: [file] }, { maxConcurrency })), 'options.maxConcurrency');
  }
  assert.is(await rejectedArgument(c.vectorStores.fileBatches.uploadAndPoll('vs_1', { files: [file] }, { pollIntervalMs: -5 })), 'options.pollIntervalMs');
  assert.is(calls.length, 0);
});

test.run();
