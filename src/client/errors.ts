/**
 * The client's errors: the official SDK's class names and fields (so `instanceof` checks and
 * `error.status` keep working after switching the import), each with a `kind` to switch on.
 */
import { errorObjectOf, type ErrorResponse } from '../wire/envelope.ts';
import type { ErrorObject } from '../wire/schemas/common.ts';

/** Every `kind` a client error can have. */
export type AssistantsClientErrorKind =
  | 'api-error'
  | 'bad-request'
  | 'authentication'
  | 'permission-denied'
  | 'not-found'
  | 'conflict'
  | 'unprocessable-entity'
  | 'rate-limit'
  | 'internal-server'
  | 'connection'
  | 'connection-timeout'
  | 'user-abort'
  | 'invalid-argument'
  | 'invalid-response'
  | 'deadline-exceeded'
  | 'unknown-poll-status'
  | 'batch-upload'
  | 'run-not-started';

/**
 * The base class of every error the client throws (the official SDK's `OpenAIError`).
 *
 * @example
 * ```ts
 * try { await client.beta.threads.retrieve(id); }
 * catch (error) { if (error instanceof AssistantsClientError) console.log(error.kind); }
 * ```
 */
export class AssistantsClientError extends Error {
  override readonly name: string = 'AssistantsClientError';
  readonly kind: AssistantsClientErrorKind;

  constructor(kind: AssistantsClientErrorKind, message: string, options: { cause?: unknown } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.kind = kind;
  }
}

/** The `kind` of each status with its own class; any other ≥500 is `internal-server`. */
const STATUS_KINDS = {
  400: 'bad-request',
  401: 'authentication',
  403: 'permission-denied',
  404: 'not-found',
  409: 'conflict',
  422: 'unprocessable-entity',
  429: 'rate-limit',
} as const satisfies Record<number, AssistantsClientErrorKind>;

/** The kinds an {@link APIError} can have. */
export type APIErrorKind = (typeof STATUS_KINDS)[keyof typeof STATUS_KINDS] | 'internal-server' | 'api-error' | 'connection' | 'connection-timeout' | 'user-abort';

/**
 * The `kind` a response status stands for: 400 → `bad-request`, 429 → `rate-limit`, ≥500 →
 * `internal-server`, any other → `api-error`.
 *
 * @example `statusKind(404) // 'not-found'`
 */
export function statusKind(status: number | undefined): APIErrorKind {
  if (status === undefined) return 'api-error';
  const kind: APIErrorKind | undefined = (STATUS_KINDS as Partial<Record<number, APIErrorKind>>)[status];
  return kind ?? (status >= 500 ? 'internal-server' : 'api-error');
}

/**
 * The server answered with an error status, or the request never got an answer (the
 * connection and abort subclasses, whose `status` is undefined). `error` is the envelope's
 * error object. `kind` follows from the status (see {@link statusKind}).
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof APIError) console.log(error.status, error.code, error.requestID);
 * }
 * ```
 */
export class APIError<Kind extends APIErrorKind = APIErrorKind> extends AssistantsClientError {
  override readonly name: string = 'APIError';
  declare readonly kind: Kind;
  /** The HTTP status; undefined when no response arrived. */
  readonly status: number | undefined;
  /** The response headers; undefined when no response arrived. */
  readonly headers: Headers | undefined;
  /** The envelope's `error` object; undefined when the body had none. */
  readonly error: ErrorObject | undefined;
  readonly code: string | null | undefined;
  readonly param: string | null | undefined;
  readonly type: string | undefined;
  /** The `x-request-id` response header: quote it when reporting a problem to the API's owner. */
  readonly requestID: string | null | undefined;

  constructor(
    status: number | undefined,
    error: ErrorObject | undefined,
    message: string | undefined,
    headers: Headers | undefined,
    options: { kind?: APIErrorKind; cause?: unknown } = {},
  ) {
    super(options.kind ?? statusKind(status), describeAPIError(status, error, message), 'cause' in options ? { cause: options.cause } : {});
    this.status = status;
    this.headers = headers;
    this.error = error;
    this.code = error?.code;
    this.param = error?.param;
    this.type = error?.type ?? undefined;
    this.requestID = headers?.get('x-request-id');
  }

