import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AssistantsClientError,
  InvalidArgumentError,
  InvalidResponseError,
} from './errors.ts';
import { isRetryable, retryDelayMs, type RetryClock } from './retry.ts';

/** Headers in any of the shapes `fetch` accepts; a `null` value removes a default header. */
export type HeadersLike = Headers | ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string | null | undefined>>;

/** Options every call takes as its last argument (the official SDK's `RequestOptions`). */
export interface RequestOptions {
  /** Extra headers for this call; they override the client's. */
  headers?: HeadersLike | undefined;
  /** Aborts the call (and its retries and waits): it rejects with {@link APIUserAbortError}. */
  signal?: AbortSignal | undefined;
  /** How long one attempt may take, in ms (headers and, for JSON answers, the body). */
  timeoutMs?: number | undefined;
  /** The official SDK's name for {@link timeoutMs}. */
  timeout?: number | undefined;
  /** How many times a retryable failure is retried for this call. */
  maxRetries?: number | undefined;
  /** Extra query parameters. */
  query?: Readonly<Record<string, unknown>> | undefined;
  /**
   * The `Idempotency-Key` of a POST; default: a new random one per call, the same for each of
   * its retries, so a retried request the server already took is answered, not done twice.
   */
  idempotencyKey?: string | undefined;
}

/** What a resource method asks the transport to send. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** The path under the base URL, already encoded (see {@link path}). */
  path: string;
  query?: Readonly<Record<string, unknown>> | undefined;
  /** A JSON body. */
  body?: unknown;
  /** A multipart body (uploads). */
  form?: FormData | undefined;
  /** Headers the method itself adds (e.g. `X-Stainless-Helper-Method`). */
  headers?: HeadersLike | undefined;
}

/** The transport settings of a client, resolved. */
export interface TransportSettings {
  baseURL: string;
  apiKey: string;
  fetch: typeof fetch;
  maxRetries: number;
  timeoutMs: number;
  defaultHeaders: HeadersLike | undefined;
  /** How the waits between attempts pass (real timers, or a test's fake clock). */
  clock: RetryClock;
}

/** A parsed JSON answer with the response it came in (the poll helpers read its headers). */
export interface JSONResult<T> {
  data: T;
  response: Response;
}

// setTimeout fires at once for delays past 2^31-1 ms, which would turn a long timeout into none.
const MAX_TIMER_MS = 2_147_483_647;
const ASSISTANTS_PATHS = /^\/(assistants|threads|vector_stores)(\/|$)/;

/**
 * Sends one call with retries: each attempt is a fetch plus, for JSON answers, reading the body,
 * under its own timeout, so a connection that breaks off mid-body or stalls is retried like one
 * that never connected. The wait between attempts depends on the failed response
 * (`retry-after-ms`, `Retry-After`), so it is computed per failure by {@link retryDelayMs}.
 *
 * @internal
 */
export async function sendRequest<R>(
  settings: TransportSettings,
  spec: RequestSpec,
  options: RequestOptions,
  handle: (response: Response, isLastAttempt: boolean) => Promise<R>,
  { keepSignalLinked = false }: { keepSignalLinked?: boolean } = {},
): Promise<R> {
  return new PreparedRequest(settings, spec, options, handle, { keepSignalLinked }).send();
}

// How many attempts one AbortController serves before a fresh one: each fetch leaves a listener
// on the signal it was given until the fetch is collected, so a signal is not lent forever.
const MAX_ATTEMPTS_PER_CONTROLLER = 16;

/**
 * One call, built once — URL, headers, body, limits checked — and sent any number of times, one
 * send at a time (a poll's retrieves): each {@link PreparedRequest.send} is a whole call with its
 * retries, as {@link sendRequest} makes. What does not change between sends is not rebuilt, and
 * an attempt whose signal nothing aborted lends its AbortController to the next one (a fresh
 * controller per attempt was a tenth of a retrieve's CPU). A POST without an `idempotencyKey`
 * still gets a new key per send. Throws what {@link sendRequest} rejects with for bad options.
 *
 * @internal
 */
export class PreparedRequest<R> {
  readonly #settings: TransportSettings;
  readonly #spec: RequestSpec;
  readonly #options: RequestOptions;
  readonly #handle: (response: Response, isLastAttempt: boolean) => Promise<R>;
  readonly #keepSignalLinked: boolean;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;
  readonly #url: string;
  readonly #body: string | FormData | undefined;
  // The request's init, headers included, unless each send needs its own Idempotency-Key.
  readonly #init: RequestInit | undefined;
  #idleController: AbortController | undefined;
  #controllerAttempts = 0;

