// recall@5 of file_search on the labelled set of tests/fixtures/semantic/recall-set.json: BM25
// alone (a server without embeddings), cosine alone (the same embedding, ranked directly) and
// the server's fusion of both (reciprocal rank fusion). The embedding is the tests' bag of
// synonyms (tests/helpers/synonymEmbeddings.ts) on loopback: no model can be downloaded here,
// so the numbers show what fusion does with what an embedding knows, not a real model's recall.
//
//   npm run bench:semantic
import { startTestServer } from '../tests/helpers/server.ts';
import { RECALL_SET, recallAt } from '../tests/helpers/recall.ts';
import { startSynonymEmbeddings, synonymEmbedding } from '../tests/helpers/synonymEmbeddings.ts';
import { dot, unitVector } from '../src/server/semantic/vectors.ts';

const K = 5;
const embeddings = await startSynonymEmbeddings();
const lexical = await startTestServer();
const hybrid = await startTestServer({ embeddings: { baseURL: embeddings.url, model: 'synonyms-1' } });
try {
  const rows: Array<[string, string, string, string]> = [];
  for (const kind of ['paraphrase', 'lexical', 'code', undefined] as const) {
    const questions = RECALL_SET.questions.filter((question) => kind === undefined || question.kind === kind);
    const words = await recallAt(lexical.openai, K, kind);
    const fused = await recallAt(hybrid.openai, K, kind);
    rows.push([kind ?? 'all', `${words.total - words.missed.length}/${words.total}`, `${cosineHits(questions)}/${questions.length}`, `${fused.total - fused.missed.length}/${fused.total}`]);
    if (kind === undefined && fused.missed.length > 0) console.log(`fusion missed: ${fused.missed.join(' | ')}`);
  }
  console.log(`recall@${K} on ${RECALL_SET.questions.length} questions over ${Object.keys(RECALL_SET.passages).length} files`);
  console.log('| questions | BM25 alone | cosine alone | fused (RRF) |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  await hybrid.close();
  await lexical.close();
  await embeddings.close();
}

function cosineHits(questions: typeof RECALL_SET.questions): number {
  const passages = Object.entries(RECALL_SET.passages).map(([name, text]) => ({ name, vector: unitVector(synonymEmbedding(text)) }));
  let hits = 0;
  for (const { question, answer } of questions) {
    const query = unitVector(synonymEmbedding(question));
    const ranked = passages
      .map((passage) => ({ name: passage.name, similarity: dot(passage.vector, query) }))
      .filter((passage) => passage.similarity > 0)
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, K);
    if (ranked.some((passage) => passage.name === answer)) hits += 1;
  }
  return hits;
}
