import type { Message } from '../../wire/index.ts';

/** One answer of the server under test. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

/** What every check is given: the server, its credentials, and the check's deadline. */
export interface CheckContext {
  baseURL: string;
  apiKey: string;
  model: string;
  fetch: typeof fetch;
  /** The header the key goes in: `authorization` (as `Bearer KEY`, the default) or e.g. `api-key`. */
  apiKeyHeader: string;
  /** Query parameters added to every request (Azure's `api-version`). */
  query: Readonly<Record<string, string>>;
  /** Aborts when the check's time is up. */
  signal: AbortSignal;
  /** How long the check may take, in all. */
  timeoutMs: number;
  /** Notes that do not fail the check (a skipped status read tolerantly, a missing header). */
  warn(message: string): void;
  /** The names of the chart transitions the check drove so far (see `transitionName`). */
  transitions: Set<string>;
  /** What the check created that must reach a terminal state (runs, background responses). */
  started: StartedWork;
  /** Whether requests go through the suite's fault proxy (`faults`), which takes {@link cutHeader}. */
  faults: boolean;
}

/** Runs and background responses the suite started: `runs-reach-terminal` and `responses-reach-terminal` follow them to the end. */
export interface StartedWork {
  runs: Array<{ threadId: string; runId: string }>;
  responses: string[];
}

/** A check that found the server does not do this at all: reported as "not offered". */
export class NotOffered extends Error {
  override readonly name = 'NotOffered';
}

/** A rule the server broke: the check fails with this message. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
}

/** Fails the check with `message` unless `condition` holds. */
export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

/** The headers of every request: the key, and the Assistants v2 beta header. */
export function baseHeaders(ctx: CheckContext): Record<string, string> {
  const key = ctx.apiKeyHeader.toLowerCase() === 'authorization' ? { Authorization: `Bearer ${ctx.apiKey}` } : { [ctx.apiKeyHeader]: ctx.apiKey };
  return { ...key, 'OpenAI-Beta': 'assistants=v2' };
}

/** `path` under the base URL, with the extra query parameters. */
export function urlOf(ctx: CheckContext, path: string): string {
  const url = new URL(`${ctx.baseURL}${path}`);
  for (const [name, value] of Object.entries(ctx.query)) url.searchParams.set(name, value);
  return url.href;
}

/** Sends one JSON request (Assistants v2 headers, and `extraHeaders`) and reads the whole answer. */
export async function call(ctx: CheckContext, method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<HttpAnswer> {
  const headers = { ...baseHeaders(ctx), ...extraHeaders };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await ctx.fetch(urlOf(ctx, path), { method, headers, body: payload ?? null, signal: ctx.signal });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the check that reads it says what it expected
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** The body of a 2xx answer as an object, or a failure naming the request. */
export async function ok(ctx: CheckContext, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const answer = await call(ctx, method, path, body);
  expect(answer.status >= 200 && answer.status < 300, `${method} ${path} answered ${answer.status}: ${describe(answer.body)}`);
  expect(isRecord(answer.body), `${method} ${path} answered a body that is not a JSON object`);
  return answer.body;
}

/** Creates an object; a 4xx answer means the server does not offer it (`what`). */
export async function createOrNotOffered(ctx: CheckContext, path: string, body: unknown, what: string): Promise<Record<string, unknown>> {
  const answer = await call(ctx, 'POST', path, body);
  if (answer.status === 404 || answer.status === 400 || answer.status === 405 || answer.status === 501) {
    throw new NotOffered(`${what}: POST ${path} answered ${answer.status}`);
  }
  expect(answer.status >= 200 && answer.status < 300 && isRecord(answer.body), `POST ${path} answered ${answer.status}: ${describe(answer.body)}`);
  return answer.body;
}

/** Waits `ms`, or rejects when the check's time is up. */
export function sleep(ctx: CheckContext, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(ctx.signal.reason);
    const timer = setTimeout(resolve, ms);
    ctx.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      },
      { once: true },
    );
  });
}

/** Polls `path` until `done(body)` holds, at the server's `openai-poll-after-ms` pace (10 ms – 1 s). */
export async function pollUntil(ctx: CheckContext, path: string, done: (body: Record<string, unknown>) => boolean): Promise<{ body: Record<string, unknown>; pollAfter: string | null }> {
  for (;;) {
    const answer = await call(ctx, 'GET', path);
    expect(answer.status === 200 && isRecord(answer.body), `GET ${path} answered ${answer.status}: ${describe(answer.body)}`);
    const pollAfter = answer.headers.get('openai-poll-after-ms');
    if (done(answer.body)) return { body: answer.body, pollAfter };
    const wait = Number(pollAfter);
    await sleep(ctx, Number.isFinite(wait) && wait > 0 ? Math.min(Math.max(wait, 10), 1000) : 250);
  }
}

/** The concatenated text of a message's text blocks. */
export function messageText(message: Message | Record<string, unknown> | undefined): string {
  const content = (message as { content?: unknown } | undefined)?.content;
  if (!Array.isArray(content)) return '';
  return content.map((block: { type?: string; text?: { value?: string } }) => (block.type === 'text' ? (block.text?.value ?? '') : '')).join('');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a body for a failure message. */
export function describe(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}
