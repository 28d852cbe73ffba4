import { scoreChunks, searchDocuments, type SearchDocument, type SearchHit, type SearchOptions } from '../search.ts';
import { dot } from './vectors.ts';

/**
 * Reciprocal rank fusion's constant: a chunk at rank r of a list adds 1 / (K + r). 60 is the
 * value of Cormack, Clarke and Büttcher (SIGIR 2009), where it beat tuned score combinations;
 * it keeps one list's first places from drowning the other's.
 */
export const RRF_K = 60;

// The fused score of a chunk first in both lists: scores are divided by it, so they stay in
// the API's 0..1 (and `score_threshold` keeps its meaning: 1 is the best possible).
const BEST_FUSED = 2 / (RRF_K + 1);

/**
 * Ranks the chunks of `documents` for `query` by words and by meaning together: BM25 over the
 * chunks' words, cosine similarity of the chunks' embeddings to `queryVector`, fused by
 * reciprocal rank fusion (each list contributes 1 / (60 + rank) for a chunk it ranks). RRF
 * because the two scores live on scales that cannot be compared (BM25 grows with rare words,
 * cosines of one model cluster in a narrow band), and fusing ranks needs no normalisation and no
 * weight to tune per corpus — which a server that cannot see its users' labelled queries has no
 * way to do. A chunk the words miss but the meaning finds (a paraphrase) still ranks; a chunk
 * both find ranks first. Chunks without a vector (indexed before embeddings were configured)
 * take part through BM25 alone; without `queryVector` this is plain BM25. Chunks the fusion
 * cannot tell apart (each found by one list only, at the same rank) are ordered by their
 * stronger raw score (BM25's 0..1 or the cosine), so a strong paraphrase is not left behind an
 * accidental one-word match.
 *
 * @example `hybridSearch('how do I get my money back', await embedder.embed([query])[0], documents, { maxResults: 5 })`
 */
export function hybridSearch(query: string, queryVector: Float32Array | undefined, documents: readonly SearchDocument[], options: SearchOptions = {}): SearchHit[] {
  if (queryVector === undefined || !documents.some((document) => document.vectors !== undefined)) return searchDocuments(query, documents, options);
  const key = (document: SearchDocument, chunk: number) => `${document.fileId}\u0000${chunk}`;
  const fused = new Map<string, { document: SearchDocument; chunk: number; score: number; evidence: number }>();
  const add = (ranked: ReadonlyArray<{ document: SearchDocument; chunk: number; evidence: number }>) => {
    for (const [rank, { document, chunk, evidence }] of ranked.entries()) {
      const entry = fused.get(key(document, chunk)) ?? { document, chunk, score: 0, evidence: 0 };
      entry.score += 1 / (RRF_K + rank + 1);
      entry.evidence = Math.max(entry.evidence, evidence);
      fused.set(key(document, chunk), entry);
    }
  };
  add(scoreChunks(query, documents).sort((a, b) => b.score - a.score).map((scored) => ({ ...scored, evidence: scored.score })));
  const bySimilarity: Array<{ document: SearchDocument; chunk: number; similarity: number; evidence: number }> = [];
  for (const document of documents) {
    for (const [chunk, vector] of (document.vectors ?? []).entries()) {
      const similarity = dot(vector, queryVector);
      // Orthogonal or opposed: nothing in common, not a match however the list is cut.
      if (similarity > 0) bySimilarity.push({ document, chunk, similarity, evidence: similarity });
    }
  }
  add(bySimilarity.sort((a, b) => b.similarity - a.similarity));
  const threshold = options.scoreThreshold ?? 0;
  return (
    [...fused.values()]
      // Ranks decide; where they cannot (a chunk only the words found at rank r, another only the
      // meaning found at the same rank), the stronger single piece of evidence goes first.
      .sort((a, b) => b.score - a.score || b.evidence - a.evidence)
      .map(({ document, chunk, score }) => ({ fileId: document.fileId, filename: document.filename, text: document.chunks[chunk]!, score: Math.round((score / BEST_FUSED) * 10_000) / 10_000 }))
      .filter((hit) => hit.score >= threshold)
      .slice(0, options.maxResults ?? 20)
  );
}
