import { ErrorObjectSchema, type ErrorObject } from './schemas/common.ts';

/**
 * The body of every error response, `{ error: { message, type, param, code } }`: what the
 * embedded server sends, what the client and the stream read.
 */
export interface ErrorEnvelope {
  error: ErrorObject;
}

/** A non-2xx response, read once: what every layer builds its own error from. */
export interface ErrorResponse {
  status: number;
  headers: Headers;
  /** The envelope's error object, when the body carries one. */
  error: ErrorObject | undefined;
  /** The body as text, cut at {@link ERROR_TEXT_LIMIT} characters; undefined when empty. */
  text: string | undefined;
}

/** How much of an error body without an envelope is kept to say what happened. */
export const ERROR_TEXT_LIMIT = 500;

/**
 * The error object of an envelope (`{ error: {...} }`) or a bare error object (the stream's
 * `error` event may send either, and the official SDK accepts both). A field of the wrong
 * type is dropped rather than failing the whole object; without a `message` string there is
 * no error object.
 *
 * @example `errorObjectOf({ error: { message: 'No thread found', code: null } }) // { message: 'No thread found', code: null }`
 */
export function errorObjectOf(body: unknown): ErrorObject | undefined {
  const candidate = isRecord(body) && isRecord(body['error']) ? body['error'] : body;
  const parsed = ErrorObjectSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  if (!isRecord(candidate) || typeof candidate['message'] !== 'string') return undefined;
  const salvaged: ErrorObject = { message: candidate['message'] };
  for (const field of ['type', 'code', 'param'] as const) {
    const value = candidate[field];
    if (typeof value === 'string' || value === null) salvaged[field] = value;
  }
  return salvaged;
}

/**
 * Reads a non-2xx response's body once and finds its error envelope, if it has one.
 *
 * @example
 * ```ts
 * if (!response.ok) { const { status, error } = await readErrorResponse(response); console.log(status, error?.message); }
 * ```
 */
export async function readErrorResponse(response: Response): Promise<ErrorResponse> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status alone still says what happened.
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return {
    status: response.status,
    headers: response.headers,
    error: isRecord(body) && isRecord(body['error']) ? errorObjectOf(body) : undefined,
    text: text === '' ? undefined : text.slice(0, ERROR_TEXT_LIMIT),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
