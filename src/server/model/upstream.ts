import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { UpstreamTelemetry } from '../otel/hooks.ts';
import { ModelError, type ModelErrorCode } from './model.ts';

/** How the server reaches a live model API. */
export interface UpstreamOptions {
  /** The API's base URL, ending in `/v1` (`https://api.openai.com/v1`, a local server's). */
  baseURL: string;
  /** The bearer key; never logged, never echoed in an error, a run or a recording. */
  apiKey?: string | undefined;
  /** Retries of a 429, a 5xx or a connection failure before the run fails; default 2. */
  maxRetries?: number | undefined;
  /** The first retry's pause when the API gives no `Retry-After`; doubled on each retry. Default 500 ms. */
  retryBaseDelayMs?: number | undefined;
  /** The `fetch` to use; default the global one. */
  fetch?: typeof fetch | undefined;
  /**
   * Hears each attempt: its path, its status (undefined when the API could not be reached) and
   * how long until its answer's headers (metrics).
   */
  onAnswer?: ((path: string, status: number | undefined, milliseconds: number) => void) | undefined;
  /**
   * Where each call to the model API is traced (`createTelemetry().server.upstream` from
   * `assistant-machines/otel`; `createServer({ telemetry })` sets it for its live model).
   */
  telemetry?: UpstreamTelemetry | undefined;
}

/** One server-sent event of a streamed answer: its name, if any, and its parsed JSON data. */
export interface UpstreamEvent {
  event: string | undefined;
  data: unknown;
}

const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_RETRY_BASE_DELAY_MS = 500;
// A Retry-After longer than this is not waited for: the run fails now, with the reason.
const MAX_RETRY_DELAY_MS = 60_000;
// How much of an upstream error message a run's last_error repeats.
const MAX_UPSTREAM_MESSAGE = 500;
const REDACTED = '[redacted]';

/**
 * The connection to a live model API: POSTs a streaming request, retries a 429, a 5xx or a
 * failed connection with backoff (the API's `Retry-After` first), and yields the answer's
 * server-sent events. Every failure is a {@link ModelError} with the run's `last_error.code`,
 * and the key is never part of one: it lives in a private field, and is cut from any text the
 * API sends back.
 *
 * @example
 * ```ts
 * const upstream = new Upstream({ baseURL: 'http://127.0.0.1:8080/v1', apiKey: process.env.MODEL_KEY });
 * for await (const { data } of upstream.stream('/responses', { model: 'gpt-4o', input: 'Hi', stream: true }, signal)) console.log(data);
 * ```
 */
export class Upstream {
  readonly #baseURL: string;
  readonly #apiKey: string | undefined;
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;
  readonly #fetch: typeof fetch;
  readonly #onAnswer: UpstreamOptions['onAnswer'];
  readonly #telemetry: UpstreamTelemetry | undefined;

  constructor(options: UpstreamOptions) {
    this.#onAnswer = options.onAnswer;
    this.#baseURL = options.baseURL.replace(/\/+$/, '');
    this.#apiKey = options.apiKey === '' ? undefined : options.apiKey;
    this.#maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
    this.#fetch = options.fetch ?? fetch;
    this.#telemetry = options.telemetry;
  }

