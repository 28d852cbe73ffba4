import { z } from 'zod';
import { ApiError } from './errors.ts';
import type { ListPage } from './objects.ts';
import { parseRequest } from './validation.ts';

const integerText = z.string().regex(/^\d+$/, 'expected an integer').transform(Number);

/** The query of every list endpoint; other parameters (filters) pass through for the route. */
export const ListQuery = z.looseObject({
  limit: integerText.pipe(z.number().int().min(1).max(100)).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  after: z.string().optional(),
  before: z.string().optional(),
});

/** `GET /files` allows up to 10,000 per page and has no `before`. */
export const FileListQuery = z.looseObject({
  limit: integerText.pipe(z.number().int().min(1).max(10_000)).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  after: z.string().optional(),
  purpose: z.string().optional(),
});

export interface PageRequest {
  limit?: number | undefined;
  order?: 'asc' | 'desc' | undefined;
  after?: string | undefined;
  before?: string | undefined;
}

/**
 * One page of `items` (given oldest first): sorted by `order` (default `desc`), starting after
 * the `after` cursor or ending before the `before` cursor, at most `limit` (default 20) long.
 *
 * @example `c.json(paginate(record.messages.values(), (m) => m.id, parseRequest(ListQuery, c.req.query())))`
 */
export function paginate<Item>(items: readonly Item[], idOf: (item: Item) => string, request: PageRequest, defaultLimit = 20): ListPage<Item> {
  const ordered = request.order === 'asc' ? [...items] : [...items].reverse();
  let start = 0;
  let end = ordered.length;
  if (request.after !== undefined) start = cursorIndex(ordered, idOf, request.after, 'after') + 1;
  if (request.before !== undefined) end = cursorIndex(ordered, idOf, request.before, 'before');
  const limit = request.limit ?? defaultLimit;
  // With only `before`, the page is the items just before the cursor, as with `after` the items just after.
  const window = ordered.slice(start, Math.max(start, end));
  const data = request.before !== undefined && request.after === undefined ? window.slice(-limit) : window.slice(0, limit);
  return {
    object: 'list',
    data,
    first_id: data.length > 0 ? idOf(data[0]!) : null,
    last_id: data.length > 0 ? idOf(data[data.length - 1]!) : null,
    has_more: window.length > limit,
  };
}

function cursorIndex<Item>(ordered: readonly Item[], idOf: (item: Item) => string, cursor: string, param: string): number {
  const index = ordered.findIndex((item) => idOf(item) === cursor);
  if (index === -1) throw new ApiError(400, `Invalid '${param}': no object with id '${cursor}' in this list.`, { param });
  return index;
}

/** Parses a list query (400 on a bad `limit` or `order`). */
export function parseListQuery(query: Record<string, string>): PageRequest & Record<string, unknown> {
  return parseRequest(ListQuery, query);
}
