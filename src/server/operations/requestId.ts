import { randomBytes } from 'node:crypto';

// An id a proxy in front already gave the request is kept (so one id follows it through the
// proxy's logs and ours), when it is a plain token that cannot smuggle anything into a log line.
const FORWARDED_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The request's `x-request-id`: the one a proxy in front sent, if it is a plain token, else a
 * new one in the API's shape (`req_` and 32 hex digits).
 *
 * @example `requestIdOf(request) // 'req_9f86d081884c7d659a2feaa0c55ad015'`
 */
export function requestIdOf(request: Request): string {
  const forwarded = request.headers.get('x-request-id');
  if (forwarded !== null && FORWARDED_ID.test(forwarded)) return forwarded;
  return `req_${randomBytes(16).toString('hex')}`;
}
