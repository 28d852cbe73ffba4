import type { PagePromise } from '../pagination.ts';
import { checkPollOptions, pollUntilDone, type PollOptions } from '../poll.ts';
import { path, type RequestOptions } from '../request.ts';
import type {
  Uploadable,
  VectorStoreFile,
  VectorStoreFileCreateParams,
  VectorStoreFileDeleteParams,
  VectorStoreFileDeleted,
  VectorStoreFileListParams,
  VectorStoreFileRetrieveParams,
  VectorStoreFileUpdateParams,
} from '../types.ts';
import { checkUploadable } from '../uploads.ts';
import { APIResource } from './resource.ts';

/** `client.vectorStores.files`: files attached to a vector store. */
export class VectorStoreFiles extends APIResource {
  /**
   * Attaches an uploaded file to a vector store (processing starts: status `in_progress`).
   *
   * @example `await client.vectorStores.files.create('vs_123', { file_id: 'file-abc' });`
   */
  async create(vectorStoreId: string, body: VectorStoreFileCreateParams, options?: RequestOptions): Promise<VectorStoreFile> {
    return this._client.request({ method: 'POST', path: path`/vector_stores/${vectorStoreId}/files`, body }, options);
  }

  /** Retrieves a vector store file. @example `await client.vectorStores.files.retrieve('file-abc', { vector_store_id: 'vs_123' });` */
  async retrieve(fileId: string, params: VectorStoreFileRetrieveParams, options?: RequestOptions): Promise<VectorStoreFile> {
    return this._client.request({ method: 'GET', path: path`/vector_stores/${params.vector_store_id}/files/${fileId}` }, options);
  }

  /** Sets a vector store file's attributes. @example `await client.vectorStores.files.update('file-abc', { vector_store_id, attributes: { lang: 'en' } });` */
  async update(fileId: string, params: VectorStoreFileUpdateParams, options?: RequestOptions): Promise<VectorStoreFile> {
    const { vector_store_id, ...body } = params;
    return this._client.request({ method: 'POST', path: path`/vector_stores/${vector_store_id}/files/${fileId}`, body }, options);
  }

  /** Lists a vector store's files. @example `for await (const file of client.vectorStores.files.list('vs_123', { filter: 'failed' })) console.log(file.last_error);` */
  list(vectorStoreId: string, query: VectorStoreFileListParams = {}, options?: RequestOptions): PagePromise<VectorStoreFile> {
    return this._client.requestList(() => ({ method: 'GET', path: path`/vector_stores/${vectorStoreId}/files`, query: { ...query } }), options);
  }

  /** Detaches a file from a vector store (the file itself stays). @example `await client.vectorStores.files.delete('file-abc', { vector_store_id: 'vs_123' });` */
  async delete(fileId: string, params: VectorStoreFileDeleteParams, options?: RequestOptions): Promise<VectorStoreFileDeleted> {
    return this._client.request({ method: 'DELETE', path: path`/vector_stores/${params.vector_store_id}/files/${fileId}` }, options);
  }

  /**
   * Attaches a file and polls it until it is processed (`completed`, `failed` or `cancelled`:
   * check `status` and `last_error`).
   *
   * @example `const file = await client.vectorStores.files.createAndPoll('vs_123', { file_id: 'file-abc' });`
   */
  async createAndPoll(vectorStoreId: string, body: VectorStoreFileCreateParams, options: PollOptions = {}): Promise<VectorStoreFile> {
    const startedAt = Date.now();
    const requestOptions = checkPollOptions(options);
    const file = await this.create(vectorStoreId, body, requestOptions);
    return pollUntilDone<VectorStoreFile>(this._client, { resource: 'vectorStoreFile', vectorStoreId, fileId: file.id }, options, startedAt);
  }

  /**
   * Polls a vector store file until it is processed.
   *
   * @example `const file = await client.vectorStores.files.poll('vs_123', 'file-abc', { pollIntervalMs: 1000 });`
   */
  async poll(vectorStoreId: string, fileId: string, options: PollOptions = {}): Promise<VectorStoreFile> {
    return pollUntilDone<VectorStoreFile>(this._client, { resource: 'vectorStoreFile', vectorStoreId, fileId }, options);
  }

  /**
   * Uploads a file (purpose `assistants`) and attaches it; processing goes on afterwards.
   *
   * @example `const file = await client.vectorStores.files.upload('vs_123', new File([text], 'faq.md'));`
   */
  async upload(vectorStoreId: string, file: Uploadable, options?: RequestOptions): Promise<VectorStoreFile> {
    const uploaded = await this._client.files.create({ file: checkUploadable(file, 'file'), purpose: 'assistants' }, options);
    return this.create(vectorStoreId, { file_id: uploaded.id }, options);
  }

  /**
   * Uploads a file, attaches it and polls it until it is processed.
   *
   * @example `const file = await client.vectorStores.files.uploadAndPoll('vs_123', new File([text], 'faq.md'));`
   */
  async uploadAndPoll(vectorStoreId: string, file: Uploadable, options: PollOptions = {}): Promise<VectorStoreFile> {
    const startedAt = Date.now();
    const requestOptions = checkPollOptions(options);
    const attached = await this.upload(vectorStoreId, file, requestOptions);
    return pollUntilDone<VectorStoreFile>(this._client, { resource: 'vectorStoreFile', vectorStoreId, fileId: attached.id }, options, startedAt);
  }
}
