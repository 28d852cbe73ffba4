import { Hono } from 'hono';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { newId, nowSeconds } from '../ids.ts';
import type { FileObject } from '../objects.ts';
import { FileListQuery, paginate } from '../pagination.ts';
import { UploadPurpose } from '../../wire/requests.ts';
import { parseRequest } from '../validation.ts';

const UploadForm = z.looseObject({
  file: z.instanceof(File, { message: 'expected a file' }),
  purpose: UploadPurpose,
  'expires_after[anchor]': z.literal('created_at').optional(),
  'expires_after[seconds]': z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(3600).max(2_592_000))
    .optional(),
});

/** `/files`: multipart upload, list, retrieve, delete, content. */
export function fileRoutes(context: ServerContext): Hono {
  const { files } = context.store;
  return new Hono()
    .post('/', async (c) => {
      const form = await c.req.parseBody().catch(() => {
        throw new ApiError(400, 'The request body is not valid multipart/form-data.');
      });
      const upload = parseRequest(UploadForm, form);
      const anchor = upload['expires_after[anchor]'];
      const seconds = upload['expires_after[seconds]'];
      if ((anchor === undefined) !== (seconds === undefined)) {
        throw new ApiError(400, 'expires_after needs both anchor and seconds.', { param: 'expires_after' });
      }
      const content = new Uint8Array(await upload.file.arrayBuffer());
      const createdAt = nowSeconds();
      const file: FileObject = {
        id: newId('file-'),
        object: 'file',
        bytes: content.byteLength,
        created_at: createdAt,
        ...(seconds === undefined ? {} : { expires_at: createdAt + seconds }),
        filename: upload.file.name,
        purpose: upload.purpose,
        status: 'processed',
      };
      files.set(file.id, { file, content });
      return c.json(file);
    })
    .get('/', (c) => {
      const query = parseRequest(FileListQuery, c.req.query());
      const listed = files.values().map((record) => record.file).filter((file) => query.purpose === undefined || file.purpose === query.purpose);
      return c.json(paginate(listed, (file) => file.id, query, 10_000));
    })
    .get('/:file_id', (c) => c.json(files.require(c.req.param('file_id')).file))
    .delete('/:file_id', (c) => {
      const { file } = files.require(c.req.param('file_id'));
      files.delete(file.id);
      context.indexer.detachEverywhere(file.id);
      return c.json({ id: file.id, object: 'file', deleted: true });
    })
    .get('/:file_id/content', (c) => {
      const { content } = files.require(c.req.param('file_id'));
      return c.body(content.slice().buffer, 200, { 'content-type': 'application/octet-stream' });
    });
}
