import { nowSeconds } from './ids.ts';
import { emptyFileCounts, type FileCounts, type StoredChunkingStrategy, type VectorStoreFile } from './objects.ts';
import type { ChunkingStrategyInput } from '../wire/requests.ts';
import { AUTO_CHUNKING, chunkText, type SearchHit } from './search.ts';
import type { Embedder } from './semantic/embeddings.ts';
import { hybridSearch } from './semantic/hybrid.ts';
import type { FileBatchRecord, FileRecord, Store, VectorStoreFileRecord, VectorStoreRecord } from './store.ts';

// The file types the real file_search accepts; of these, this server reads the plain-text ones.
const TEXT_EXTENSIONS = new Set([
  'c', 'cpp', 'cs', 'css', 'go', 'html', 'java', 'js', 'json', 'md', 'php', 'py', 'rb', 'sh', 'tex', 'ts', 'txt',
]);
const DOCUMENT_EXTENSIONS = new Set(['doc', 'docx', 'pdf', 'pptx']);

/** What the indexer needs to know about a file being added to a vector store. */
export interface AttachOptions {
  chunkingStrategy?: ChunkingStrategyInput | undefined;
  attributes?: Record<string, string | number | boolean> | null | undefined;
}

/**
 * Adds files to vector stores and processes them in the background, as the API does: a file
 * is `in_progress` first, then `completed` with its text chunked for search, or `failed` with
 * a `last_error` (`unsupported_file` for a type it cannot read, `invalid_file` for binary or
 * empty content). Keeps the stores' and batches' `file_counts` and statuses true to their files.
 *
 * @example
 * ```ts
 * const file = indexer.attach(vectorStore, uploaded, {});
 * file.file.status; // 'in_progress' — 'completed' after one step of the pace
 * ```
 */
export class FileIndexer {
  readonly #store: Store;
  readonly #stepDelayMs: number;
  readonly #embedder: Embedder | undefined;
  readonly #onError: (error: unknown) => void;
  // Searches waiting for files still being processed: told whenever one is done.
  readonly #waiting = new Set<() => void>();

  /**
   * `embedder`: embed each file's chunks (semantic search; a file is `completed` once they are);
   * `onError` hears a query that could not be embedded (the search then ranks by words alone).
   */
  constructor(store: Store, stepDelayMs: number, embedder?: Embedder, onError: (error: unknown) => void = () => {}) {
    this.#store = store;
    this.#stepDelayMs = stepDelayMs;
    this.#embedder = embedder;
    this.#onError = onError;
  }

