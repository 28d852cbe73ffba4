import type { Context, MiddlewareHandler } from 'hono';
import { RUN_TERMINAL_STATUSES, type Run, type RunEventName } from '../../wire/index.ts';
import { ApiError } from '../errors.ts';
import type { RunObserver } from '../executor/environment.ts';
import type { KeyLimits } from '../tenants/keys.ts';
import type { RequestInfo, RequestScope } from '../tenants/scope.ts';

/** The per-key limits every key gets unless its own entry says otherwise; unset: no limit. */
export type Limits = KeyLimits;

// The requests that start a run (create, create-and-run, a response): the concurrent-runs limit refuses them.
const STARTS_A_RUN = /^\/v1\/(?:threads\/runs|threads\/[^/]+\/runs|responses)$/;
const MS_PER_MINUTE = 60_000;
// What a request refused for concurrent runs is told to wait: a run's end cannot be foreseen.
const CONCURRENT_RETRY_MS = 1_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Per-key limits, answered with the API's 429: requests per minute (a token bucket per key
 * holding a minute's worth, refilled continuously) and runs active at once (counted from the
 * runs a key's requests start to their final status). A refused request gets `retry-after`
 * (seconds) and `retry-after-ms`, `x-ratelimit-*` headers as the API sends them, and
 * `{error: {type: 'requests', code: 'rate_limit_exceeded', …}}`. Requests per minute are
 * counted in memory, or in the database when servers share one (`useSharedBuckets`: PostgreSQL);
 * concurrent runs by each server.
 *
 * @example
 * ```ts
 * const limits = new KeyLimiter({ requestsPerMinute: 600, concurrentRuns: 10 }, scope);
 * app.use(limits.middleware((limit) => metrics.rateLimited(limit)));
 * ```
 */
export class KeyLimiter {
  readonly #defaults: Limits;
  readonly #scope: RequestScope;
  readonly #buckets = new Map<string, Bucket>();
  readonly #active = new Map<string, number>();
  readonly #keyOfRun = new Map<string, string>();
  readonly #now: () => number;
  #shared: SharedBuckets | undefined;

  constructor(defaults: Limits, scope: RequestScope, now: () => number = Date.now) {
    this.#defaults = defaults;
    this.#scope = scope;
    this.#now = now;
  }

  /** Counts each run from its creation (inside the request of a key) to its final status. */
  readonly runObserver: RunObserver = {
    status: (run: Run, event: RunEventName) => {
      if (event === 'thread.run.created') {
        const request = this.#scope.current();
        if (request?.key === undefined) return;
        const key = limitedKey(request);
        this.#keyOfRun.set(run.id, key);
        this.#active.set(key, (this.#active.get(key) ?? 0) + 1);
      } else if ((RUN_TERMINAL_STATUSES as readonly string[]).includes(run.status)) {
        const key = this.#keyOfRun.get(run.id);
        if (key === undefined) return;
        this.#keyOfRun.delete(run.id);
        this.#active.set(key, Math.max(0, (this.#active.get(key) ?? 1) - 1));
      }
    },
    firstOutput: () => {},
    usage: () => {},
  };

  /**
   * Counts requests per minute in buckets every server on the database shares, so a key gets its
   * minute's worth once however many servers answer it. Should the database not answer, this
   * server counts alone (in memory) until it does: a limit is not a reason to refuse the request.
   *
   * @example `limiter.useSharedBuckets((key, perMinute) => shared.takeRequestToken(key, perMinute));`
   */
  useSharedBuckets(take: SharedBuckets | undefined): void {
    this.#shared = take;
  }

  /** The middleware: after the key is known (mount it after the key check). */
  middleware(onLimited: (limit: 'requests' | 'concurrent_runs') => void = () => {}): MiddlewareHandler {
    return async (c, next) => {
      const decision = await this.#decide(this.#scope.current(), c.req.method === 'POST' && STARTS_A_RUN.test(c.req.path));
      if (decision.bucket !== undefined) {
        const { perMinute, remaining, resetMs } = decision.bucket;
        c.header('x-ratelimit-limit-requests', String(perMinute));
        c.header('x-ratelimit-remaining-requests', String(remaining));
        c.header('x-ratelimit-reset-requests', `${resetMs}ms`);
      }
      if (decision.refused === undefined) return next();
      onLimited(decision.refused.limit);
      return tooMany(c, decision.refused.error.message, decision.refused.waitMs);
    };
  }

