import type { Context } from 'hono';
import { INCLUDE_SEARCH_CONTENT } from './builders.ts';
import { ApiError } from './errors.ts';

/**
 * A JSON answer for an object clients poll (a run, a vector store file, a batch), with the
 * `openai-poll-after-ms` header the official SDK's poll helpers wait by.
 *
 * @example `return pollable(c, context.pollAfterMs, executor.run);`
 */
export function pollable(c: Context, pollAfterMs: number, body: object): Response {
  c.header('openai-poll-after-ms', String(pollAfterMs));
  return c.json(body);
}

/**
 * Whether `include[]` asks for file_search result text; any other value is a 400.
 *
 * @example `const withContent = includesSearchContent(c);`
 */
export function includesSearchContent(c: Context): boolean {
  const values = [...(c.req.queries('include[]') ?? []), ...(c.req.queries('include') ?? [])];
  for (const value of values) {
    if (value !== INCLUDE_SEARCH_CONTENT) {
      throw new ApiError(400, `Invalid value: '${value}'. Supported values are: '${INCLUDE_SEARCH_CONTENT}'.`, { param: 'include', code: 'invalid_value' });
    }
  }
  return values.length > 0;
}
