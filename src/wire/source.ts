import { readErrorResponse } from './envelope.ts';
import { AssistantStreamError } from './errors.ts';

/** Anything a stream can be read from. */
export type ByteSource = Response | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

/** A byte source, or a promise of one (a `fetch()` still waiting for its response). */
export type PendingByteSource = ByteSource | PromiseLike<ByteSource>;

/** Pull-based text reading over any {@link ByteSource}, UTF-8 decoded across chunk boundaries. */
export interface TextReader {
  /** The next piece of text, or undefined at the end. */
  read(): Promise<string | undefined>;
  /** Stops reading and releases the source (cancels the body, returns the iterator). */
  cancel(): void;
  /** The answer's headers, when the source is a `Response`. */
  readonly headers?: Headers | undefined;
}

/**
 * Opens a reader over a `Response`, a `ReadableStream<Uint8Array>` or an async iterable of
 * bytes or strings. A non-2xx `Response` becomes an `api-error` carrying the error envelope.
 *
 * @example
 * ```ts
 * const reader = openTextReader(await fetch(url));
 * for (let text = await reader.read(); text !== undefined; text = await reader.read()) process(text);
 * ```
 */
export function openTextReader(source: ByteSource): TextReader {
  if (isResponse(source)) return responseReader(source);
  if (isReadableStream(source)) return streamReader(source);
  if (isAsyncIterable(source)) return iterableReader(source);
  throw new TypeError('a stream source must be a Response, a ReadableStream or an async iterable');
}

function responseReader(response: Response): TextReader {
  if (response.ok) return { ...(response.body === null ? emptyReader() : streamReader(response.body)), headers: response.headers };
  let cancelled = false;
  let failed = false;
  return {
    headers: response.headers,
    async read() {
      if (cancelled || failed) return undefined;
      failed = true;
      throw await errorFromResponse(response);
    },
    cancel() {
      cancelled = true;
      void response.body?.cancel().catch(() => {});
    },
  };
}

/** An `api-error` from a non-2xx response and its error envelope, if it has one. */
export async function errorFromResponse(response: Response): Promise<AssistantStreamError> {
  const { status, error } = await readErrorResponse(response);
  const what = `the server answered ${status}${error ? `: ${error.message}` : ''}`;
  return new AssistantStreamError('api-error', what, { status, apiError: error, headers: response.headers });
}

function emptyReader(): TextReader {
  return { read: async () => undefined, cancel() {} };
}

function streamReader(stream: ReadableStream<Uint8Array>): TextReader {
  const reader = stream.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let finished = false;
  return {
    async read() {
      if (finished) return undefined;
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        reader.releaseLock();
        const rest = flush(decoder);
        return rest === '' ? undefined : rest;
      }
      return decode(decoder, value);
    },
    cancel() {
      if (finished) return;
      finished = true;
      // Released once the cancel settles, so the caller's stream is never left locked.
      reader
        .cancel()
        .catch(() => {})
        .finally(() => reader.releaseLock());
    },
  };
}

function iterableReader(iterable: AsyncIterable<Uint8Array | string>): TextReader {
  const iterator = iterable[Symbol.asyncIterator]();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let finished = false;
  return {
    async read() {
      if (finished) return undefined;
      const { done, value } = await iterator.next();
      if (done) {
        finished = true;
        const rest = flush(decoder);
        return rest === '' ? undefined : rest;
      }
      return typeof value === 'string' ? value : decode(decoder, value);
    },
    cancel() {
      if (finished) return;
      finished = true;
      void Promise.resolve(iterator.return?.()).catch(() => {});
    },
  };
}

function decode(decoder: TextDecoder, bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes, { stream: true });
  } catch (cause) {
    throw new AssistantStreamError('sse', 'the stream is not valid UTF-8', { cause });
  }
}

function flush(decoder: TextDecoder): string {
  try {
    return decoder.decode();
  } catch (cause) {
    throw new AssistantStreamError('truncated', 'the stream ended inside a UTF-8 character', { cause });
  }
}

/** Whether `value` is something {@link openTextReader} can read, or a promise of it. */
export function isPendingByteSource(value: unknown): value is PendingByteSource {
  return isResponse(value) || isReadableStream(value) || isAsyncIterable(value) || isPromiseLike(value);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

function isResponse(value: unknown): value is Response {
  return typeof Response !== 'undefined' && value instanceof Response;
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
