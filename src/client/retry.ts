import { APIConnectionError, APIError, APIUserAbortError } from './errors.ts';

/** The first backoff wait; later ones double, up to {@link MAX_BACKOFF_MS}. */
export const INITIAL_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 8_000;
/** The longest server-requested wait we honour; beyond it (or for a wait in the past) we back off. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** Up to this fraction of a backoff wait is taken off at random, so clients don't retry in step. */
export const BACKOFF_JITTER = 0.25;

/**
 * Whether a failed attempt may succeed if tried again: the connection failed, broke off or
 * timed out, or the server answered 408, 409, 429 or ≥500 — unless it said otherwise in
 * `x-should-retry: true|false` (as the official SDK obeys it: the embedded server marks a
 * reused `Idempotency-Key`'s 409 `false`, one still being answered elsewhere `true`). Any other
 * 4xx is the request's fault, and aborts are the caller's wish.
 *
 * @example `isRetryable(new RateLimitError(429, undefined, undefined, new Headers())) // true`
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true;
  if (!(error instanceof APIError) || error.status === undefined) return false;
  const told = error.headers?.get('x-should-retry');
  if (told === 'true') return true;
  if (told === 'false') return false;
  return isRetryableStatus(error.status);
}

/** 408, 409, 429 and ≥500: the statuses worth another attempt. @example `isRetryableStatus(503) // true` */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * How long to wait before the next attempt: what the server asked for (`retry-after-ms`, else
 * `Retry-After` in seconds or as an HTTP date) when that is between 0 and a minute, otherwise
 * exponential backoff from {@link INITIAL_BACKOFF_MS} capped at {@link MAX_BACKOFF_MS}, less up
 * to {@link BACKOFF_JITTER} of it at random.
 *
 * @param retriesDone how many retries already happened (0 before the first one)
 * @example `retryDelayMs(new Headers({ 'retry-after': '2' }), 0) // 2000`
 */
export function retryDelayMs(headers: Headers | undefined, retriesDone: number, random: () => number = Math.random, now: () => number = Date.now): number {
  const asked = serverRequestedDelayMs(headers, now);
  if (asked !== undefined && asked >= 0 && asked <= MAX_RETRY_AFTER_MS) return asked;
  const backoff = Math.min(INITIAL_BACKOFF_MS * 2 ** retriesDone, MAX_BACKOFF_MS);
  return backoff * (1 - random() * BACKOFF_JITTER);
}

function serverRequestedDelayMs(headers: Headers | undefined, now: () => number): number | undefined {
  const milliseconds = headers?.get('retry-after-ms');
  if (milliseconds != null) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value)) return value;
  }
  const retryAfter = headers?.get('retry-after');
  if (retryAfter == null) return undefined;
  const seconds = Number.parseFloat(retryAfter);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isFinite(date) ? date - now() : undefined;
}

/**
 * What the retry loop needs from the outside world: a way to wait, the time, and chance.
 * {@link REAL_CLOCK} by default; a test passes a fake one that records the waits it is asked
 * for and returns at once.
 */
export interface RetryClock {
  /** Resolves after `ms`, or rejects with {@link APIUserAbortError} as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
  /** Milliseconds since the epoch (to read a `Retry-After` date). */
  now(): number;
  /** A number in [0, 1) (the backoff's jitter). */
  random(): number;
}

/** Real timers, `Date.now` and `Math.random`. @example `new AssistantsClient({ clock: REAL_CLOCK })` */
export const REAL_CLOCK: RetryClock = { sleep, now: () => Date.now(), random: () => Math.random() };

/**
 * Resolves after `ms`, or rejects with {@link APIUserAbortError} as soon as `signal` aborts;
 * either way no timer is left behind.
 *
 * @example `await sleep(500, signal)`
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new APIUserAbortError({ cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError({ cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
