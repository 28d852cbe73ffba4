import type { PagePromise } from '../pagination.ts';
import { path, type RequestOptions } from '../request.ts';
import type { FileCreateParams, FileDeleted, FileListParams, FileObject } from '../types.ts';
import { checkUploadable, toFormData } from '../uploads.ts';
import { APIResource } from './resource.ts';

/** `client.files`: uploads (multipart), shared with the rest of the API. */
export class Files extends APIResource {
  /**
   * Uploads a file. `file` is a web `File` or a `Blob` with a `name`.
   *
   * @example
   * ```ts
   * const file = await client.files.create({ file: new File([text], 'notes.md'), purpose: 'assistants' });
   * ```
   */
  async create(body: FileCreateParams, options?: RequestOptions): Promise<FileObject> {
    const { file, ...fields } = body;
    const form = toFormData(fields, checkUploadable(file, 'body.file'));
    return this._client.request({ method: 'POST', path: '/files', form }, options);
  }

  /** Retrieves a file's metadata. @example `const file = await client.files.retrieve('file-abc');` */
  async retrieve(fileId: string, options?: RequestOptions): Promise<FileObject> {
    return this._client.request({ method: 'GET', path: path`/files/${fileId}` }, options);
  }

  /** Lists files. @example `for await (const file of client.files.list({ purpose: 'assistants' })) console.log(file.filename);` */
  list(query: FileListParams = {}, options?: RequestOptions): PagePromise<FileObject> {
    return this._client.requestList(() => ({ method: 'GET', path: '/files', query: { ...query } }), options);
  }

  /** Deletes a file (and detaches it from every vector store). @example `await client.files.delete('file-abc');` */
  async delete(fileId: string, options?: RequestOptions): Promise<FileDeleted> {
    return this._client.request({ method: 'DELETE', path: path`/files/${fileId}` }, options);
  }

  /**
   * A file's content, as the raw `Response` (read it with `.text()`, `.arrayBuffer()`, `.body`).
   *
   * @example `const text = await (await client.files.content('file-abc')).text();`
   */
  async content(fileId: string, options?: RequestOptions): Promise<Response> {
    return this._client.requestResponse({ method: 'GET', path: path`/files/${fileId}/content`, headers: { Accept: 'application/binary' } }, options);
  }
}
