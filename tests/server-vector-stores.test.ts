import { toFile } from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ t: TestServer }>('files and vector stores');

test.before(async (context) => {
  context.t = await startTestServer({ pace: { deltaDelayMs: 0, stepDelayMs: 5 } });
});
test.after(async ({ t }) => {
  assert.equal(t.internalErrors, []);
  await t.close();
});

const text = (name: string, content: string) => toFile(Buffer.from(content), name);

test('files: multipart upload, retrieve, list by purpose, content, delete', async ({ t }) => {
  const file = await t.openai.files.create({ file: await text('notes.txt', 'héllo wörld'), purpose: 'assistants' });
  assert.equal([file.object, file.filename, file.bytes, file.purpose, file.status], ['file', 'notes.txt', Buffer.byteLength('héllo wörld'), 'assistants', 'processed']);
  assert.ok(file.id.startsWith('file-') && Math.abs(file.created_at - Date.now() / 1000) < 5);
  assert.equal(await t.openai.files.retrieve(file.id), file);
  const other = await t.openai.files.create({ file: await text('data.jsonl', '{}'), purpose: 'batch' });
  assert.equal((await t.openai.files.list({ purpose: 'assistants' })).data.map((listed) => listed.id), [file.id]);
  assert.is(await (await t.openai.files.content(file.id)).text(), 'héllo wörld');
  assert.equal(await t.openai.files.delete(other.id), { id: other.id, object: 'file', deleted: true });
  assert.is((await t.request(`/files/${other.id}`)).status, 404);
});

test('files: a missing file or purpose is a 400 naming it', async ({ t }) => {
  const form = new FormData();
  form.set('purpose', 'assistants');
  const noFile = await fetch(`${t.server.url}/files`, { method: 'POST', body: form });
  assert.equal([noFile.status, ((await noFile.json()) as { error: { param: string } }).error.param], [400, 'file']);
  const badPurpose = new FormData();
  badPurpose.set('file', new Blob(['x']), 'x.txt');
  badPurpose.set('purpose', 'fun');
  const response = await fetch(`${t.server.url}/files`, { method: 'POST', body: badPurpose });
  assert.equal([response.status, ((await response.json()) as { error: { param: string } }).error.param], [400, 'purpose']);
});

test('vectorStores.files.uploadAndPoll: in_progress, then completed with its bytes counted', async ({ t }) => {
  const store = await t.openai.vectorStores.create({ name: 'kb' });
  assert.equal([store.status, store.file_counts.total], ['completed', 0]);
  const file = await t.openai.vectorStores.files.uploadAndPoll(store.id, await text('faq.md', 'Shipping takes three days.'), { pollIntervalMs: 2 });
  assert.equal([file.status, file.last_error, file.usage_bytes, file.vector_store_id], ['completed', null, 26, store.id]);
  const updated = await t.openai.vectorStores.retrieve(store.id);
  assert.equal([updated.status, updated.usage_bytes, updated.file_counts], ['completed', 26, { in_progress: 0, completed: 1, failed: 0, cancelled: 0, total: 1 }]);
  const content = await t.request(`/vector_stores/${store.id}/files/${file.id}/content`);
  assert.equal(await content.json(), {
    object: 'vector_store.file_content.page',
    data: [{ type: 'text', text: 'Shipping takes three days.' }],
    has_more: false,
    next_page: null,
  });
});

test('an unsupported or binary file ends failed with a last_error code', async ({ t }) => {
  const store = await t.openai.vectorStores.create({ name: 'mixed' });
  const binary = await t.openai.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from([0x89, 0x50, 0x00, 0x01]), 'blob.txt'), { pollIntervalMs: 2 });
  assert.equal([binary.status, binary.last_error?.code], ['failed', 'invalid_file']);
  const image = await t.openai.vectorStores.files.uploadAndPoll(store.id, await text('photo.png', 'not really'), { pollIntervalMs: 2 });
  assert.equal([image.status, image.last_error?.code], ['failed', 'unsupported_file']);
  const pdf = await t.openai.vectorStores.files.uploadAndPoll(store.id, await text('paper.pdf', '%PDF-1.7'), { pollIntervalMs: 2 });
  assert.equal([pdf.status, pdf.last_error?.code], ['failed', 'unsupported_file']);
  const counts = (await t.openai.vectorStores.retrieve(store.id)).file_counts;
  assert.equal(counts, { in_progress: 0, completed: 0, failed: 3, cancelled: 0, total: 3 });
  const failed = await t.openai.vectorStores.files.list(store.id, { filter: 'failed' });
  assert.is(failed.data.length, 3);
});