  /**
   * The error class for a response status (400 → {@link BadRequestError}, 429 →
   * {@link RateLimitError}, ≥500 → {@link InternalServerError}, …), built from the parsed body.
   *
   * @example `throw APIError.generate(response.status, await response.json(), undefined, response.headers);`
   */
  static generate(status: number, body: unknown, message: string | undefined, headers: Headers): APIError {
    const envelope = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    return APIError.fromResponse({ status, headers, error: errorObjectOf(envelope), text: message });
  }

  /**
   * The error class for an error response read by {@link readErrorResponse}: the envelope's
   * message, else the body text, else the status alone.
   *
   * @example `if (!response.ok) throw APIError.fromResponse(await readErrorResponse(response));`
   */
  static fromResponse({ status, headers, error, text }: ErrorResponse): APIError {
    const make = STATUS_CLASSES.get(status) ?? (status >= 500 ? InternalServerError : APIError);
    return new make(status, error, text, headers);
  }
}

function describeAPIError(status: number | undefined, error: ErrorObject | undefined, message: string | undefined): string {
  const text = error !== undefined && error.message !== '' ? error.message : message;
  if (status !== undefined && text !== undefined) return `${status} ${text}`;
  if (status !== undefined) return `${status} status code (no body)`;
  return text ?? '(no status code or body)';
}

/** 400: the request is malformed (a missing field, a wrong type). */
export class BadRequestError extends APIError<'bad-request'> { override readonly name: string = 'BadRequestError'; }
/** 401: the API key is missing or wrong. */
export class AuthenticationError extends APIError<'authentication'> { override readonly name: string = 'AuthenticationError'; }
/** 403: the key may not do this. */
export class PermissionDeniedError extends APIError<'permission-denied'> { override readonly name: string = 'PermissionDeniedError'; }
/** 404: no such thread, run, file, … */
export class NotFoundError extends APIError<'not-found'> { override readonly name: string = 'NotFoundError'; }
/** 409: the object is busy (e.g. a thread with an active run); retried before it is thrown. */
export class ConflictError extends APIError<'conflict'> { override readonly name: string = 'ConflictError'; }
/** 422: well-formed but not acceptable. */
export class UnprocessableEntityError extends APIError<'unprocessable-entity'> { override readonly name: string = 'UnprocessableEntityError'; }
/** 429: too many requests or out of quota; retried (honouring `Retry-After`) before it is thrown. */
export class RateLimitError extends APIError<'rate-limit'> { override readonly name: string = 'RateLimitError'; }
/** ≥500: the server failed; retried before it is thrown. */
export class InternalServerError extends APIError<'internal-server'> { override readonly name: string = 'InternalServerError'; }

type StatusErrorClass = new (status: number, error: ErrorObject | undefined, message: string | undefined, headers: Headers) => APIError;

const STATUS_CLASSES = new Map<number, StatusErrorClass>([
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
  [422, UnprocessableEntityError],
  [429, RateLimitError],
]);

/**
 * No response arrived: the connection failed or broke off mid-body (after every retry).
 * `cause` is what the fetch implementation threw.
 *
 * @example `catch (error) { if (error instanceof APIConnectionError) scheduleLater(); }`
 */
export class APIConnectionError extends APIError<'connection' | 'connection-timeout'> {
  override readonly name: string = 'APIConnectionError';
  constructor({ message, cause, kind }: { message?: string | undefined; cause?: unknown; kind?: 'connection' | 'connection-timeout' } = {}) {
    super(undefined, undefined, message ?? 'Connection error.', undefined, { kind: kind ?? 'connection', cause });
  }
}

/** An attempt took longer than the `timeoutMs` (after every retry). */
export class APIConnectionTimeoutError extends APIConnectionError {
  override readonly name: string = 'APIConnectionTimeoutError';
  declare readonly kind: 'connection-timeout';
  constructor({ message }: { message?: string | undefined } = {}) {
    super({ message: message ?? 'Request timed out.', kind: 'connection-timeout' });
  }
}

/** The caller's `signal` aborted the request or the poll; `cause` is the signal's reason. */
export class APIUserAbortError extends APIError<'user-abort'> {
  override readonly name: string = 'APIUserAbortError';
  constructor({ message, cause }: { message?: string | undefined; cause?: unknown } = {}) {
    super(undefined, undefined, message ?? 'Request was aborted.', undefined, { kind: 'user-abort', cause });
  }
}

