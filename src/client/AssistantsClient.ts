import { LIFECYCLE_MODES, type LifecycleMode } from '../../machines/lifecycle.ts';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AssistantsClientError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from './errors.ts';
import { readErrorResponse } from '../wire/envelope.ts';
import { Page, PagePromise, type ListResponse } from './pagination.ts';
import {
  buildHeaders,
  checkMaxRetries,
  checkTimeout,
  PreparedRequest,
  readJSON,
  sendRequest,
  type HeadersLike,
  type JSONResult,
  type RequestOptions,
  type RequestSpec,
  type TransportSettings,
} from './request.ts';
import { REAL_CLOCK, isRetryableStatus, type RetryClock } from './retry.ts';
import { Beta } from './resources/beta.ts';
import { Conversations } from './resources/conversations.ts';
import { Files } from './resources/files.ts';
import { Responses } from './resources/responses.ts';
import { VectorStores } from './resources/vectorStores.ts';

/** Options of {@link AssistantsClient}. */
export interface AssistantsClientOptions {
  /** The API key sent as `Authorization: Bearer …`; defaults to `OPENAI_API_KEY`. */
  apiKey?: string | undefined;
  /** Defaults to `OPENAI_BASE_URL`, else `https://api.openai.com/v1`. */
  baseURL?: string | undefined;
  /** The fetch to send with (a test double, a proxy-aware fetch); defaults to the global one. */
  fetch?: typeof fetch | undefined;
  /** How many times a retryable failure is retried; default 2. */
  maxRetries?: number | undefined;
  /** How long one attempt may take, in ms; default 10 minutes. */
  timeoutMs?: number | undefined;
  /** The official SDK's name for {@link timeoutMs}. */
  timeout?: number | undefined;
  /** Headers sent with every request (a `null` value removes one of ours). */
  defaultHeaders?: HeadersLike | undefined;
  /**
   * How the stream helpers read the run lifecycle: `tolerant` (default) accepts skipped
   * intermediate statuses, `strict` rejects every transition the statecharts do not draw.
   */
  lifecycle?: LifecycleMode | undefined;
  /** How waits between retries pass; defaults to real timers. Tests pass a fake clock. */
  clock?: RetryClock | undefined;
}

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * A REST client for the Assistants API with the official TypeScript SDK's resource layout and
 * argument order — `client.beta.threads.runs.stream(threadId, body)` and so on — so code
 * written for `openai` switches by changing the import. It needs only `fetch`, `AbortSignal`
 * and web streams: it runs in Node 20+, browsers, Deno and Bun.
 *
 * Streams come back as this library's {@link AssistantStream} (statecharts underneath), and
 * every `*AndPoll` helper runs the poll statechart (`assistant-machines/machines`).
 *
 * @example
 * ```ts
 * const client = new AssistantsClient(); // OPENAI_API_KEY, OPENAI_BASE_URL
 * const thread = await client.beta.threads.create();
 * const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: 'asst_123' });
 * console.log(run.status);
 * ```
 */
export class AssistantsClient {
  static readonly AssistantsClientError = AssistantsClientError;
  static readonly APIError = APIError;
  static readonly APIConnectionError = APIConnectionError;
  static readonly APIConnectionTimeoutError = APIConnectionTimeoutError;
  static readonly APIUserAbortError = APIUserAbortError;
  static readonly BadRequestError = BadRequestError;
  static readonly AuthenticationError = AuthenticationError;
  static readonly PermissionDeniedError = PermissionDeniedError;
  static readonly NotFoundError = NotFoundError;
  static readonly ConflictError = ConflictError;
  static readonly UnprocessableEntityError = UnprocessableEntityError;
  static readonly RateLimitError = RateLimitError;
  static readonly InternalServerError = InternalServerError;

  readonly baseURL: string;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  /** The lifecycle reading every stream helper uses unless its call says otherwise. */
  readonly lifecycle: LifecycleMode;
  /** Assistants, threads, messages, runs and run steps. */
  readonly beta: Beta;
  readonly files: Files;
  readonly vectorStores: VectorStores;
  /** The Responses API: its streams drive the same statecharts. */
  readonly responses: Responses;
  /** The Conversations API: a Responses history kept server-side (a thread's successor). */
  readonly conversations: Conversations;
  readonly #settings: TransportSettings;

