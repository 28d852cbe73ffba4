import { newId, nowSeconds } from './ids.ts';
import { emptyFileCounts, type ToolResources } from './objects.ts';
import type { CreateToolResourcesInput } from '../wire/requests.ts';
import type { ServerContext } from './context.ts';
import { Collection, type FileBatchRecord, type VectorStoreFileRecord, type VectorStoreRecord } from './store.ts';

/**
 * Turns the `tool_resources` of a request into the object's: every file and vector store it
 * names must exist (404 otherwise), and `file_search.vector_stores` creates its vector store
 * on the spot, as the API's helper does.
 *
 * @example `thread.tool_resources = resolveToolResources(context, body.tool_resources);`
 */
export function resolveToolResources(context: ServerContext, input: CreateToolResourcesInput | undefined): ToolResources | null {
  if (input == null) return null;
  const resources: ToolResources = {};
  if (input.code_interpreter !== undefined) {
    const fileIds = input.code_interpreter.file_ids ?? [];
    for (const id of fileIds) context.store.files.require(id);
    resources.code_interpreter = { file_ids: fileIds };
  }
  const fileSearch = input.file_search;
  if (fileSearch !== undefined) {
    for (const id of fileSearch.vector_store_ids ?? []) context.store.vectorStores.require(id);
    for (const helper of fileSearch.vector_stores ?? []) for (const id of helper.file_ids ?? []) context.store.files.require(id);
    const created = (fileSearch.vector_stores ?? []).map((helper) => {
      const record = createVectorStore(context, { name: '', metadata: helper.metadata ?? {} });
      for (const id of helper.file_ids ?? []) {
        context.indexer.attach(record, context.store.files.require(id), { chunkingStrategy: helper.chunking_strategy });
      }
      return record.store.id;
    });
    resources.file_search = { vector_store_ids: [...(fileSearch.vector_store_ids ?? []), ...created] };
  }
  return resources;
}

/**
 * A new, empty vector store in the store.
 *
 * @example `const record = createVectorStore(context, { name: 'docs', metadata: {} });`
 */
export function createVectorStore(
  context: ServerContext,
  fields: { name: string; metadata: Record<string, string> | null; description?: string | undefined; expires_after?: { anchor: 'last_active_at'; days: number } | undefined },
): VectorStoreRecord {
  const now = nowSeconds();
  const id = newId('vs_');
  const expiresAt = fields.expires_after === undefined ? null : now + fields.expires_after.days * 86_400;
  return context.store.vectorStores.set(id, {
    store: {
      id,
      object: 'vector_store',
      created_at: now,
      name: fields.name,
      ...(fields.description === undefined ? {} : { description: fields.description }),
      usage_bytes: 0,
      file_counts: emptyFileCounts(),
      status: 'completed',
      ...(fields.expires_after === undefined ? {} : { expires_after: fields.expires_after }),
      expires_at: expiresAt,
      last_active_at: now,
      metadata: fields.metadata,
    },
    files: new Collection<VectorStoreFileRecord>('vector store file'),
    batches: new Collection<FileBatchRecord>('vector store file batch'),
  });
}
