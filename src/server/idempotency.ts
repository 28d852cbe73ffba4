import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';
import { replayOf, type StreamReference } from './streaming.ts';

/** How many `Idempotency-Key`s the server remembers, and for how long. */
export interface IdempotencyOptions {
  /** The oldest key is forgotten past this many; default 10,000. */
  maxKeys: number;
  /** A key is forgotten this long after its first use; default 24 hours. */
  ttlMs: number;
}

export const DEFAULT_IDEMPOTENCY: IdempotencyOptions = { maxKeys: 10_000, ttlMs: 24 * 60 * 60 * 1000 };
const MAX_KEY_LENGTH = 255;
/** What a request whose key another server is still answering is told to wait before retrying. */
export const KEY_IN_PROGRESS_RETRY_MS = 200;

/**
 * The answer a key's first request got, as data: a body (every POST answers JSON), or a
 * stream by reference to its source (a run's log from a position, a response's events).
 */
export type KeptAnswer =
  | { type: 'body'; status: number; headers: Array<[string, string]>; body: string }
  | { type: 'stream'; status: number; headers: Array<[string, string]>; reference: StreamReference };

/** What durable storage says about a key another request already used. */
export interface TakenKey {
  fingerprint: string;
  /** Undefined while that request is still being answered (by another server). */
  answer: KeptAnswer | undefined;
}

/**
 * The keys of a server on durable storage, shared by its restarts and by the servers on the
 * same database (src/server/storage/keys.ts). The database decides which request a key
 * belongs to (a unique key); this server's own waiting retries never ask it.
 */
export interface DurableKeys {
  /** Takes `key` for this request (undefined), or says who has it. */
  claim(key: string, fingerprint: string, now: number, expiresAt: number): Promise<TakenKey | undefined>;
  /** Keeps the answer of a claimed key (written with the request's own changes, in order). */
  keep(key: string, fingerprint: string, expiresAt: number, answer: KeptAnswer): void;
  /** Gives a claimed key up: its request failed (5xx) and may run again. */
  forget(key: string): void;
  /** Opens a kept stream again; undefined when its source is gone. */
  open(reference: StreamReference): Response | undefined;
}

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
 * request is a 409 in the API's envelope (`x-should-retry: false`). A retry that arrives while
 * the original is still being answered waits for it — on another server sharing the database,
 * it is told to retry (409 `idempotency_key_in_progress`, `x-should-retry: true`). 5xx answers
 * are not kept (the retry runs again); the store is bounded by count and age. With `durable`,
 * keys and answers live in the database: they survive a restart and are shared. `namespace`
 * names the tenant of the request: keys are remembered per tenant.
 *
 * @example `app.use(idempotency(DEFAULT_IDEMPOTENCY));`
 */
export function idempotency({ maxKeys, ttlMs }: IdempotencyOptions, durable?: DurableKeys, namespace: () => string = () => ''): MiddlewareHandler {
  const remembered = new Map<string, Remembered>();
  return async (c, next) => {
    const given = c.req.method === 'POST' ? c.req.header('idempotency-key') : undefined;
    if (given === undefined || given === '') return next();
    if (given.length > MAX_KEY_LENGTH) throw new ApiError(400, `The Idempotency-Key header is longer than ${MAX_KEY_LENGTH} characters.`, { param: 'Idempotency-Key' });
    // Each tenant's keys are its own: the same key from two tenants is two keys, so neither can
    // learn (by a 409, or by the answer) which keys the other used.
    const key = `${namespace()}:${given}`;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await c.req.arrayBuffer()));
    const fingerprint = `${c.req.method} ${c.req.path} ${Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
    const now = Date.now();
    const earlier = remembered.get(key);
    if (earlier !== undefined && earlier.expiresAt > now) {
      if (earlier.fingerprint !== fingerprint) return reused(c);
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
    if (durable !== undefined) {
      let taken: TakenKey | undefined;
      try {
        taken = await durable.claim(key, fingerprint, now, now + ttlMs);
      } catch (error) {
        remembered.delete(key);
        keep(undefined);
        throw error;
      }
      if (taken !== undefined) {
        // An earlier attempt has the key: before a restart, or on another server.
        remembered.delete(key);
        keep(undefined);
        if (taken.fingerprint !== fingerprint) return reused(c);
        if (taken.answer === undefined) return inProgress(c);
        c.res = answerOf(taken.answer, durable);
        return;
      }
    }
    try {
      await next();
    } finally {
      const response = c.res;
      if (response.status >= 500) {
        remembered.delete(key);
        keep(undefined);
        durable?.forget(key);
      } else {
        const headers: Array<[string, string]> = [...response.headers];
        const replay = replayOf(response);
        if (replay !== undefined) {
          keep(replay.open);
          if (replay.reference !== undefined) durable?.keep(key, fingerprint, now + ttlMs, { type: 'stream', status: response.status, headers, reference: replay.reference });
          else durable?.forget(key);
        } else {
          const [status, body] = [response.status, await response.clone().arrayBuffer()];
          keep(() => new Response(body, { status, headers }));
          durable?.keep(key, fingerprint, now + ttlMs, { type: 'body', status, headers, body: new TextDecoder().decode(body) });
        }
      }
    }
  };
}

function answerOf(answer: KeptAnswer, durable: DurableKeys): Response {
  if (answer.type === 'body') return new Response(answer.body, { status: answer.status, headers: answer.headers });
  const opened = durable.open(answer.reference);
  if (opened === undefined) throw new ApiError(404, 'The stream this Idempotency-Key was answered with is gone (its thread or response was deleted).', { param: 'Idempotency-Key' });
  return opened;
}

function reused(c: Context): Response {
  const error = new ApiError(409, 'This Idempotency-Key was already used with a different request; use a new key for a new request.', {
    type: 'invalid_request_error',
    code: 'idempotency_key_reused',
    param: 'Idempotency-Key',
  });
  // Retrying cannot help: the official SDK retries a 409 unless told not to.
  return c.json(error.toEnvelope(), 409, { 'x-should-retry': 'false' });
}

function inProgress(c: Context): Response {
  const error = new ApiError(409, 'A request with this Idempotency-Key is still being answered by another server; retry shortly to get its answer.', {
    type: 'invalid_request_error',
    code: 'idempotency_key_in_progress',
    param: 'Idempotency-Key',
  });
  return c.json(error.toEnvelope(), 409, {
    'x-should-retry': 'true',
    'retry-after-ms': String(KEY_IN_PROGRESS_RETRY_MS),
    'retry-after': String(Math.ceil(KEY_IN_PROGRESS_RETRY_MS / 1000)),
  });
}
