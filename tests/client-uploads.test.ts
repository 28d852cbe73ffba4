import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { APIUserAbortError, AssistantsClient, BadRequestError, BatchUploadError } from '../src/index.ts';
import { fakeFetch, type FetchCall } from './helpers/fakeFetch.ts';

// Uploads go as multipart; batch uploads run with bounded concurrency and report every failure.

const base = 'http://127.0.0.1:9/v1';
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fake API for uploads and vector stores; `failNames` get a 400 on upload. */
function uploadAPI(failNames: string[] = []) {
  let inFlight = 0;
  let maxInFlight = 0;
  let nextFile = 0;
  const double = fakeFetch(async (call: FetchCall) => {
    const path = new URL(call.url).pathname.slice(3);
    if (call.method === 'POST' && path === '/files') {
      const file = (call.body as FormData).get('file') as File;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      for (let i = 0; i < 3; i++) await tick();
      inFlight--;
      if (failNames.includes(file.name)) return Response.json({ error: { message: `unsupported file ${file.name}`, type: 'invalid_request_error' } }, { status: 400 });
      return { id: `file-${file.name}-${nextFile++}`, object: 'file', filename: file.name, purpose: 'assistants', bytes: file.size };
    }
    if (call.method === 'POST' && path === '/vector_stores/vs_1/files') return { id: JSON.parse(call.body as string).file_id, object: 'vector_store.file', status: 'in_progress' };
    if (call.method === 'GET' && path.startsWith('/vector_stores/vs_1/files/')) return { id: path.split('/').pop(), object: 'vector_store.file', status: 'completed' };
    if (call.method === 'POST' && path === '/vector_stores/vs_1/file_batches') return { id: 'vsfb_1', object: 'vector_store.files_batch', status: 'in_progress', file_ids: JSON.parse(call.body as string).file_ids };
    if (call.method === 'GET' && path === '/vector_stores/vs_1/file_batches/vsfb_1') return { id: 'vsfb_1', object: 'vector_store.files_batch', status: 'completed' };
    return Response.json({ error: { message: `no route ${call.method} ${path}` } }, { status: 404 });
  });
  return { ...double, maxInFlight: () => maxInFlight };
}

const files = (...names: string[]) => names.map((name) => new File([`contents of ${name}`], name, { type: 'text/plain' }));

test('files.create sends multipart: the file with its name, purpose and nested fields', async () => {
  const { fetch, calls } = uploadAPI();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  const blob = Object.assign(new Blob(['# notes']), { name: 'notes.md' });
  await client.files.create({ file: blob, purpose: 'assistants', expires_after: { anchor: 'created_at', seconds: 3600 } });
  const form = calls[0]!.body as FormData;
  assert.instance(form, FormData);
  assert.is((form.get('file') as File).name, 'notes.md');
  assert.is(await (form.get('file') as File).text(), '# notes');
  assert.is(form.get('purpose'), 'assistants');
  assert.is(form.get('expires_after[anchor]'), 'created_at');
  assert.is(form.get('expires_after[seconds]'), '3600');
  assert.is(calls[0]!.headers.get('content-type'), null, 'fetch sets the multipart boundary');
  assert.is(calls[0]!.headers.get('openai-beta'), null);
});

test('vectorStores.files.uploadAndPoll: upload, attach, poll', async () => {
  const { fetch, calls } = uploadAPI();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch });
  const file = await client.vectorStores.files.uploadAndPoll('vs_1', files('faq.md')[0]!, { pollIntervalMs: 0 });
  assert.is(file.status, 'completed');
  assert.equal(calls.map((call) => `${call.method} ${new URL(call.url).pathname}`), [
    'POST /v1/files',
    'POST /v1/vector_stores/vs_1/files',
    'GET /v1/vector_stores/vs_1/files/file-faq.md-0',
  ]);
  assert.is(calls[2]!.headers.get('x-stainless-poll-helper'), 'true');
});

test('fileBatches.uploadAndPoll uploads at most maxConcurrency at once, then batches the ids in file order', async () => {
  const api = uploadAPI();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch: api.fetch });
  const batch = await client.vectorStores.fileBatches.uploadAndPoll('vs_1', { files: files('a', 'b', 'c', 'd', 'e'), fileIds: ['file-old'] }, { maxConcurrency: 2, pollIntervalMs: 0 });
  assert.is(batch.status, 'completed');
  assert.is(api.maxInFlight(), 2);
  const create = api.calls.find((call) => call.url.endsWith('/file_batches'))!;
  const ids = JSON.parse(create.body as string).file_ids as string[];
  assert.equal(ids.map((id) => id.split('-')[1]), ['old', 'a', 'b', 'c', 'd', 'e']);
});

test('the default concurrency is 5', async () => {
  const api = uploadAPI();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch: api.fetch });
  await client.vectorStores.fileBatches.uploadAndPoll('vs_1', { files: files('1', '2', '3', '4', '5', '6', '7') }, { pollIntervalMs: 0 });
  assert.is(api.maxInFlight(), 5);
});

test('failed uploads: every file is tried, no batch is created, and the error says which failed and why', async () => {
  const api = uploadAPI(['b', 'd']);
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch: api.fetch });
  const error = await client.vectorStores.fileBatches
    .uploadAndPoll('vs_1', { files: files('a', 'b', 'c', 'd'), fileIds: ['file-old'] }, { maxConcurrency: 2 })
    .then(() => undefined, (thrown: unknown) => thrown);
  assert.instance(error, BatchUploadError);
  const report = error as BatchUploadError;
  assert.is(report.kind, 'batch-upload');
  assert.equal(report.failures.map((failure) => [failure.index, failure.fileName]), [[1, 'b'], [3, 'd']]);
  for (const failure of report.failures) assert.instance(failure.error, BadRequestError);
  assert.equal(report.uploadedFileIds.map((id) => id.split('-')[1]), ['old', 'a', 'c']);
  assert.match(report.message, '2 of 4 files failed to upload');
  assert.match(report.message, 'b: 400 unsupported file b');
  assert.is(api.calls.filter((call) => call.url.endsWith('/files')).length, 4);
  assert.is(api.calls.filter((call) => call.url.endsWith('/file_batches')).length, 0);
});

test('aborting a batch upload rejects with APIUserAbortError, not a failure report', async () => {
  const api = uploadAPI();
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch: api.fetch });
  const controller = new AbortController();
  const uploading = client.vectorStores.fileBatches.uploadAndPoll('vs_1', { files: files('a', 'b', 'c') }, { maxConcurrency: 1, signal: controller.signal });
  await tick();
  controller.abort();
  assert.instance(await uploading.then(() => undefined, (thrown: unknown) => thrown), APIUserAbortError);
  assert.is(api.calls.filter((call) => call.url.endsWith('/file_batches')).length, 0);
});

test.run();