  constructor(
    settings: TransportSettings,
    spec: RequestSpec,
    options: RequestOptions,
    handle: (response: Response, isLastAttempt: boolean) => Promise<R>,
    { keepSignalLinked = false }: { keepSignalLinked?: boolean } = {},
  ) {
    this.#settings = settings;
    this.#spec = spec;
    this.#options = options;
    this.#handle = handle;
    this.#keepSignalLinked = keepSignalLinked;
    this.#maxRetries = checkMaxRetries(options.maxRetries ?? settings.maxRetries, 'options.maxRetries');
    this.#timeoutMs = checkTimeout(options.timeoutMs ?? options.timeout ?? settings.timeoutMs, 'options.timeoutMs');
    // A call with an aborted signal is refused before anything is built (sendRequest's order).
    if (options.signal?.aborted) throw new APIUserAbortError({ cause: options.signal.reason });
    this.#url = spec.query === undefined && options.query === undefined ? joinURL(settings.baseURL, spec.path) : buildURL(settings.baseURL, spec.path, { ...spec.query, ...options.query });
    this.#body = spec.form ?? (spec.body === undefined ? undefined : JSON.stringify(spec.body));
    this.#init = spec.method === 'POST' && options.idempotencyKey === undefined ? undefined : this.#buildInit(options.idempotencyKey);
  }

  /** Sends the call (with its retries) and resolves with what `handle` made of the answer. */
  async send(): Promise<R> {
    const { signal } = this.#options;
    if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
    const init = this.#init ?? this.#buildInit(`am-${crypto.randomUUID()}`);
    const { clock } = this.#settings;
    for (let retriesDone = 0; ; retriesDone++) {
      const isLastAttempt = retriesDone >= this.#maxRetries;
      try {
        return await this.#attempt(init, isLastAttempt);
      } catch (error) {
        if (isLastAttempt || !isRetryable(error)) throw error;
        await clock.sleep(retryDelayMs(error instanceof APIError ? error.headers : undefined, retriesDone, clock.random, clock.now), signal);
      }
    }
  }

  #buildInit(idempotencyKey: string | undefined): RequestInit {
    const spec = this.#spec;
    const body = this.#body;
    const headers = buildHeaders([
      {
        Accept: 'application/json',
        Authorization: `Bearer ${this.#settings.apiKey}`,
        ...(ASSISTANTS_PATHS.test(spec.path) ? { 'OpenAI-Beta': 'assistants=v2' } : {}),
        ...(typeof body === 'string' ? { 'Content-Type': 'application/json' } : {}),
        ...(spec.method === 'POST' ? { 'Idempotency-Key': idempotencyKey } : {}),
      },
      this.#settings.defaultHeaders,
      spec.headers,
      this.#options.headers,
    ]);
    return { method: spec.method, headers, ...(body === undefined ? {} : { body }) };
  }

  // A controller no attempt aborted, from the last attempt, or a fresh one. Sends overlap only if
  // a caller breaks the one-at-a-time rule: the second then takes a fresh controller.
  #takeController(): AbortController {
    const idle = this.#idleController;
    this.#idleController = undefined;
    if (idle !== undefined && this.#controllerAttempts < MAX_ATTEMPTS_PER_CONTROLLER) {
      this.#controllerAttempts++;
      return idle;
    }
    this.#controllerAttempts = 1;
    return new AbortController();
  }

  async #attempt(init: RequestInit, isLastAttempt: boolean): Promise<R> {
    const callerSignal = this.#options.signal;
    const controller = this.#takeController();
    const forwardAbort = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', forwardAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    let succeeded = false;
    try {
      const response = await this.#settings.fetch(this.#url, { ...init, signal: controller.signal });
      const result = await this.#handle(response, isLastAttempt);
      succeeded = true;
      return result;
    } catch (error) {
      if (callerSignal?.aborted) throw new APIUserAbortError({ cause: callerSignal.reason });
      if (timedOut) throw new APIConnectionTimeoutError();
      if (error instanceof AssistantsClientError) throw error;
      throw new APIConnectionError({ message: `Connection error: ${error instanceof Error ? error.message : String(error)}`, cause: error });
    } finally {
      clearTimeout(timer);
      if (this.#keepSignalLinked) {
        // A streamed body is read after this attempt returns: the caller's signal must still reach
        // it, and its controller is its own.
        if (!succeeded) callerSignal?.removeEventListener('abort', forwardAbort);
      } else {
        callerSignal?.removeEventListener('abort', forwardAbort);
        // The answer was read to its end (or never came): nothing in flight listens to this
        // controller any more, so the next attempt may use it unless it was aborted.
        if (!controller.signal.aborted) this.#idleController = controller;
      }
    }
  }
}

