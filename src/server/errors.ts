import type { ErrorEnvelope } from '../wire/envelope.ts';

/** The `type` of an API error, as the real API names them. */
export type ApiErrorType = 'invalid_request_error' | 'requests' | 'server_error';


/**
 * An error the server answers with the API's envelope and status code. Thrown anywhere in a
 * route; the app's error handler turns it into the response.
 *
 * @example `throw new ApiError(400, 'Missing required parameter: \'assistant_id\'.', { param: 'assistant_id' })`
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly type: ApiErrorType;
  readonly param: string | null;
  readonly code: string | null;

  constructor(
    readonly status: number,
    message: string,
    { type = 'invalid_request_error', param = null, code = null }: { type?: ApiErrorType; param?: string | null; code?: string | null } = {},
  ) {
    super(message);
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** The JSON body of the response. */
  toEnvelope(): ErrorEnvelope {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/**
 * The 404 for an id the server does not know, worded as the real API words it.
 *
 * @example `throw notFound('thread', threadId) // "No thread found with id 'thread_x'."`
 */
export function notFound(kind: string, id: string): ApiError {
  return new ApiError(404, `No ${kind} found with id '${id}'.`);
}