/**
 * A call was given something it cannot send: an empty id, a `File`-less upload, a negative
 * `maxRetries`. Thrown before any request.
 *
 * @example `catch (error) { if (error instanceof InvalidArgumentError) console.log(error.argument); }`
 */
export class InvalidArgumentError extends AssistantsClientError {
  override readonly name: string = 'InvalidArgumentError';
  declare readonly kind: 'invalid-argument';
  /** The argument at fault, e.g. `threadId` or `options.maxConcurrency`. */
  readonly argument: string;
  constructor(argument: string, what: string) {
    super('invalid-argument', `${argument} ${what}`);
    this.argument = argument;
  }
}

/** A 2xx response whose body is not the JSON the call expects. Not retried. */
export class InvalidResponseError extends AssistantsClientError {
  override readonly name: string = 'InvalidResponseError';
  declare readonly kind: 'invalid-response';
  readonly status: number;
  readonly requestID: string | null;
  constructor(what: string, response: Response, cause?: unknown) {
    super('invalid-response', `${what} (status ${response.status}, ${response.url || 'unknown URL'})`, cause === undefined ? {} : { cause });
    this.status = response.status;
    this.requestID = response.headers.get('x-request-id');
  }
}

/**
 * A poll's (or an `assistantRun` actor's) `deadlineMs` passed before the object reached a final
 * status. `lastObject` is the last version retrieved (undefined if none was seen in time); an
 * `assistantRun` cancels its run first, so there it is the run, confirmed terminal.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof DeadlineExceededError) console.log(error.lastObject?.status);
 * }
 * ```
 */
export class DeadlineExceededError<T = unknown> extends AssistantsClientError {
  override readonly name: string = 'DeadlineExceededError';
  declare readonly kind: 'deadline-exceeded';
  readonly lastObject: T | undefined;
  readonly deadlineAt: number;
  constructor(deadlineAt: number, lastObject: T | undefined, what = 'polling') {
    super('deadline-exceeded', `${what} did not finish by its deadline (${new Date(deadlineAt).toISOString()})`);
    this.deadlineAt = deadlineAt;
    this.lastObject = lastObject;
  }
}

/**
 * A poll kept getting a status it does not know (or none at all), past the bounded number of
 * immediate re-fetches.
 */
export class UnknownPollStatusError<T = unknown> extends AssistantsClientError {
  override readonly name: string = 'UnknownPollStatusError';
  declare readonly kind: 'unknown-poll-status';
  /** The status of the last object, as received (not necessarily a string). */
  readonly status: unknown;
  readonly lastObject: T | undefined;
  constructor(status: unknown, attempts: number, lastObject: T | undefined) {
    super(
      'unknown-poll-status',
      `polling got ${typeof status === 'string' ? `the unknown status "${status.slice(0, 40)}"` : `no status string (${status === null ? 'null' : typeof status})`} ${attempts} times in a row`,
    );
    this.status = status;
    this.lastObject = lastObject;
  }
}

/** One file of a batch upload that failed, and why. */
export interface FileUploadFailure {
  /** The file's position in the `files` array given. */
  index: number;
  /** The file's name. */
  fileName: string;
  /** What the upload threw (an {@link APIError} subclass, usually). */
  error: unknown;
}

/**
 * Some files of `fileBatches.uploadAndPoll` failed to upload, so no batch was created.
 * `failures` says which and why; `uploadedFileIds` are the files that did upload (with the
 * `fileIds` given), so a retry can pass them on instead of uploading them again.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof BatchUploadError) for (const f of error.failures) console.log(f.fileName, f.error);
 * }
 * ```
 */
export class BatchUploadError extends AssistantsClientError {
  override readonly name: string = 'BatchUploadError';
  declare readonly kind: 'batch-upload';
  readonly failures: FileUploadFailure[];
  readonly uploadedFileIds: string[];
  constructor(failures: FileUploadFailure[], uploadedFileIds: string[], total: number) {
    const list = failures.map((failure) => `${failure.fileName}: ${failure.error instanceof Error ? failure.error.message : String(failure.error)}`);
    super('batch-upload', `${failures.length} of ${total} files failed to upload, so no batch was created (${list.join('; ')})`);
    this.failures = failures;
    this.uploadedFileIds = uploadedFileIds;
  }
}