/**
 * Reads a 2xx JSON answer, checking its shape with `validate` (which names what is wrong).
 * An empty or non-JSON body is an {@link InvalidResponseError}.
 *
 * @internal
 */
export async function readJSON<T>(response: Response, validate?: (body: unknown) => string | undefined): Promise<JSONResult<T>> {
  const text = await response.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new InvalidResponseError(text === '' ? 'the response body is empty, not JSON' : 'the response body is not valid JSON', response, cause);
  }
  const problem = validate?.(data);
  if (problem !== undefined) throw new InvalidResponseError(problem, response);
  return { data: data as T, response };
}

/**
 * Joins the base URL, a path and a query (`undefined` values left out; arrays as `key[]=v`,
 * objects as `key[sub]=v`, the official SDK's format).
 *
 * @internal
 */
export function buildURL(baseURL: string, path: string, query: Readonly<Record<string, unknown>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) appendQuery(search, key, value);
  const text = search.toString();
  return `${joinURL(baseURL, path)}${text === '' ? '' : `?${text}`}`;
}

function joinURL(baseURL: string, path: string): string {
  return `${baseURL.replace(/\/+$/, '')}${path}`;
}

function appendQuery(search: URLSearchParams, key: string, value: unknown): void {
  if (value === undefined) return;
  if (value === null) search.append(key, '');
  else if (Array.isArray(value)) for (const item of value) appendQuery(search, `${key}[]`, item);
  else if (typeof value === 'object') for (const [sub, item] of Object.entries(value)) appendQuery(search, `${key}[${sub}]`, item);
  else search.append(key, String(value));
}

/**
 * Merges header layers, later ones winning; a `null` value removes the header.
 *
 * @internal
 */
export function buildHeaders(layers: ReadonlyArray<HeadersLike | undefined>): Headers {
  const headers = new Headers();
  for (const layer of layers) {
    if (layer === undefined) continue;
    const entries = layer instanceof Headers ? [...layer.entries()] : Array.isArray(layer) ? layer : Object.entries(layer);
    for (const [name, value] of entries as Iterable<readonly [string, string | null | undefined]>) {
      if (value === null) headers.delete(name);
      else if (value !== undefined) headers.set(name, value);
    }
  }
  return headers;
}

/**
 * A template tag that percent-encodes path parameters and rejects empty ones (and `.`/`..`), so
 * a missing id is an {@link InvalidArgumentError} instead of a request to another endpoint.
 *
 * @example path`/threads/${threadId}/runs/${runId}`
 * @internal
 */
export function path(strings: TemplateStringsArray, ...params: unknown[]): string {
  let result = strings[0] ?? '';
  params.forEach((param, index) => {
    if (typeof param !== 'string' || param === '' || param === '.' || param === '..') {
      const segment = (strings[index] ?? '').replace(/\/$/, '').split('/').pop() ?? '';
      throw new InvalidArgumentError(PATH_ARGUMENTS.get(segment) ?? 'a path parameter', `must be a non-empty id string (got ${param === '' ? 'an empty string' : describeValue(param)})`);
    }
    result += encodeURIComponent(param) + (strings[index + 1] ?? '');
  });
  return result;
}

const PATH_ARGUMENTS = new Map([
  ['assistants', 'assistantId'],
  ['threads', 'threadId'],
  ['messages', 'messageId'],
  ['runs', 'runId'],
  ['steps', 'stepId'],
  ['files', 'fileId'],
  ['vector_stores', 'vectorStoreId'],
  ['file_batches', 'batchId'],
]);

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${value}"`;
  return typeof value;
}

/** @internal */
export function checkMaxRetries(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError(name, `must be a whole number ≥ 0 (got ${value})`);
  return value;
}

/** @internal */
export function checkTimeout(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new InvalidArgumentError(name, `must be a number of ms between 1 and ${MAX_TIMER_MS} (got ${value})`);
  }
  return value;
}
