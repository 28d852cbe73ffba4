import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { ServerContext } from './context.ts';
import { routePath } from 'hono/route';
import { requireKey } from './auth.ts';
import { corsFor, type CorsOrigins } from './cors.ts';
import { ApiError } from './errors.ts';
import { idempotency, type DurableKeys, type IdempotencyOptions } from './idempotency.ts';
import { compactionRoutes } from './compaction/routes.ts';
import { conversationRoutes } from './conversations/routes.ts';
import { assistantRoutes } from './routes/assistants.ts';
import { fileRoutes } from './routes/files.ts';
import { messageRoutes } from './routes/messages.ts';
import { responseRoutes } from './responses/routes.ts';
import { runRoutes } from './routes/runs.ts';
import { threadRoutes } from './routes/threads.ts';
import { vectorStoreRoutes } from './routes/vectorStores.ts';
import type { KeyRing } from './tenants/keys.ts';
import { DEFAULT_TENANT, type RequestScope } from './tenants/scope.ts';

/** Every `every`-th request is answered 429 with `Retry-After`, for clients' retry tests. */
export interface RateLimitOptions {
  every: number;
  retryAfterMs: number;
}

/** How the app treats requests before any route sees them. */
export interface AppOptions {
  maxBodyBytes: number;
  idempotency: IdempotencyOptions;
  /** Where `Idempotency-Key`s are kept beyond this process (durable storage); undefined: in memory. */
  durableKeys?: DurableKeys | undefined;
  rateLimit: RateLimitOptions | undefined;
  onInternalError: (error: unknown) => void;
  /** Which web pages may call the server (CORS); undefined: none. */
  cors?: CorsOrigins | undefined;
  /** The keys requests must carry, each opening its tenant's namespace (read per request: reloads count at once); undefined: none. */
  keys?: (() => KeyRing) | undefined;
  /** The request being answered (its tenant, key and route are set here). */
  scope: RequestScope;
  /** Per-key limits (429, see `KeyLimiter`), mounted after the key check; undefined: none. */
  limits?: MiddlewareHandler | undefined;
}

/**
 * The Assistants API as a hono app under `/v1`: the routes, and in front of them CORS and the
 * API key check when configured, the error envelope for everything that goes wrong, the body size limit (413), the optional rate limit
 * (429), the `OpenAI-Beta` check, 405 for a known path with the wrong method, and 404 for the rest.
 *
 * @example `serve({ fetch: createApp(context, options).fetch, port: 0 })`
 */
export function createApp(context: ServerContext, options: AppOptions): Hono {
  const app = new Hono().basePath('/v1');
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.toEnvelope(), error.status as 400);
    options.onInternalError(error);
    return c.json(new ApiError(500, 'The server had an error while processing your request.', { type: 'server_error' }).toEnvelope(), 500);
  });
  // First, around everything: which route answered (for metrics and logs; the pattern, not the
  // ids). Once the chain is done, hono's route index is the route that answered.
  app.use(async (c, next) => {
    await next();
    const request = options.scope.current();
    if (request !== undefined) request.route = routePath(c);
  });
  // CORS next: a preflight is answered before anything asks it for a key or counts it, and
  // every answer after it (errors included) carries the CORS headers a page needs to read it.
  if (options.cors !== undefined) app.use(corsFor(options.cors));
  if (options.keys !== undefined) {
    app.use(
      requireKey(options.keys, (key) => {
        const request = options.scope.current();
        if (request === undefined) return;
        request.tenant = key.tenant;
        request.key = key.name;
        request.keyLimits = key.limits;
      }),
    );
  }
  if (options.limits !== undefined) app.use(options.limits);
  // hono finds the methods a known path allows when nothing matched; we only word the answer.
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) =>
        c.json(new ApiError(405, `Method ${c.req.method} is not allowed for ${c.req.path}; use ${allowed.join(' or ')}.`).toEnvelope(), 405, { Allow: allowed.join(', ') }),
    }),
  );
  if (options.rateLimit !== undefined) app.use(rateLimiter(options.rateLimit));
  app.use(limitBody(options.maxBodyBytes));
  app.use(idempotency(options.idempotency, options.durableKeys, () => options.scope.current()?.tenant ?? DEFAULT_TENANT));
  app.use('/assistants/*', requireAssistantsBeta());
  app.use('/threads/*', requireAssistantsBeta());
  app.use('/assistants', requireAssistantsBeta());
  app.use('/threads', requireAssistantsBeta());

  app.route('/assistants', assistantRoutes(context));
  // Before the thread routes, so `/threads/runs` is create-and-run, not thread "runs".
  app.route('/threads', runRoutes(context));
  app.route('/threads', messageRoutes(context));
  app.route('/threads', threadRoutes(context));
  app.route('/files', fileRoutes(context));
  app.route('/vector_stores', vectorStoreRoutes(context));
  // Before the response routes: `/responses/compact` is no response id.
  app.route('/responses/compact', compactionRoutes(context));
  app.route('/responses', responseRoutes(context));
  app.route('/conversations', conversationRoutes(context));

  app.notFound((c) => c.json(new ApiError(404, `Invalid URL (${c.req.method} ${c.req.path})`).toEnvelope(), 404));
  return app;
}

/**
 * 413 for a body over `maxBytes`: by its Content-Length, or — when it has none (chunked, or a
 * DELETE's empty stream) — by reading it. hono's own bodyLimit re-creates the request from the
 * node adapter's lightweight one, which only works when the adapter has replaced the global
 * Request class; we keep the embedding process's globals untouched instead.
 */
function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = (c: Context) => c.json(new ApiError(413, `Request body too large: the limit is ${maxBytes} bytes.`).toEnvelope(), 413);
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined) return Number(declared) > maxBytes ? tooLarge(c) : next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.raw.body === null) return next();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = c.req.raw.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return tooLarge(c);
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.url, { method: c.req.method, headers: c.req.raw.headers, body });
    return next();
  };
}

function rateLimiter({ every, retryAfterMs }: RateLimitOptions): MiddlewareHandler {
  let count = 0;
  return async (c, next) => {
    count += 1;
    if (count % every !== 0) return next();
    c.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    c.header('retry-after-ms', String(retryAfterMs));
    return c.json(
      new ApiError(429, `Rate limit reached for requests (the server was configured to refuse every ${every}th request).`, {
        type: 'requests',
        code: 'rate_limit_exceeded',
      }).toEnvelope(),
      429,
    );
  };
}

// The Assistants API answers 400 without `OpenAI-Beta: assistants=v2` (the SDK always sends it).
function requireAssistantsBeta(): MiddlewareHandler {
  return async (c: Context, next) => {
    const beta = c.req.header('openai-beta') ?? '';
    if (/\bassistants=v2\b/.test(beta)) return next();
    const message = /\bassistants=v1\b/.test(beta)
      ? "The v1 Assistants API has been deprecated. Please try again by setting the header 'OpenAI-Beta: assistants=v2'."
      : "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.";
    throw new ApiError(400, message, { code: 'invalid_beta' });
  };
}