  /**
   * The same limits for a request that comes as no HTTP request (a `response.create` message on
   * a WebSocket, which starts a run): the 429 to answer, or undefined when it may go on.
   *
   * @example `const refused = await limiter.admit(scope.current(), true);`
   */
  async admit(request: RequestInfo | undefined, startsRun: boolean): Promise<ApiError | undefined> {
    return (await this.#decide(request, startsRun)).refused?.error;
  }

  // The key's bucket takes a token (its state for the headers), or the request is refused.
  async #decide(
    request: RequestInfo | undefined,
    startsRun: boolean,
  ): Promise<{ bucket?: { perMinute: number; remaining: number; resetMs: number }; refused?: { limit: 'requests' | 'concurrent_runs'; error: ApiError; waitMs: number } }> {
    const key = request?.key === undefined ? 'anonymous' : limitedKey(request);
    // A key's own limits win over the server's.
    const limits: Limits = { ...this.#defaults, ...definedOf(request?.keyLimits ?? {}) };
    let bucket: { perMinute: number; remaining: number; resetMs: number } | undefined;
    if (limits.requestsPerMinute !== undefined) {
      const taken = this.#shared === undefined ? this.#take(key, limits.requestsPerMinute) : await this.#takeShared(this.#shared, key, limits.requestsPerMinute);
      bucket = { perMinute: limits.requestsPerMinute, remaining: taken.remaining, resetMs: taken.resetMs };
      if (taken.waitMs !== undefined) {
        const message = `Rate limit reached for requests: this key may make ${limits.requestsPerMinute} requests per minute. Please try again in ${taken.waitMs}ms.`;
        return { bucket, refused: { limit: 'requests', error: rateLimited(message), waitMs: taken.waitMs } };
      }
    }
    if (limits.concurrentRuns !== undefined && startsRun) {
      const active = this.#active.get(key) ?? 0;
      if (active >= limits.concurrentRuns) {
        const message = `Rate limit reached for concurrent runs: this key may have ${limits.concurrentRuns} active at once, and has ${active}. Retry when one has finished.`;
        return { ...(bucket === undefined ? {} : { bucket }), refused: { limit: 'concurrent_runs', error: rateLimited(message), waitMs: CONCURRENT_RETRY_MS } };
      }
    }
    return bucket === undefined ? {} : { bucket };
  }

  // The same from the shared bucket; this server's own when the database does not answer.
  async #takeShared(take: SharedBuckets, key: string, perMinute: number): Promise<{ remaining: number; resetMs: number; waitMs?: number }> {
    let shared: { tokens: number; taken: boolean };
    try {
      shared = await take(key, perMinute);
    } catch {
      return this.#take(key, perMinute);
    }
    const perMs = perMinute / MS_PER_MINUTE;
    const resetMs = Math.ceil((perMinute - shared.tokens) / perMs);
    if (shared.taken) return { remaining: Math.floor(shared.tokens), resetMs };
    return { remaining: 0, resetMs, waitMs: Math.max(1, Math.ceil((1 - shared.tokens) / perMs)) };
  }

  // One token of the key's bucket: what is left and when it is full again, or how long to wait for one.
  #take(key: string, perMinute: number): { remaining: number; resetMs: number; waitMs?: number } {
    const now = this.#now();
    const perMs = perMinute / MS_PER_MINUTE;
    const bucket = this.#buckets.get(key) ?? { tokens: perMinute, updatedAt: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    const resetMs = Math.ceil((perMinute - bucket.tokens) / perMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { remaining: Math.floor(bucket.tokens), resetMs: Math.ceil((perMinute - bucket.tokens) / perMs) };
    }
    return { remaining: 0, resetMs, waitMs: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs)) };
  }
}

// What the limits count by: the key's name with its tenant (two tenants may name their keys
// alike), never the key itself.
function limitedKey(request: RequestInfo): string {
  return `${request.tenant ?? ''}/${request.key ?? ''}`;
}

/** Takes a token from a key's bucket kept where several servers share it: the tokens left, and whether one was taken. */
export type SharedBuckets = (key: string, perMinute: number) => Promise<{ tokens: number; taken: boolean }>;

function rateLimited(message: string): ApiError {
  return new ApiError(429, message, { type: 'requests', code: 'rate_limit_exceeded' });
}

function tooMany(c: Context, message: string, waitMs: number): Response {
  c.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
  c.header('retry-after-ms', String(waitMs));
  return c.json(rateLimited(message).toEnvelope(), 429);
}

function definedOf(limits: KeyLimits): KeyLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}
