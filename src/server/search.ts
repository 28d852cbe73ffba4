/**
 * file_search without embeddings: files are cut into overlapping chunks of words, and a query
 * ranks the chunks by BM25 over its words, scaled to the API's 0..1 score. Deterministic and
 * explainable, which is what a test backend needs; the ranking is real, so a question finds
 * the passage that talks about it.
 */

/** How a file is cut into chunks; a whitespace-separated word stands for one token. */
export interface ChunkingOptions {
  maxChunkSizeTokens: number;
  chunkOverlapTokens: number;
}

/** The API's `auto` chunking strategy: 800 tokens, 400 of them shared with the next chunk. */
export const AUTO_CHUNKING: ChunkingOptions = { maxChunkSizeTokens: 800, chunkOverlapTokens: 400 };

/** One searchable file: its chunks, verbatim slices of its text, and their embeddings when it has them. */
export interface SearchDocument {
  fileId: string;
  filename: string;
  chunks: readonly string[];
  /** One unit-length embedding per chunk (semantic search), if the file was embedded. */
  vectors?: readonly Float32Array[] | undefined;
}

/** One ranked chunk. */
export interface SearchHit {
  fileId: string;
  filename: string;
  /** 0..1: the share of the query's (idf-weighted) words the chunk covers, saturating with repetition. */
  score: number;
  text: string;
}

/** Options of {@link searchDocuments}, named as in the file_search tool definition. */
export interface SearchOptions {
  /** At most this many hits (the tool's `max_num_results`; default 20). */
  maxResults?: number;
  /** Hits scoring below this are dropped (the tool's `ranking_options.score_threshold`). */
  scoreThreshold?: number;
}

/**
 * Cuts text into chunks of at most `maxChunkSizeTokens` words, each overlapping the previous
 * by `chunkOverlapTokens` words. Chunks are slices of the original text (spacing kept).
 *
 * @example `chunkText('a b c d e', { maxChunkSizeTokens: 3, chunkOverlapTokens: 1 }) // ['a b c', 'c d e']`
 */
export function chunkText(text: string, { maxChunkSizeTokens, chunkOverlapTokens }: ChunkingOptions): string[] {
  const words = [...text.matchAll(/\S+/g)].map((match) => ({ start: match.index, end: match.index + match[0].length }));
  if (words.length === 0) return [];
  const stride = Math.max(1, maxChunkSizeTokens - chunkOverlapTokens);
  const chunks: string[] = [];
  for (let first = 0; ; first += stride) {
    const last = Math.min(first + maxChunkSizeTokens, words.length) - 1;
    chunks.push(text.slice(words[first]!.start, words[last]!.end));
    if (last === words.length - 1) return chunks;
  }
}

// Words too common to say what a question is about.
const STOP_WORDS = new Set(
  (
    'a an and are as at be by can could did do does for from had has have how i in is it its me my of on or our ' +
    'please should so tell than that the their them there these they this to was we were what when where which ' +
    'who why will with would you your about any find search files file document documents say says said'
  ).split(' '),
);

/** Lower-cased word stems; stop words are dropped unless nothing else is left. */
export function queryTerms(text: string): string[] {
  const words = wordsOf(text);
  const meaningful = words.filter((word) => !STOP_WORDS.has(word));
  return [...new Set((meaningful.length > 0 ? meaningful : words).map(stem))];
}

function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

// Just enough stemming for plurals: "refunds" finds "refund", "policies" finds "policy".
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

const K1 = 1.2;
const B = 0.75;

/**
 * Ranks every chunk of `documents` against `query` (BM25, scaled to 0..1), best first.
 *
 * @example
 * ```ts
 * const hits = searchDocuments('refund policy', [{ fileId: 'file-1', filename: 'faq.md', chunks }]);
 * hits[0]?.text; // the chunk that talks about refunds
 * ```
 */
export function searchDocuments(query: string, documents: readonly SearchDocument[], options: SearchOptions = {}): SearchHit[] {
  const threshold = options.scoreThreshold ?? 0;
  return scoreChunks(query, documents)
    .filter((scored) => scored.score >= threshold)
    .sort((a, b) => b.score - a.score)
    .slice(0, options.maxResults ?? 20)
    .map(({ document, text, score }) => ({ fileId: document.fileId, filename: document.filename, score, text }));
}

/** One chunk with its BM25 score (0..1) against a query. */
export interface ScoredChunk {
  document: SearchDocument;
  /** Its index in `document.chunks`. */
  chunk: number;
  text: string;
  score: number;
}

/**
 * Every chunk of `documents` that shares a word stem with `query`, with its BM25 score scaled to
 * 0..1, in document order (not sorted): what {@link searchDocuments} ranks, and what a hybrid
 * ranking fuses with another.
 *
 * @example `scoreChunks('refund policy', documents).length // the chunks that mention either word`
 */
export function scoreChunks(query: string, documents: readonly SearchDocument[]): ScoredChunk[] {
  const terms = queryTerms(query);
  const chunks = documents.flatMap((document) =>
    document.chunks.map((text, chunk) => ({ document, chunk, text, stems: wordsOf(text).map(stem) })),
  );
  if (terms.length === 0 || chunks.length === 0) return [];
  const averageLength = chunks.reduce((sum, chunk) => sum + chunk.stems.length, 0) / chunks.length;
  const idf = new Map(
    terms.map((term) => {
      const containing = chunks.filter((chunk) => chunk.stems.includes(term)).length;
      return [term, Math.log(1 + (chunks.length - containing + 0.5) / (containing + 0.5))];
    }),
  );
  const totalWeight = [...idf.values()].reduce((sum, weight) => sum + weight, 0);
  const scored: ScoredChunk[] = [];
  for (const chunk of chunks) {
    let weighted = 0;
    for (const term of terms) {
      const frequency = chunk.stems.filter((word) => word === term).length;
      if (frequency === 0) continue;
      const saturation = (frequency * (K1 + 1)) / (frequency + K1 * (1 - B + (B * chunk.stems.length) / averageLength));
      weighted += idf.get(term)! * (saturation / (K1 + 1));
    }
    const score = Math.round((weighted / totalWeight) * 10_000) / 10_000;
    if (score > 0) scored.push({ document: chunk.document, chunk: chunk.chunk, text: chunk.text, score });
  }
  return scored;
}

/**
 * The sentence of `text` that mentions the most words of `query` (the first such one), verbatim:
 * what an answer quotes.
 *
 * @example `bestPassage('refund', 'Hi. Refunds take 5 days. Bye.') // 'Refunds take 5 days.'`
 */
export function bestPassage(query: string, text: string): string {
  const terms = new Set(queryTerms(query));
  const sentences = (text.match(/[^.!?\n]+[.!?]*/g) ?? []).map((sentence) => sentence.trim()).filter((sentence) => sentence !== '');
  let best = sentences[0] ?? text.trim();
  let bestCount = 0;
  for (const sentence of sentences) {
    const count = new Set(wordsOf(sentence).map(stem).filter((word) => terms.has(word))).size;
    if (count > bestCount) {
      best = sentence;
      bestCount = count;
    }
  }
  return best;
}
