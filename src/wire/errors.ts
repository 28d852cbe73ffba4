import type { ErrorObject } from './schemas/common.ts';

/**
 * What went wrong with a stream, as a discriminant you can switch on.
 *
 * - `sse`: the bytes are not a server-sent event stream (a field no SSE line can have).
 * - `json`: an event's `data` is not valid JSON.
 * - `schema`: an event's payload breaks the wire schema (a missing id, a wrong type).
 * - `unknown-id`: an event names a message, run step or run this stream never saw created.
 * - `lifecycle`: an event the entity's current state does not allow (a delta after
 *   `completed`, a second `created` for the same id, a run going back from `completed`).
 * - `unsafe-key`: a delta carries `__proto__`, `constructor` or `prototype`.
 * - `invalid-index`: a delta names an array slot that is negative, fractional or absurdly far.
 * - `type-mismatch`: a delta's value cannot merge into the snapshot's value at that path.
 * - `no-final-run`: the stream ended before the run reached a terminal state or requires_action.
 * - `api-error`: the server sent an `error` event (or answered with an error status).
 * - `too-large`: one event (an SSE frame or an NDJSON line) grew past the decoder's cap
 *   (`MAX_FRAME_LENGTH` characters) without ending; reading stops there.
 * - `truncated`: the connection ended in the middle of an event.
 * - `idle-timeout`: no bytes arrived for `idleTimeoutMs` (heartbeat comments do not count).
 * - `deadline-exceeded`: the stream did not end within its `deadlineMs`.
 * - `handler`: a handler method or listener threw; `cause` is what it threw.
 * - `source`: reading the byte source failed (a network error); `cause` is the original.
 * - `aborted`: `abort()` was called or the `signal` fired.
 * - `internal`: a statechart's own guard or action threw: a bug here, or a snapshot that a
 *   listener changed so that it no longer makes sense (`cause` says what was thrown).
 */
export type AssistantStreamErrorKind =
  | 'sse'
  | 'json'
  | 'schema'
  | 'unknown-id'
  | 'lifecycle'
  | 'unsafe-key'
  | 'invalid-index'
  | 'type-mismatch'
  | 'no-final-run'
  | 'api-error'
  | 'too-large'
  | 'truncated'
  | 'idle-timeout'
  | 'deadline-exceeded'
  | 'handler'
  | 'source'
  | 'aborted'
  | 'internal';

/** Where in the stream a fault happened. */
export interface StreamPosition {
  /** 1-based number of the event in the stream (counting every SSE/NDJSON event read). */
  eventIndex?: number | undefined;
  /** The event's name, e.g. `thread.message.delta`. */
  eventName?: string | undefined;
  /** Path inside the event's payload, e.g. `data.delta.content[0].index`. */
  path?: string | undefined;
}

/** Options of {@link AssistantStreamError}. */
export interface AssistantStreamErrorOptions extends StreamPosition {
  cause?: unknown;
  /** The error object the server sent, for `api-error`. */
  apiError?: ErrorObject | undefined;
  /** The HTTP status, for an `api-error` that came as a non-2xx response. */
  status?: number | undefined;
  /** The headers of the answer the stream was read from, for an `api-error` (when it was read from a `Response`). */
  headers?: Headers | undefined;
}

/**
 * The one error class of a stream. `kind` says what went wrong; `eventIndex`, `eventName` and
 * `path` say where. Messages never contain payload values (they may hold user data or secrets),
 * only names, indices and paths.
 *
 * @example
 * ```ts
 * try { await stream.done(); }
 * catch (error) {
 *   if (error instanceof AssistantStreamError && error.kind === 'api-error') console.log(error.apiError?.code);
 * }
 * ```
 */
export class AssistantStreamError extends Error {
  override readonly name = 'AssistantStreamError';
  readonly kind: AssistantStreamErrorKind;
  readonly eventIndex: number | undefined;
  readonly eventName: string | undefined;
  readonly path: string | undefined;
  readonly apiError: ErrorObject | undefined;
  readonly status: number | undefined;
  /**
   * For an `api-error` of a stream read from a `Response`: the answer's headers (else
   * undefined), as the official SDK's `APIError` keeps them.
   */
  readonly headers: Headers | undefined;
  /**
   * For an `api-error` of a stream read from a `Response`: its `x-request-id` header (null when
   * the answer had none; undefined when there was no answer). Quote it when reporting the failure.
   */
  readonly requestID: string | null | undefined;
  /** The message without the location suffix. */
  readonly detail: string;

  constructor(kind: AssistantStreamErrorKind, what: string, options: AssistantStreamErrorOptions = {}) {
    super(describe(what, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.detail = what;
    this.eventIndex = options.eventIndex;
    this.eventName = options.eventName;
    this.path = options.path;
    this.apiError = options.apiError;
    this.status = options.status;
    this.headers = options.headers;
    this.requestID = options.headers?.get('x-request-id');
  }
}

function describe(what: string, { eventIndex, eventName, path }: StreamPosition): string {
  const where: string[] = [];
  if (eventIndex !== undefined) where.push(`event #${eventIndex}`);
  if (eventName !== undefined) where.push(eventName);
  if (path !== undefined) where.push(path);
  return where.length === 0 ? what : `${what} (at ${where.join(', ')})`;
}

/**
 * A JSON parse error without the input: V8's own message quotes the bytes around the fault,
 * which may be a credential. Keeps the position when V8 gave one, in a fixed description.
 */
export function sanitizedJSONError(thrown: unknown): SyntaxError {
  const message = thrown instanceof Error ? thrown.message : '';
  const position = /at position (\d+)/.exec(message)?.[1];
  const what = /end of (JSON )?input/i.test(message) ? 'unexpected end of input' : 'unexpected character';
  return new SyntaxError(`invalid JSON: ${what}${position === undefined ? '' : ` at position ${position}`}`);
}

const MAX_SEGMENT_LENGTH = 16;

/**
 * A key from the wire as it may appear in an error's path: identifier-like keys as they are,
 * anything else quoted with its control characters escaped and cut to a few characters. A key
 * may be untrusted metadata, and error messages travel into logs and terminals.
 */
export function safePathSegment(key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]{0,39}$/.test(key)) return key;
  const cut = key.length > MAX_SEGMENT_LENGTH ? `${key.slice(0, MAX_SEGMENT_LENGTH)}…` : key;
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * An event name from the wire as an error may show it: a protocol-like name as it is, anything
 * else quoted, escaped and cut short (a name is data the server chose; errors reach logs).
 *
 * @internal
 */
export function safeEventName(name: string): string {
  return /^[a-z0-9_.]{1,80}$/.test(name) ? name : safePathSegment(name);
}

/** `text` with its control characters written as `\uXXXX`, so it cannot drive a terminal. */
export function escapeControl(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