  /** Where the API is, without credentials or query: safe to show. */
  get origin(): string {
    try {
      const url = new URL(this.#baseURL);
      return `${url.origin}${url.pathname}`;
    } catch {
      return 'the configured model API';
    }
  }

  /**
   * POSTs `body` to `path` and yields the events of the streamed answer. The request is retried
   * until the first byte of an answer; a stream cut later fails the run (its text stays).
   */
  async *stream(path: string, body: unknown, signal: AbortSignal): AsyncGenerator<UpstreamEvent, void, undefined> {
    const traced = this.#telemetry?.call({ baseURL: this.origin, path, body });
    try {
      yield* this.#streamEvents(path, body, signal, traced?.headers() ?? {}, (event) => traced?.event(event));
      traced?.end();
    } catch (error) {
      traced?.end(error);
      throw error;
    } finally {
      // A reader that stops early (the run was cancelled, the step is known) ends the call too.
      traced?.end();
    }
  }

  async *#streamEvents(path: string, body: unknown, signal: AbortSignal, extraHeaders: Record<string, string>, observe: (event: UpstreamEvent) => void): AsyncGenerator<UpstreamEvent, void, undefined> {
    const response = await this.#post(path, JSON.stringify(body), { ...extraHeaders, 'content-type': 'application/json', accept: 'text/event-stream' }, signal);
    if (response.body === null) throw new ModelError('server_error', `The model API at ${this.origin} answered without a body.`);
    const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    const reader = events.getReader();
    try {
      for (;;) {
        let read: ReadableStreamReadResult<{ event?: string | undefined; data: string }>;
        try {
          read = await reader.read();
        } catch (error) {
          if (signal.aborted) throw error;
          throw new ModelError('server_error', `The model API's stream broke off: ${this.redact(describe(error))}.`);
        }
        if (read.done) return;
        const { event, data } = read.value;
        if (data === '[DONE]') return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          throw new ModelError('server_error', `The model API sent an event that is not JSON (${event ?? 'message'}).`);
        }
        const upstreamEvent = { event, data: parsed };
        observe(upstreamEvent);
        yield upstreamEvent;
      }
    } finally {
      void reader.cancel().catch(() => undefined);
    }
  }

  /**
   * POSTs `body` as JSON to `path` (retried as {@link stream} is) and resolves with the answer's
   * JSON; an answer that is not JSON is a {@link ModelError}.
   */
  async json(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const response = await this.#post(path, JSON.stringify(body), { 'content-type': 'application/json', accept: 'application/json' }, signal ?? new AbortController().signal);
    try {
      return await response.json();
    } catch {
      throw new ModelError('server_error', `The model API at ${this.origin} answered ${path} with something that is not JSON.`);
    }
  }

  /** Uploads a file (`POST /files`, multipart) and resolves with the id the API gave it. */
  async upload(filename: string, bytes: Uint8Array, purpose: string, signal: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('purpose', purpose);
    form.append('file', new File([bytes.slice()], filename));
    const response = await this.#post('/files', form, { accept: 'application/json' }, signal);
    const id: unknown = ((await response.json().catch(() => ({}))) as { id?: unknown }).id;
    if (typeof id !== 'string') throw new ModelError('server_error', `The model API at ${this.origin} answered a file upload without an id.`);
    return id;
  }

  /** `text` with the key cut out: for anything the API sends back that a run may show. */
  redact(text: string): string {
    return this.#apiKey === undefined ? text : text.split(this.#apiKey).join(REDACTED);
  }

  async #post(path: string, payload: string | FormData, contentHeaders: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { ...contentHeaders };
    if (this.#apiKey !== undefined) headers['authorization'] = `Bearer ${this.#apiKey}`;
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      const started = performance.now();
      try {
        response = await this.#fetch(`${this.#baseURL}${path}`, { method: 'POST', headers, body: payload, signal });
        this.#onAnswer?.(path, response.status, performance.now() - started);
      } catch (error) {
        this.#onAnswer?.(path, undefined, performance.now() - started);
        if (signal.aborted) throw error;
        if (attempt < this.#maxRetries) {
          await pause(this.#backoff(attempt, undefined), signal);
          continue;
        }
        throw new ModelError('server_error', `Could not reach the model API at ${this.origin}: ${this.redact(describe(error))}.`);
      }
      if (response.ok) return response;
      const retryable = response.status === 429 || response.status >= 500;
      const delay = this.#backoff(attempt, response.headers);
      const detail = await upstreamMessage(response);
      if (retryable && attempt < this.#maxRetries && delay <= MAX_RETRY_DELAY_MS) {
        await pause(delay, signal);
        continue;
      }
      const tries = attempt + 1;
      throw new ModelError(errorCode(response.status), this.redact(describeStatus(this.origin, response.status, tries, detail)));
    }
  }

  // The API's own wait (`retry-after-ms`, `retry-after` in seconds), else exponential backoff.
  #backoff(attempt: number, headers: Headers | undefined): number {
    const milliseconds = Number(headers?.get('retry-after-ms') ?? Number.NaN);
    if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
    const seconds = Number(headers?.get('retry-after') ?? Number.NaN);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    return this.#retryBaseDelayMs * 2 ** attempt;
  }
}

/**
 * The run's `last_error.code` for a model API's HTTP status: 429 is `rate_limit_exceeded`, a
 * request it refused (400, 404, 413, 422) `invalid_prompt`, anything else `server_error`
 * (a 401 or 403 too: the server's key is wrong, not the user's prompt).
 *
 * @example `errorCode(429) // 'rate_limit_exceeded'`
 */
export function errorCode(status: number): ModelErrorCode {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 400 || status === 404 || status === 413 || status === 422) return 'invalid_prompt';
  return 'server_error';
}

/**
 * The run's `last_error.code` for an error code a model API put in its stream
 * (`response.failed`, an `error` event): the three the Assistants API knows pass, the rest are
 * `server_error`.
 *
 * @example `streamErrorCode('rate_limit_exceeded') // 'rate_limit_exceeded'`
 */
export function streamErrorCode(code: unknown): ModelErrorCode {
  return code === 'rate_limit_exceeded' || code === 'invalid_prompt' ? code : 'server_error';
}

function describeStatus(origin: string, status: number, tries: number, detail: string): string {
  const what =
    status === 429
      ? `The model API at ${origin} is rate limited (429)`
      : status === 401 || status === 403
        ? `The model API at ${origin} refused the server's credentials (${status})`
        : `The model API at ${origin} answered ${status}`;
  return `${what}${tries > 1 ? ` after ${tries} tries` : ''}${detail === '' ? '.' : `: ${detail}`}`;
}

// The message of an API error body (`{ error: { message } }`), else the start of the body.
async function upstreamMessage(response: Response): Promise<string> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return '';
  }
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const candidate = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof candidate === 'string') message = candidate;
  } catch {
    // Not JSON: the text itself says what happened.
  }
  message = message.trim().replace(/\s+/g, ' ');
  return message.length > MAX_UPSTREAM_MESSAGE ? `${message.slice(0, MAX_UPSTREAM_MESSAGE)}…` : message;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

// Its own abortable wait: the server does not depend on the client (whose `sleep` throws the
// client's abort error).
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