  constructor(options: AssistantsClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv('OPENAI_API_KEY');
    if (apiKey === undefined || apiKey === '') {
      throw new InvalidArgumentError('apiKey', 'is missing: pass `apiKey` or set OPENAI_API_KEY (any non-empty string for a local server)');
    }
    const fetchImpl = options.fetch ?? (globalThis.fetch === undefined ? undefined : globalThis.fetch.bind(globalThis));
    if (typeof fetchImpl !== 'function') throw new InvalidArgumentError('fetch', 'is missing: this runtime has no global fetch, so pass one');
    this.baseURL = options.baseURL ?? readEnv('OPENAI_BASE_URL') ?? DEFAULT_BASE_URL;
    if (!/^https?:\/\//.test(this.baseURL)) throw new InvalidArgumentError('baseURL', `must be an http(s) URL (got "${this.baseURL}")`);
    this.maxRetries = checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES, 'maxRetries');
    this.timeoutMs = checkTimeout(options.timeoutMs ?? options.timeout ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.lifecycle = options.lifecycle ?? 'tolerant';
    if (!LIFECYCLE_MODES.includes(this.lifecycle)) throw new InvalidArgumentError('lifecycle', `must be 'tolerant' or 'strict' (got ${JSON.stringify(this.lifecycle)})`);
    this.#settings = {
      baseURL: this.baseURL,
      apiKey,
      fetch: fetchImpl,
      maxRetries: this.maxRetries,
      timeoutMs: this.timeoutMs,
      defaultHeaders: options.defaultHeaders,
      clock: options.clock ?? REAL_CLOCK,
    };
    this.beta = new Beta(this);
    this.files = new Files(this);
    this.vectorStores = new VectorStores(this);
    this.responses = new Responses(this);
    this.conversations = new Conversations(this);
  }

  /**
   * Sends a call and parses its JSON answer, with the response it came in.
   * `validate` names what is wrong with a body of the wrong shape.
   *
   * @internal
   */
  requestJSON<T>(spec: RequestSpec, options: RequestOptions = {}, validate: (body: unknown) => string | undefined = expectObject): Promise<JSONResult<T>> {
    return sendRequest(this.#settings, spec, options, async (response) => {
      if (!response.ok) throw APIError.fromResponse(await readErrorResponse(response));
      return readJSON<T>(response, validate);
    });
  }

  /**
   * A call built once and sent any number of times, one send at a time, each send resolving as
   * {@link requestJSON} does (a poll's retrieves). Throws at once for bad options or an aborted
   * signal.
   *
   * @internal
   */
  prepareJSON<T>(spec: RequestSpec, options: RequestOptions = {}, validate: (body: unknown) => string | undefined = expectObject): PreparedRequest<JSONResult<T>> {
    return new PreparedRequest(this.#settings, spec, options, async (response) => {
      if (!response.ok) throw APIError.fromResponse(await readErrorResponse(response));
      return readJSON<T>(response, validate);
    });
  }

  /** Sends a call and resolves with its parsed JSON answer. @internal */
  async request<T>(spec: RequestSpec, options: RequestOptions = {}): Promise<T> {
    return (await this.requestJSON<T>(spec, options)).data;
  }

  /** Sends a list call: a page, also iterable over every item across pages. @internal */
  requestList<Item extends { id?: string | null | undefined }>(buildSpec: () => RequestSpec, options: RequestOptions = {}): PagePromise<Item> {
    const fetchPage = async (spec: RequestSpec): Promise<Page<Item>> => {
      const { data } = await this.requestJSON<ListResponse<Item>>(spec, options, expectList);
      return new Page(data, (after) => fetchPage({ ...spec, query: { ...spec.query, after } }));
    };
    // Built inside the promise, so a bad id rejects the page instead of throwing here.
    return new PagePromise(Promise.resolve().then(() => fetchPage(buildSpec())));
  }

  /**
   * The headers of a WebSocket upgrade to this client's server: its key, its default headers,
   * then `extra` (a `null` value removes one). @internal
   */
  upgradeHeaders(extra?: HeadersLike): Record<string, string> {
    return Object.fromEntries(buildHeaders([{ Authorization: `Bearer ${this.#settings.apiKey}` }, this.#settings.defaultHeaders, extra]).entries());
  }

  /**
   * Sends a call whose answer is read later (a stream, file content) and resolves with the
   * response once its headers are in. Retries happen before that; the body is untouched. With
   * `passErrorResponse`, a final non-2xx response is handed back too (the stream reports it);
   * otherwise it is thrown as an {@link APIError}.
   *
   * @internal
   */
  requestResponse(spec: RequestSpec, options: RequestOptions = {}, { passErrorResponse = false } = {}): Promise<Response> {
    return sendRequest(
      this.#settings,
      spec,
      options,
      async (response, isLastAttempt) => {
        if (response.ok) return response;
        if (passErrorResponse && (isLastAttempt || !isRetryableStatus(response.status))) return response;
        throw APIError.fromResponse(await readErrorResponse(response));
      },
      { keepSignalLinked: true },
    );
  }
}

function expectObject(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? undefined : 'the response body is not a JSON object';
}

function expectList(body: unknown): string | undefined {
  return expectObject(body) ?? (Array.isArray((body as { data?: unknown }).data) ? undefined : 'the list response has no `data` array');
}

function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name]?.trim();
  return value === '' ? undefined : value;
}
