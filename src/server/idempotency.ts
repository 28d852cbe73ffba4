import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';
import { replayOf } from './streaming.ts';

/** How many `Idempotency-Key`s the server remembers, and for how long. */
export interface IdempotencyOptions {
  /** The oldest key is forgotten past this many; default 10,000. */
  maxKeys: number;
  /** A key is forgotten this long after its first use; default 24 hours. */
  ttlMs: number;
}

export const DEFAULT_IDEMPOTENCY: IdempotencyOptions = { maxKeys: 10_000, ttlMs: 24 * 60 * 60 * 1000 };
const MAX_KEY_LENGTH = 255;

interface Remembered {
  /** The request the key was first used with: method, path and a hash of the body. */
  fingerprint: string;
  expiresAt: number;
  /** Makes the original answer again; undefined once the original turned out not to be kept. */
  answer: Promise<(() => Response) | undefined>;
}

/**
 * Honours `Idempotency-Key` on POST requests, so a client that retries a request whose answer
 * it never got (the connection dropped after the server accepted it) gets the original answer
 * instead of a second thread or run: the same JSON object, or — for a streaming run — a stream
 * of the original run's events from its start, following it live. The same key with another
 * request is a 409 in the API's envelope. A retry that arrives while the original is still
 * being answered waits for it. 5xx answers are not kept (the retry runs again); the store is
 * bounded by count and age.
 *
 * @example `app.use(idempotency(DEFAULT_IDEMPOTENCY));`
 */
export function idempotency({ maxKeys, ttlMs }: IdempotencyOptions): MiddlewareHandler {
  const remembered = new Map<string, Remembered>();
  return async (c, next) => {
    const key = c.req.method === 'POST' ? c.req.header('idempotency-key') : undefined;
    if (key === undefined || key === '') return next();
    if (key.length > MAX_KEY_LENGTH) throw new ApiError(400, `The Idempotency-Key header is longer than ${MAX_KEY_LENGTH} characters.`, { param: 'Idempotency-Key' });
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await c.req.arrayBuffer()));
    const fingerprint = `${c.req.method} ${c.req.path} ${Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
    const now = Date.now();
    const earlier = remembered.get(key);
    if (earlier !== undefined && earlier.expiresAt > now) {
      if (earlier.fingerprint !== fingerprint) {
        throw new ApiError(409, 'This Idempotency-Key was already used with a different request; use a new key for a new request.', {
          type: 'invalid_request_error',
          code: 'idempotency_key_reused',
          param: 'Idempotency-Key',
        });
      }
      const answer = await earlier.answer;
      if (answer !== undefined) {
        c.res = answer();
        return;
      }
    }
    let keep: (answer: (() => Response) | undefined) => void = () => {};
    remembered.delete(key);
    remembered.set(key, { fingerprint, expiresAt: now + ttlMs, answer: new Promise((resolve) => (keep = resolve)) });
    // A Map iterates in insertion order: the first key is the oldest.
    if (remembered.size > maxKeys) remembered.delete(remembered.keys().next().value!);
    try {
      await next();
    } finally {
      const response = c.res;
      if (response.status >= 500) {
        remembered.delete(key);
        keep(undefined);
      } else {
        const replay = replayOf(response);
        if (replay !== undefined) keep(replay);
        else {
          const [status, headers, body] = [response.status, new Headers(response.headers), await response.clone().arrayBuffer()];
          keep(() => new Response(body, { status, headers }));
        }
      }
    }
  };
}
