import type { AssistantsClient } from '../AssistantsClient.ts';
import type { PagePromise } from '../pagination.ts';
import { path, type RequestOptions } from '../request.ts';
import type { VectorStore, VectorStoreCreateParams, VectorStoreDeleted, VectorStoreListParams, VectorStoreUpdateParams } from '../types.ts';
import { FileBatches } from './fileBatches.ts';
import { APIResource } from './resource.ts';
import { VectorStoreFiles } from './vectorStoreFiles.ts';

/** `client.vectorStores`: the stores `file_search` searches. */
export class VectorStores extends APIResource {
  readonly files: VectorStoreFiles;
  readonly fileBatches: FileBatches;

  constructor(client: AssistantsClient) {
    super(client);
    this.files = new VectorStoreFiles(client);
    this.fileBatches = new FileBatches(client);
  }

  /** Creates a vector store. @example `const store = await client.vectorStores.create({ name: 'Handbook' });` */
  async create(body: VectorStoreCreateParams, options?: RequestOptions): Promise<VectorStore> {
    return this._client.request({ method: 'POST', path: '/vector_stores', body }, options);
  }

  /** Retrieves a vector store. @example `const store = await client.vectorStores.retrieve('vs_123');` */
  async retrieve(vectorStoreId: string, options?: RequestOptions): Promise<VectorStore> {
    return this._client.request({ method: 'GET', path: path`/vector_stores/${vectorStoreId}` }, options);
  }

  /** Modifies a vector store. @example `await client.vectorStores.update('vs_123', { name: 'Handbook v2' });` */
  async update(vectorStoreId: string, body: VectorStoreUpdateParams, options?: RequestOptions): Promise<VectorStore> {
    return this._client.request({ method: 'POST', path: path`/vector_stores/${vectorStoreId}`, body }, options);
  }

  /** Lists vector stores. @example `for await (const store of client.vectorStores.list()) console.log(store.name);` */
  list(query: VectorStoreListParams = {}, options?: RequestOptions): PagePromise<VectorStore> {
    return this._client.requestList(() => ({ method: 'GET', path: '/vector_stores', query: { ...query } }), options);
  }

  /** Deletes a vector store (its files stay). @example `await client.vectorStores.delete('vs_123');` */
  async delete(vectorStoreId: string, options?: RequestOptions): Promise<VectorStoreDeleted> {
    return this._client.request({ method: 'DELETE', path: path`/vector_stores/${vectorStoreId}` }, options);
  }
}
