import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';

// The wording follows the real API's two 401s, minus its pointers to platform.openai.com and
// minus the masked echo of the key received: a server in front of your own model has no key
// page, and no part of any key belongs in a response.
const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
const INCORRECT_KEY_MESSAGE = 'Incorrect API key provided. Use the API key this server was started with.';

/**
 * Requires `Authorization: Bearer <apiKey>` on every request that reaches it: without a bearer
 * key the answer is 401 with code `null`, with another key 401 `invalid_api_key`, both in the
 * API's error envelope (the official SDK turns either into `AuthenticationError`). Mount it
 * after the CORS middleware, which answers preflights (they carry no credentials).
 *
 * @example `app.use(requireApiKey(process.env.SERVER_KEY!))`
 */
export function requireApiKey(apiKey: string): MiddlewareHandler {
  const refusalOf = apiKeyCheck(apiKey);
  return async (c, next) => {
    const refusal = refusalOf(c.req.header('authorization'));
    if (refusal !== undefined) throw refusal;
    return next();
  };
}

/**
 * The check {@link requireApiKey} makes, for requests that reach no route (a WebSocket
 * upgrade): given a request's `Authorization` header, the 401 to answer, or undefined when the
 * key is right.
 *
 * @example `const refusal = apiKeyCheck(key)(request.headers.authorization);`
 */
export function apiKeyCheck(apiKey: string): (authorization: string | undefined) => ApiError | undefined {
  checkApiKey(apiKey);
  const expected = digest(apiKey);
  return (authorization) => {
    const presented = bearerToken(authorization);
    if (presented === undefined) return new ApiError(401, MISSING_KEY_MESSAGE);
    if (!keysMatch(expected, presented)) return new ApiError(401, INCORRECT_KEY_MESSAGE, { code: 'invalid_api_key' });
    return undefined;
  };
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

// Both sides are hashed first so the comparison always covers 32 bytes: timingSafeEqual needs
// equal lengths, and comparing lengths first would tell an attacker how long the key is.
function keysMatch(expected: Buffer, presented: string): boolean {
  return timingSafeEqual(expected, digest(presented));
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
