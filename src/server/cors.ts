import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * Which web pages may call the server: a list of origins (`'http://localhost:5173'`; `'*'` for
 * any), or a function that decides per origin.
 */
export type CorsOrigins = readonly string[] | ((origin: string) => boolean);

/**
 * The request headers a page may send: everything our client and the official SDK send. The
 * SDK's `x-stainless-*` headers are listed one by one because a preflight answer cannot name
 * a family of headers.
 */
export const CORS_ALLOWED_HEADERS: readonly string[] = [
  'Authorization',
  'Content-Type',
  'Accept',
  'OpenAI-Beta',
  'OpenAI-Organization',
  'OpenAI-Project',
  'Idempotency-Key',
  'Last-Event-ID',
  'X-Stainless-Arch',
  'X-Stainless-Async',
  'X-Stainless-Custom-Poll-Interval',
  'X-Stainless-Helper',
  'X-Stainless-Helper-Method',
  'X-Stainless-Lang',
  'X-Stainless-OS',
  'X-Stainless-Package-Version',
  'X-Stainless-Poll-Helper',
  'X-Stainless-Retry-Count',
  'X-Stainless-Runtime',
  'X-Stainless-Runtime-Version',
  'X-Stainless-Timeout',
];

/** The response headers a page's script may read: the ones the clients act on. */
export const CORS_EXPOSED_HEADERS: readonly string[] = [
  'openai-poll-after-ms',
  'x-request-id',
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
  'openai-processing-ms',
  'Allow',
];

// Browsers cache a preflight answer this long (Chromium caps it at 2 hours), so a page that
// polls does not send a preflight before every request.
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * hono's CORS middleware set up for the Assistants API: preflights answered (before any other
 * middleware, so they need no API key and are never rate limited), the allowed origin echoed
 * on every answer — JSON, errors and SSE streams alike — with the headers the clients read.
 * A request from an origin not allowed gets no CORS headers, so the browser refuses it.
 *
 * @example `app.use(corsFor(['http://localhost:5173']))`
 */
export function corsFor(origins: CorsOrigins): MiddlewareHandler {
  const allows = originPolicy(origins);
  return cors({
    origin: (origin) => (origin !== '' && allows(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'DELETE'],
    allowHeaders: [...CORS_ALLOWED_HEADERS],
    exposeHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: PREFLIGHT_MAX_AGE_S,
  });
}

/**
 * Checks a `cors` option and returns who it allows. Each listed origin must be `'*'` or an
 * origin exactly as a browser sends it: scheme, host and port, no path or trailing slash. A
 * wrong one is a `TypeError` that names its index.
 *
 * @example `originPolicy(['http://localhost:5173'])('http://localhost:5173') // true`
 */
export function originPolicy(origins: CorsOrigins): (origin: string) => boolean {
  if (typeof origins === 'function') return origins;
  if (!Array.isArray(origins)) throw new TypeError('options.cors must be an array of origins or a function (origin) => boolean');
  if (origins.length === 0) throw new TypeError("options.cors is an empty list: name the origins to allow (or '*'), or leave the option out");
  origins.forEach((origin: unknown, index) => {
    if (origin !== '*' && !isOrigin(origin)) {
      throw new TypeError(`options.cors[${index}] must be an origin like "http://localhost:5173" (scheme, host and port; no path) or "*", got ${JSON.stringify(origin)}`);
    }
  });
  if (origins.includes('*')) return () => true;
  const allowed = new Set(origins);
  return (origin) => allowed.has(origin);
}

function isOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}