test('fileBatches.uploadAndPoll: honest file_counts, and the batch lists its files', async ({ t }) => {
  const store = await t.openai.vectorStores.create({ name: 'batch' });
  const batch = await t.openai.vectorStores.fileBatches.uploadAndPoll(
    store.id,
    { files: [await text('a.md', 'Alpha document.'), await text('b.txt', 'Beta document.'), await text('c.exe', 'MZ')] },
    { pollIntervalMs: 2 },
  );
  assert.equal([batch.object, batch.status, batch.file_counts], [
    'vector_store.files_batch',
    'completed',
    { in_progress: 0, completed: 2, failed: 1, cancelled: 0, total: 3 },
  ]);
  const files = await t.openai.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id });
  assert.equal(files.data.map((file) => file.status).sort(), ['completed', 'completed', 'failed']);
});

test('a batch cancelled while processing: its files are cancelled, and so is it', async () => {
  const slow = await startTestServer({ pace: { deltaDelayMs: 0, stepDelayMs: 10_000 } });
  try {
    const ids = [];
    for (const name of ['x.txt', 'y.txt']) ids.push((await slow.openai.files.create({ file: await text(name, 'words'), purpose: 'assistants' })).id);
    const store = await slow.openai.vectorStores.create({ name: 'slow' });
    const batch = await slow.openai.vectorStores.fileBatches.create(store.id, { file_ids: ids });
    assert.equal([batch.status, batch.file_counts.in_progress], ['in_progress', 2]);
    const cancelled = await slow.openai.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id });
    assert.equal([cancelled.status, cancelled.file_counts], ['cancelled', { in_progress: 0, completed: 0, failed: 0, cancelled: 2, total: 2 }]);
    assert.is((await slow.openai.vectorStores.retrieve(store.id)).status, 'completed');
    const again = await slow.request(`/vector_stores/${store.id}/file_batches/${batch.id}/cancel`, { method: 'POST' });
    assert.is(again.status, 400);
  } finally {
    await slow.close();
  }
});

test('vector stores: modify, list, delete; deleting a file detaches it everywhere', async ({ t }) => {
  const file = await t.openai.files.create({ file: await text('shared.txt', 'Shared text.'), purpose: 'assistants' });
  const one = await t.openai.vectorStores.create({ name: 'one', file_ids: [file.id], metadata: { team: 'a' } });
  const two = await t.openai.vectorStores.create({ name: 'two', file_ids: [file.id] });
  await t.openai.vectorStores.files.poll(one.id, file.id, { pollIntervalMs: 2 });
  const renamed = await t.openai.vectorStores.update(one.id, { name: 'uno', metadata: { team: 'b' } });
  assert.equal([renamed.name, renamed.metadata], ['uno', { team: 'b' }]);
  const listed = await t.openai.vectorStores.list({ order: 'asc' });
  assert.ok(listed.data.some((store) => store.id === one.id) && listed.data.some((store) => store.id === two.id));
  await t.openai.files.delete(file.id);
  assert.equal((await t.openai.vectorStores.files.list(one.id)).data, []);
  assert.is((await t.openai.vectorStores.retrieve(two.id)).file_counts.total, 0);
  assert.equal(await t.openai.vectorStores.delete(two.id), { id: two.id, object: 'vector_store.deleted', deleted: true });
  assert.is((await t.request(`/vector_stores/${two.id}`)).status, 404);
});

test('a vector store file can be detached and its attributes updated; search ranks passages', async ({ t }) => {
  const store = await t.openai.vectorStores.create({ name: 'search' });
  const file = await t.openai.vectorStores.files.uploadAndPoll(store.id, await text('pets.md', 'Cats sleep a lot. Dogs like walks.'), { pollIntervalMs: 2 });
  const updated = await t.openai.vectorStores.files.update(file.id, { vector_store_id: store.id, attributes: { kind: 'pets' } });
  assert.equal(updated.attributes, { kind: 'pets' });
  const results = await t.openai.vectorStores.search(store.id, { query: 'cats' });
  assert.equal(results.data.map((result) => [result.file_id, result.filename]), [[file.id, 'pets.md']]);
  assert.equal(await t.openai.vectorStores.files.delete(file.id, { vector_store_id: store.id }), {
    id: file.id,
    object: 'vector_store.file.deleted',
    deleted: true,
  });
  assert.is((await t.openai.files.retrieve(file.id)).id, file.id, 'the file itself stays');
});

test.run();
