import { Hono } from 'hono';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { pollable } from '../http.ts';
import { newId, nowSeconds } from '../ids.ts';
import { emptyFileCounts } from '../objects.ts';
import { ListQuery, paginate, parseListQuery } from '../pagination.ts';
import {
  CreateFileBatchRequest,
  CreateVectorStoreFileRequest,
  CreateVectorStoreRequest,
  UpdateVectorStoreFileRequest,
  UpdateVectorStoreRequest,
} from '../../wire/requests.ts';
import type { FileBatchRecord, VectorStoreFileRecord } from '../store.ts';
import { createVectorStore } from '../toolResources.ts';
import { parseRequest, readJsonBody } from '../validation.ts';

const FileListFilter = ListQuery.extend({ filter: z.enum(['in_progress', 'completed', 'failed', 'cancelled']).optional() });

const SearchRequest = z.strictObject({
  query: z.union([z.string(), z.array(z.string())]),
  max_num_results: z.number().int().min(1).max(50).optional(),
  ranking_options: z.strictObject({ ranker: z.string().optional(), score_threshold: z.number().min(0).max(1).optional() }).optional(),
  rewrite_query: z.boolean().optional(),
  filters: z.unknown().optional(),
});

/** `/vector_stores`: the stores, their files, their file batches, and search. */
export function vectorStoreRoutes(context: ServerContext): Hono {
  const { store, indexer } = context;
  const vectorStore = (id: string) => store.vectorStores.require(id);
  const listFiles = (records: VectorStoreFileRecord[], rawQuery: Record<string, string>) => {
    const query = parseRequest(FileListFilter, rawQuery);
    const files = records.map((record) => record.file).filter((file) => query.filter === undefined || file.status === query.filter);
    return paginate(files, (file) => file.id, query);
  };

  return new Hono()
    .post('/', async (c) => {
      const body = await readJsonBody(c, CreateVectorStoreRequest);
      const sources = (body.file_ids ?? []).map((id) => store.files.require(id));
      const record = createVectorStore(context, { name: body.name ?? '', metadata: body.metadata ?? {}, description: body.description, expires_after: body.expires_after });
      for (const source of sources) indexer.attach(record, source, { chunkingStrategy: body.chunking_strategy });
      return pollable(c, context.pollAfterMs, record.store);
    })
    .get('/', (c) => c.json(paginate(store.vectorStores.values().map((record) => record.store), (item) => item.id, parseListQuery(c.req.query()))))
    .get('/:vector_store_id', (c) => pollable(c, context.pollAfterMs, vectorStore(c.req.param('vector_store_id')).store))
    .post('/:vector_store_id', async (c) => {
      const record = vectorStore(c.req.param('vector_store_id'));
      const body = await readJsonBody(c, UpdateVectorStoreRequest);
      if (body.name !== undefined) record.store.name = body.name ?? '';
      if (body.metadata !== undefined) record.store.metadata = body.metadata;
      if (body.expires_after === null) {
        delete record.store.expires_after;
        record.store.expires_at = null;
      } else if (body.expires_after !== undefined) {
        record.store.expires_after = body.expires_after;
        record.store.expires_at = (record.store.last_active_at ?? nowSeconds()) + body.expires_after.days * 86_400;
      }
      return c.json(store.vectorStores.set(record.store.id, record).store);
    })
    .delete('/:vector_store_id', (c) => {
      const record = vectorStore(c.req.param('vector_store_id'));
      for (const file of record.files.values()) indexer.detach(record, file.file.id);
      store.vectorStores.delete(record.store.id);
      return c.json({ id: record.store.id, object: 'vector_store.deleted', deleted: true });
    })
    .post('/:vector_store_id/search', async (c) => {
      const record = vectorStore(c.req.param('vector_store_id'));
      const body = await readJsonBody(c, SearchRequest);
      if (body.filters !== undefined) throw new ApiError(400, 'Attribute filters are not supported by this server.', { param: 'filters' });
      const query = Array.isArray(body.query) ? body.query.join(' ') : body.query;
      // What is indexed now (a run waits for its files; a search request does not).
      const hits = await indexer.search(
        [record.store.id],
        query,
        { maxResults: body.max_num_results ?? 10, scoreThreshold: body.ranking_options?.score_threshold ?? 0 },
        0,
      );
      return c.json({
        object: 'vector_store.search_results.page',
        search_query: Array.isArray(body.query) ? body.query : [body.query],
        data: hits.map((hit) => ({
          file_id: hit.fileId,
          filename: hit.filename,
          score: hit.score,
          attributes: record.files.get(hit.fileId)?.file.attributes ?? {},
          content: [{ type: 'text', text: hit.text }],
        })),
        has_more: false,
        next_page: null,
      });
    })
    .post('/:vector_store_id/files', async (c) => {
      const record = vectorStore(c.req.param('vector_store_id'));
      const body = await readJsonBody(c, CreateVectorStoreFileRequest);
      const source = store.files.require(body.file_id);
      const added = indexer.attach(record, source, { chunkingStrategy: body.chunking_strategy, attributes: body.attributes });
      return pollable(c, context.pollAfterMs, added.file);
    })
    .get('/:vector_store_id/files', (c) => c.json(listFiles(vectorStore(c.req.param('vector_store_id')).files.values(), c.req.query())))
    .get('/:vector_store_id/files/:file_id', (c) => {
      const record = vectorStore(c.req.param('vector_store_id'));
      return pollable(c, context.pollAfterMs, record.files.require(c.req.param('file_id')).file);
    })
    .post('/:vector_store_id/files/:file_id', async (c) => {
      const file = vectorStore(c.req.param('vector_store_id')).files.require(c.req.param('file_id')).file;
      const body = await readJsonBody(c, UpdateVectorStoreFileRequest);
      file.attributes = body.attributes;
      return c.json(file);
    })
    .delete('/:vector_store_id/files/:file_id', (c) => {
      const record = vectorStore(c.req.param('vector_store_id'));
      const { file } = record.files.require(c.req.param('file_id'));
      indexer.detach(record, file.id);
      return c.json({ id: file.id, object: 'vector_store.file.deleted', deleted: true });
    })
    .get('/:vector_store_id/files/:file_id/content', (c) => {
      const file = vectorStore(c.req.param('vector_store_id')).files.require(c.req.param('file_id'));
      return c.json({
        object: 'vector_store.file_content.page',
        data: file.chunks.map((text) => ({ type: 'text', text })),
        has_more: false,
        next_page: null,
      });
    })
    .post('/:vector_store_id/file_batches', async (c) => {
      const record = vectorStore(c.req.param('vector_store_id'));
      const body = await readJsonBody(c, CreateFileBatchRequest);
      const requests =
        body.files ?? (body.file_ids ?? []).map((file_id) => ({ file_id, chunking_strategy: body.chunking_strategy, attributes: body.attributes }));
      const sources = requests.map((request) => store.files.require(request.file_id));
      const batch: FileBatchRecord = {
        batch: {
          id: newId('vsfb_'),
          object: 'vector_store.files_batch',
          created_at: nowSeconds(),
          vector_store_id: record.store.id,
          status: 'in_progress',
          file_counts: emptyFileCounts(),
        },
        fileIds: [...new Set(requests.map((request) => request.file_id))],
      };
      record.batches.set(batch.batch.id, batch);
      for (const [index, request] of requests.entries()) {
        indexer.attach(record, sources[index]!, { chunkingStrategy: request.chunking_strategy, attributes: request.attributes });
      }
      return pollable(c, context.pollAfterMs, batch.batch);
    })
    .get('/:vector_store_id/file_batches/:batch_id', (c) => {
      const batch = vectorStore(c.req.param('vector_store_id')).batches.require(c.req.param('batch_id'));
      return pollable(c, context.pollAfterMs, batch.batch);
    })
    .post('/:vector_store_id/file_batches/:batch_id/cancel', (c) => {
      const record = vectorStore(c.req.param('vector_store_id'));
      const batch = record.batches.require(c.req.param('batch_id'));
      if (batch.batch.status !== 'in_progress') throw new ApiError(400, `Cannot cancel a batch with status '${batch.batch.status}'.`);
      indexer.cancelBatch(record, batch);
      return pollable(c, context.pollAfterMs, batch.batch);
    })
    .get('/:vector_store_id/file_batches/:batch_id/files', (c) => {
      const record = vectorStore(c.req.param('vector_store_id'));
      const batch = record.batches.require(c.req.param('batch_id'));
      const files = batch.fileIds.flatMap((id) => {
        const file = record.files.get(id);
        return file === undefined ? [] : [file];
      });
      return c.json(listFiles(files, c.req.query()));
    });
}