  /** Adds (or re-adds) a file to a vector store and schedules its processing. */
  attach(vectorStore: VectorStoreRecord, source: FileRecord, options: AttachOptions): VectorStoreFileRecord {
    const previous = vectorStore.files.get(source.file.id);
    if (previous !== undefined) clearTimeout(previous.processing);
    const file: VectorStoreFile = {
      id: source.file.id,
      object: 'vector_store.file',
      usage_bytes: 0,
      created_at: nowSeconds(),
      vector_store_id: vectorStore.store.id,
      status: 'in_progress',
      last_error: null,
      chunking_strategy: storedChunking(options.chunkingStrategy),
      attributes: options.attributes ?? {},
    };
    const record: VectorStoreFileRecord = { file, filename: source.file.filename, chunks: [], processing: undefined };
    vectorStore.files.set(file.id, record);
    record.processing = setTimeout(() => {
      record.processing = undefined;
      void this.#process(vectorStore, record, source.content);
    }, this.#stepDelayMs);
    this.recount(vectorStore);
    return record;
  }

  /** Processes again a file restored from storage while it was still `in_progress`. */
  resume(vectorStore: VectorStoreRecord, record: VectorStoreFileRecord): void {
    const source = this.#store.files.get(record.file.id);
    record.processing = setTimeout(() => {
      record.processing = undefined;
      if (source !== undefined) void this.#process(vectorStore, record, source.content);
    }, this.#stepDelayMs);
  }

  /** Cancels a batch: its files still in progress are `cancelled`, and so is the batch. */
  cancelBatch(vectorStore: VectorStoreRecord, batch: FileBatchRecord): void {
    for (const fileId of batch.fileIds) {
      const record = vectorStore.files.get(fileId);
      if (record === undefined || record.file.status !== 'in_progress') continue;
      clearTimeout(record.processing);
      record.processing = undefined;
      record.file.status = 'cancelled';
      vectorStore.files.set(fileId, record);
    }
    batch.batch.status = 'cancelled';
    this.recount(vectorStore);
    this.#wake();
  }

  /** Removes a file from a vector store (the file itself stays). */
  detach(vectorStore: VectorStoreRecord, fileId: string): boolean {
    const record = vectorStore.files.get(fileId);
    if (record === undefined) return false;
    clearTimeout(record.processing);
    vectorStore.files.delete(fileId);
    this.recount(vectorStore);
    this.#wake();
    return true;
  }

  // Searches waiting for files being processed look again.
  #wake(): void {
    for (const done of this.#waiting) done();
    this.#waiting.clear();
  }

  /** Removes a deleted file from every vector store. */
  detachEverywhere(fileId: string): void {
    for (const vectorStore of this.#store.vectorStores.values()) this.detach(vectorStore, fileId);
  }

  /** Stops all processing (the server is closing). */
  dispose(): void {
    for (const vectorStore of this.#store.vectorStores.values()) {
      for (const record of vectorStore.files.values()) clearTimeout(record.processing);
    }
  }

  /**
   * Ranks the chunks of the completed files of these vector stores (unknown ids are skipped),
   * once the files still being processed are done (as the API holds a run until its thread's
   * attachments are indexed; at most `waitMs`): by words and, when the server embeds, by
   * meaning too (see {@link hybridSearch}).
   */
  async search(vectorStoreIds: readonly string[], query: string, options: { maxResults: number; scoreThreshold: number }, waitMs = 60_000): Promise<SearchHit[]> {
    await this.whenIndexed(vectorStoreIds, waitMs);
    const documents = vectorStoreIds.flatMap((id) =>
      (this.#store.vectorStores.get(id)?.files.values() ?? [])
        .filter((record) => record.file.status === 'completed')
        .map((record) => ({ fileId: record.file.id, filename: record.filename, chunks: record.chunks, vectors: record.vectors })),
    );
    let queryVector: Float32Array | undefined;
    if (this.#embedder !== undefined && documents.some((document) => document.vectors !== undefined)) {
      try {
        queryVector = (await this.#embedder.embed([query]))[0];
      } catch (error) {
        this.#onError(error);
      }
    }
    return hybridSearch(query, queryVector, documents, options);
  }

  /** Resolves once no file of these vector stores is being processed, or after `waitMs`. */
  async whenIndexed(vectorStoreIds: readonly string[], waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    const processing = () => vectorStoreIds.some((id) => this.#store.vectorStores.get(id)?.files.values().some((record) => record.file.status === 'in_progress') === true);
    while (processing() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiting.add(done);
      });
    }
  }

  /** Recomputes a vector store's counts, size and status, and those of its batches. */
  recount(vectorStore: VectorStoreRecord): void {
    const files = vectorStore.files.values();
    vectorStore.store.file_counts = countStatuses(files.map((record) => record.file.status));
    vectorStore.store.usage_bytes = files.reduce((sum, record) => sum + record.file.usage_bytes, 0);
    vectorStore.store.status = vectorStore.store.file_counts.in_progress > 0 ? 'in_progress' : 'completed';
    vectorStore.store.last_active_at = nowSeconds();
    for (const batch of vectorStore.batches.values()) {
      const statuses = batch.fileIds.flatMap((id) => {
        const record = vectorStore.files.get(id);
        return record === undefined ? [] : [record.file.status];
      });
      batch.batch.file_counts = countStatuses(statuses);
      if (batch.batch.status !== 'in_progress' || batch.batch.file_counts.in_progress > 0) continue;
      const { failed, total } = batch.batch.file_counts;
      batch.batch.status = total > 0 && failed === total ? 'failed' : 'completed';
    }
    // Set again what changed in place, so durable storage writes it (a store being created or
    // already deleted is not in the collection yet, or any more).
    if (this.#store.vectorStores.get(vectorStore.store.id) !== vectorStore) return;
    for (const batch of vectorStore.batches.values()) vectorStore.batches.set(batch.batch.id, batch);
    this.#store.vectorStores.set(vectorStore.store.id, vectorStore);
  }

  async #process(vectorStore: VectorStoreRecord, record: VectorStoreFileRecord, content: Uint8Array): Promise<void> {
    const current = () => this.#store.vectorStores.get(vectorStore.store.id) === vectorStore && vectorStore.files.get(record.file.id) === record && record.file.status === 'in_progress';
    if (!current()) return;
    const extracted = extractText(record.filename, content);
    if ('error' in extracted) {
      record.file.status = 'failed';
      record.file.last_error = extracted.error;
    } else {
      const strategy = record.file.chunking_strategy;
      const chunking =
        strategy.type === 'static'
          ? { maxChunkSizeTokens: strategy.static.max_chunk_size_tokens, chunkOverlapTokens: strategy.static.chunk_overlap_tokens }
          : AUTO_CHUNKING;
      const chunks = chunkText(extracted.text, chunking);
      let vectors: Float32Array[] | undefined;
      let failure: string | undefined;
      if (this.#embedder !== undefined) {
        try {
          vectors = await this.#embedder.embed(chunks);
        } catch (error) {
          failure = error instanceof Error ? error.message : String(error);
        }
        // Detached, cancelled or deleted while its chunks were being embedded: nothing to write.
        if (!current()) return;
      }
      if (failure !== undefined) {
        record.file.status = 'failed';
        record.file.last_error = { code: 'server_error', message: `Embedding the file's chunks failed: ${failure}` };
      } else {
        record.chunks = chunks;
        record.vectors = vectors;
        record.file.status = 'completed';
        record.file.usage_bytes = content.byteLength;
      }
    }
    vectorStore.files.set(record.file.id, record);
    this.recount(vectorStore);
    this.#wake();
  }
}

function storedChunking(strategy: ChunkingStrategyInput | undefined): StoredChunkingStrategy {
  if (strategy?.type === 'static') return { type: 'static', static: { ...strategy.static } };
  return {
    type: 'static',
    static: { max_chunk_size_tokens: AUTO_CHUNKING.maxChunkSizeTokens, chunk_overlap_tokens: AUTO_CHUNKING.chunkOverlapTokens },
  };
}

function countStatuses(statuses: readonly VectorStoreFile['status'][]): FileCounts {
  const counts = emptyFileCounts();
  for (const status of statuses) counts[status] += 1;
  counts.total = statuses.length;
  return counts;
}

type Extraction = { text: string } | { error: NonNullable<VectorStoreFile['last_error']> };

/** The text of a file file_search can read, or why it cannot. */
export function extractText(filename: string, content: Uint8Array): Extraction {
  const extension = /\.([^./]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  if (DOCUMENT_EXTENSIONS.has(extension)) {
    return { error: { code: 'unsupported_file', message: `This server reads plain-text files only; it cannot extract text from .${extension} files.` } };
  }
  if (!TEXT_EXTENSIONS.has(extension)) {
    return { error: { code: 'unsupported_file', message: `Files with the extension [${extension === '' ? 'none' : extension}] are not supported for file_search.` } };
  }
  if (content.includes(0)) return { error: { code: 'invalid_file', message: 'The file contains binary data, not text.' } };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return { error: { code: 'invalid_file', message: 'The file is not valid UTF-8 text.' } };
  }
  if (text.trim() === '') return { error: { code: 'invalid_file', message: 'The file is empty.' } };
  return { text };
}
