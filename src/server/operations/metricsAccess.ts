import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors.ts';

/** Visible ASCII without spaces: what fits after `Bearer ` in a header, read back unchanged. */
const TOKEN = /^[\x21-\x7e]+$/;

/**
 * Checks a `/metrics` bearer token when the server is made: an empty token would guard nothing
 * and one with spaces or control characters cannot be sent as a header.
 *
 * @example `validMetricsToken('scrape-7f3a9c41') // 'scrape-7f3a9c41'`
 */
export function validMetricsToken(token: string): string {
  if (!TOKEN.test(token)) throw new TypeError('options.metrics.bearerToken must be visible ASCII characters without spaces (an empty token would guard nothing)');
  return token;
}

/**
 * Whether an `Authorization` header carries `token` as a bearer token (the scheme in any case,
 * RFC 7235). Compared as SHA-256 digests with `timingSafeEqual`: the time taken says nothing of
 * how much of a guess was right, and tokens of any length compare.
 *
 * @example `bearerMatches('Bearer scrape-7f3a9c41', 'scrape-7f3a9c41') // true`
 */
export function bearerMatches(authorization: string | null, token: string): boolean {
  const match = /^bearer +(\S+)$/i.exec(authorization ?? '');
  const presented = createHash('sha256').update(match?.[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(presented, expected) && match !== null;
}

/**
 * The answer to a `/metrics` request without the token: a 401 in the API's error envelope that
 * says how to send it, never the token.
 *
 * @example `if (!bearerMatches(header, token)) return metricsTokenRequired();`
 */
export function metricsTokenRequired(): Response {
  const error = new ApiError(401, 'This server\'s /metrics needs its token: send "Authorization: Bearer <token>" (Prometheus: authorization.credentials or bearer_token_file).', {
    type: 'invalid_request_error',
    code: 'invalid_metrics_token',
  });
  return Response.json(error.toEnvelope(), { status: 401, headers: { 'www-authenticate': 'Bearer realm="metrics"' } });
}
