// Semantic file search: with embeddings configured, each file's chunks are embedded through the
// upstream's /v1/embeddings (here a loopback bag-of-synonyms embedding), the vectors kept with
// the chunks, and a query ranked by BM25 and cosine together (reciprocal rank fusion). A
// paraphrased question finds the passage BM25 alone misses; words still count; the vectors
// survive a restart; a file whose chunks cannot be embedded fails with a reason.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toFile } from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { apiError, startLoopback, type Loopback } from './helpers/loopback.ts';
import { RECALL_SET, recallAt, vectorStoreOfPassages } from './helpers/recall.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { startSynonymEmbeddings } from './helpers/synonymEmbeddings.ts';

const PARAPHRASE = 'Can I bring my puppy to the workplace at the end of the week?';

const test = suite<{ embeddings: Loopback; hybrid: TestServer; lexical: TestServer }>('semantic file search');
test.before(async (context) => {
  context.embeddings = await startSynonymEmbeddings();
  context.hybrid = await startTestServer({ embeddings: { baseURL: context.embeddings.url, model: 'synonyms-1' } });
  context.lexical = await startTestServer();
});
test.after(async ({ embeddings, hybrid, lexical }) => {
  await hybrid?.close();
  await lexical?.close();
  await embeddings?.close();
});

test('a paraphrased question finds the passage BM25 alone misses', async ({ hybrid, lexical }) => {
  const onLexical = await vectorStoreOfPassages(lexical.openai);
  const missed = await lexical.openai.vectorStores.search(onLexical.vectorStoreId, { query: PARAPHRASE, max_num_results: 5 });
  assert.not.ok(missed.data.some((hit) => onLexical.fileNames.get(hit.file_id) === 'pets.md'), 'BM25 alone finds no shared word');

  const onHybrid = await vectorStoreOfPassages(hybrid.openai);
  const found = await hybrid.openai.vectorStores.search(onHybrid.vectorStoreId, { query: PARAPHRASE, max_num_results: 5 });
  assert.is(onHybrid.fileNames.get(found.data[0]!.file_id), 'pets.md');
  assert.match(found.data[0]!.content[0]!.text, /Dogs are welcome in the office on Fridays/);
  assert.ok(found.data[0]!.score > 0 && found.data[0]!.score <= 1, 'scores stay in 0..1');
  assert.equal(hybrid.internalErrors, []);
});

test('chunks go to the embeddings API with the configured model, in batches; each query once', async ({ embeddings, hybrid }) => {
  const before = embeddings.requests.length;
  const { vectorStoreId } = await vectorStoreOfPassages(hybrid.openai);
  const bodies = embeddings.requests.slice(before).map((request) => JSON.parse(request.body) as { model: string; input: string[] });
  assert.ok(bodies.every((body) => body.model === 'synonyms-1'));
  assert.is(bodies.flatMap((body) => body.input).length, Object.keys(RECALL_SET.passages).length, 'each chunk embedded once');
  const searched = embeddings.requests.length;
  await hybrid.openai.vectorStores.search(vectorStoreId, { query: 'dogs' });
  assert.is(embeddings.requests.length, searched + 1);
});

test('a run\'s file_search cites the paraphrased passage', async ({ hybrid }) => {
  const { vectorStoreId, fileNames } = await vectorStoreOfPassages(hybrid.openai);
  const assistant = await hybrid.openai.beta.assistants.create({ model: 'scripted', tools: [{ type: 'file_search' }], tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } } });
  const run = await hybrid.openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: PARAPHRASE }] } }, { pollIntervalMs: 5 });
  assert.is(run.status, 'completed');
  const [answer] = (await hybrid.openai.beta.threads.messages.list(run.thread_id)).data;
  const content = answer!.content[0]!;
  assert.is(content.type, 'text');
  if (content.type !== 'text') return;
  const citation = content.text.annotations.find((annotation) => annotation.type === 'file_citation');
  assert.ok(citation !== undefined && citation.type === 'file_citation');
  assert.is(fileNames.get(citation.file_citation.file_id), 'pets.md');
});

test('recall@5 on the labelled set: fusion finds more than BM25 alone and keeps what BM25 finds', async ({ hybrid, lexical }) => {
  const withWords = await recallAt(lexical.openai, 5);
  const fused = await recallAt(hybrid.openai, 5);
  assert.ok(fused.recall > withWords.recall, `fused ${fused.recall} vs BM25 ${withWords.recall}`);
  for (const kind of ['lexical', 'code'] as const) {
    const byWords = await recallAt(hybrid.openai, 5, kind);
    assert.is(byWords.recall, 1, `${kind} questions, which BM25 answers, still found: missed ${byWords.missed.join('; ')}`);
  }
});

test('vectors are kept with the chunks: after a restart on SQLite the paraphrase is still found, nothing embedded again', async ({ embeddings }) => {
  const dir = await mkdtemp(join(tmpdir(), 'am-semantic-'));
  try {
    const options = { dataDir: dir, embeddings: { baseURL: embeddings.url, model: 'synonyms-1' } };
    const first = await startTestServer(options);
    const { vectorStoreId, fileNames } = await vectorStoreOfPassages(first.openai);
    await first.close();
    const second = await startTestServer(options);
    try {
      const before = embeddings.requests.length;
      const found = await second.openai.vectorStores.search(vectorStoreId, { query: PARAPHRASE, max_num_results: 1 });
      assert.is(fileNames.get(found.data[0]!.file_id), 'pets.md');
      assert.is(embeddings.requests.length, before + 1, 'only the query was embedded');
    } finally {
      await second.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file whose chunks cannot be embedded fails with a reason', async () => {
  const refusing = await startLoopback((_request, response) => apiError(response, 404, 'The model `synonyms-1` does not exist.'));
  const server = await startTestServer({ embeddings: { baseURL: refusing.url, model: 'synonyms-1', maxRetries: 0 } });
  try {
    const file = await server.openai.files.create({ file: await toFile(Buffer.from('Dogs are welcome.'), 'pets.md'), purpose: 'assistants' });
    const store = await server.openai.vectorStores.create({ file_ids: [file.id] });
    let status = 'in_progress';
    let lastError: { code: string; message: string } | null = null;
    for (let tries = 0; tries < 500 && status === 'in_progress'; tries += 1) {
      const current = await server.openai.vectorStores.files.retrieve(file.id, { vector_store_id: store.id });
      status = current.status;
      lastError = current.last_error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.is(status, 'failed');
    assert.is(lastError?.code, 'server_error');
    assert.match(lastError?.message ?? '', /^Embedding the file's chunks failed: The model API at .* answered 404: The model `synonyms-1` does not exist\./);
  } finally {
    await server.close();
    await refusing.close();
  }
});

test.run();
