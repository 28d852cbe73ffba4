// An `x-request-id` on every answer, as the API sends one: `req_` and 32 hexadecimal digits,
// fresh for each request (a retry answered from its `Idempotency-Key` included), whatever
// route, error or stream answered it; stamped by `Operations` (./index.ts), the server's
// outermost layer, which also puts it in the log lines of the request. Nothing the client sent
// is echoed: the API ignores a request's own `x-request-id`, and its clients read only the
// answer's (the official SDKs' `_request_id`, `request_id` and `APIError.requestID`).

/**
 * A new request id: `req_` and 128 random bits in hexadecimal.
 *
 * @example `newRequestId() // 'req_4f1c2e9a0b7d4c3e8a6f5b2d1c0e9f8a'`
 */
export function newRequestId(): string {
  let id = 'req_';
  for (const byte of crypto.getRandomValues(new Uint8Array(16))) id += byte.toString(16).padStart(2, '0');
  return id;
}

/**
 * `response` with header `name` set to `value`; a copy when its headers are immutable (a
 * Response that came from fetch).
 *
 * @example `withHeader(response, 'x-request-id', newRequestId())`
 */
export function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers (a Response that came from fetch): the same answer, with headers of its own.
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}
