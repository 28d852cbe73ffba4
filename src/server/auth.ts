import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';
import type { IdentifiedKey, KeyRing } from './tenants/keys.ts';

// The wording follows the real API's two 401s, minus its pointers to platform.openai.com and
// minus the masked echo of the key received: a server in front of your own model has no key
// page, and no part of any key belongs in a response.
const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
const INCORRECT_KEY_MESSAGE = 'Incorrect API key provided. Use the API key this server was started with.';

/**
 * Requires `Authorization: Bearer <key>` on every request that reaches it, the key one of
 * `keys()` (read for each request, so a reloaded keys file counts from the next one): without
 * a bearer key the answer is 401 with code `null`, with another key 401 `invalid_api_key`, both
 * in the API's error envelope (the official SDK turns either into `AuthenticationError`). The
 * key it found goes to `identified` (its tenant and name, never the key). Mount it after the
 * CORS middleware, which answers preflights (they carry no credentials).
 *
 * @example `app.use(requireKey(() => ring, (key) => (request.tenant = key.tenant)))`
 */
export function requireKey(keys: () => KeyRing, identified: (key: IdentifiedKey) => void): MiddlewareHandler {
  return async (c, next) => {
    const key = keyOfRequest(keys(), c.req.header('authorization'));
    if (key instanceof ApiError) throw key;
    identified(key);
    return next();
  };
}

/**
 * The key a request's `Authorization` header carries, or the 401 to answer (the same two as
 * {@link requireKey}): for requests that reach no route, as a WebSocket upgrade.
 *
 * @example `const key = keyOfRequest(ring, request.headers.authorization);`
 */
export function keyOfRequest(keys: KeyRing, authorization: string | undefined): IdentifiedKey | ApiError {
  const presented = bearerToken(authorization);
  if (presented === undefined) return new ApiError(401, MISSING_KEY_MESSAGE);
  return keys.identify(presented) ?? new ApiError(401, INCORRECT_KEY_MESSAGE, { code: 'invalid_api_key' });
}

/**
 * Throws a `TypeError` unless `apiKey` is a usable key: a non-empty string of visible ASCII,
 * as a header value can carry it. The message never contains the key.
 *
 * @example `checkApiKey(process.env.SERVER_KEY) // throws when unset`
 */
export function checkApiKey(apiKey: unknown): asserts apiKey is string {
  if (typeof apiKey !== 'string') throw new TypeError(`options.apiKey must be a string, got ${apiKey === null ? 'null' : typeof apiKey}`);
  if (apiKey === '') throw new TypeError('options.apiKey is empty: give the key clients must send, or leave the option out');
  if (!/^[\x21-\x7e]+$/.test(apiKey)) throw new TypeError('options.apiKey must be visible ASCII characters only (no spaces or control characters), as an HTTP header carries it');
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), if any. */
function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}
