import { APIUserAbortError, BatchUploadError, InvalidArgumentError, type FileUploadFailure } from '../errors.ts';
import type { PagePromise } from '../pagination.ts';
import { checkPollOptions, pollUntilDone, type PollOptions } from '../poll.ts';
import { path, type RequestOptions } from '../request.ts';
import type {
  FileBatchCancelParams,
  FileBatchCreateParams,
  FileBatchListFilesParams,
  FileBatchRetrieveParams,
  FileBatchUploadParams,
  Uploadable,
  VectorStoreFile,
  VectorStoreFileBatch,
} from '../types.ts';
import { checkUploadable } from '../uploads.ts';
import { APIResource } from './resource.ts';

/** How many uploads `uploadAndPoll` runs at once unless told otherwise. */
export const DEFAULT_UPLOAD_CONCURRENCY = 5;

/** Options of {@link FileBatches.uploadAndPoll}. */
export interface FileBatchUploadOptions extends PollOptions {
  /** How many uploads run at once (a whole number ≥ 1); default 5. */
  maxConcurrency?: number | undefined;
}

/** `client.vectorStores.fileBatches`: many files attached to a vector store at once. */
export class FileBatches extends APIResource {
  /**
   * Attaches uploaded files to a vector store as one batch.
   *
   * @example `const batch = await client.vectorStores.fileBatches.create('vs_123', { file_ids: ['file-a', 'file-b'] });`
   */
  async create(vectorStoreId: string, body: FileBatchCreateParams, options?: RequestOptions): Promise<VectorStoreFileBatch> {
    return this._client.request({ method: 'POST', path: path`/vector_stores/${vectorStoreId}/file_batches`, body }, options);
  }

  /** Retrieves a batch. @example `await client.vectorStores.fileBatches.retrieve('vsfb_1', { vector_store_id: 'vs_123' });` */
  async retrieve(batchId: string, params: FileBatchRetrieveParams, options?: RequestOptions): Promise<VectorStoreFileBatch> {
    return this._client.request({ method: 'GET', path: path`/vector_stores/${params.vector_store_id}/file_batches/${batchId}` }, options);
  }

  /** Cancels the processing of a batch. @example `await client.vectorStores.fileBatches.cancel('vsfb_1', { vector_store_id: 'vs_123' });` */
  async cancel(batchId: string, params: FileBatchCancelParams, options?: RequestOptions): Promise<VectorStoreFileBatch> {
    return this._client.request({ method: 'POST', path: path`/vector_stores/${params.vector_store_id}/file_batches/${batchId}/cancel` }, options);
  }

  /**
   * Lists the files of a batch.
   *
   * @example `for await (const file of client.vectorStores.fileBatches.listFiles('vsfb_1', { vector_store_id })) console.log(file.status);`
   */
  listFiles(batchId: string, params: FileBatchListFilesParams, options?: RequestOptions): PagePromise<VectorStoreFile> {
    const { vector_store_id, ...query } = params;
    return this._client.requestList(() => ({ method: 'GET', path: path`/vector_stores/${vector_store_id}/file_batches/${batchId}/files`, query }), options);
  }

  /**
   * Creates a batch and polls it until it is processed (check `file_counts.failed`).
   *
   * @example `const batch = await client.vectorStores.fileBatches.createAndPoll('vs_123', { file_ids });`
   */
  async createAndPoll(vectorStoreId: string, body: FileBatchCreateParams, options: PollOptions = {}): Promise<VectorStoreFileBatch> {
    return this.#createAndPoll(vectorStoreId, body, options, Date.now());
  }

  /**
   * Polls a batch until it is processed.
   *
   * @example `const batch = await client.vectorStores.fileBatches.poll('vs_123', 'vsfb_1');`
   */
  async poll(vectorStoreId: string, batchId: string, options: PollOptions = {}): Promise<VectorStoreFileBatch> {
    return pollUntilDone<VectorStoreFileBatch>(this._client, { resource: 'vectorStoreFileBatch', vectorStoreId, batchId }, options);
  }

  /**
   * Uploads `files` (at most `maxConcurrency` at once), then attaches them — with `fileIds` —
   * as one batch and polls it until it is processed. If any upload fails no batch is created,
   * and a {@link BatchUploadError} says which files failed and why, and which uploaded.
   *
   * @example
   * ```ts
   * const batch = await client.vectorStores.fileBatches.uploadAndPoll('vs_123', { files: [a, b, c] }, { maxConcurrency: 2 });
   * ```
   */
  async uploadAndPoll(vectorStoreId: string, { files, fileIds = [] }: FileBatchUploadParams, options: FileBatchUploadOptions = {}): Promise<VectorStoreFileBatch> {
    const startedAt = Date.now();
    if (!Array.isArray(files) || files.length === 0) {
      throw new InvalidArgumentError('files', 'must list at least one file to upload (for files already uploaded, use createAndPoll)');
    }
    for (const [index, file] of files.entries()) checkUploadable(file, `files[${index}]`);
    const { maxConcurrency = DEFAULT_UPLOAD_CONCURRENCY, ...pollOptions } = options;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
      throw new InvalidArgumentError('options.maxConcurrency', `must be a whole number ≥ 1 (got ${maxConcurrency})`);
    }
    const requestOptions = checkPollOptions(pollOptions);
    const outcomes = await mapWithConcurrency(files, maxConcurrency, (file) =>
      this._client.files.create({ file, purpose: 'assistants' }, requestOptions),
    );
    const { signal } = requestOptions;
    if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
    const uploadedIds: string[] = [];
    const failures: FileUploadFailure[] = [];
    outcomes.forEach((outcome, index) => {
      if (outcome.ok) uploadedIds.push(outcome.value.id);
      else failures.push({ index, fileName: (files[index] as Uploadable).name, error: outcome.error });
    });
    if (failures.length > 0) throw new BatchUploadError(failures, [...fileIds, ...uploadedIds], files.length);
    return this.#createAndPoll(vectorStoreId, { file_ids: [...fileIds, ...uploadedIds] }, pollOptions, startedAt);
  }

  async #createAndPoll(vectorStoreId: string, body: FileBatchCreateParams, options: PollOptions, startedAt: number): Promise<VectorStoreFileBatch> {
    const requestOptions = checkPollOptions(options);
    const batch = await this.create(vectorStoreId, body, requestOptions);
    return pollUntilDone<VectorStoreFileBatch>(this._client, { resource: 'vectorStoreFileBatch', vectorStoreId, batchId: batch.id }, options, startedAt);
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `task` over `items` with at most `limit` running at once; every item is tried (one
 * failure does not stop the others) and the outcomes come back in the items' order.
 */
async function mapWithConcurrency<Item, Result>(items: readonly Item[], limit: number, task: (item: Item) => Promise<Result>): Promise<Array<Outcome<Result>>> {
  const outcomes = new Array<Outcome<Result>>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      try {
        outcomes[index] = { ok: true, value: await task(items[index] as Item) };
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return outcomes;
}
