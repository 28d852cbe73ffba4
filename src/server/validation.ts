import type { Context } from 'hono';
import type { z } from 'zod';
import { formatPath } from '../wire/index.ts';
import { ApiError } from './errors.ts';

/**
 * Reads and validates a JSON request body. An empty body counts as `{}` (the SDK sends none
 * for `POST /threads` without arguments); anything that is not JSON, or does not match the
 * schema, is a 400 with the real API's wording and the offending `param`.
 *
 * @example `const body = await readJsonBody(c, CreateThreadRequest);`
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export async function readJsonBody<Schema extends z.ZodType>(c: Context, schema: Schema): Promise<z.output<Schema>> {
  let text: string;
  try {
    text = UTF8.decode(await c.req.arrayBuffer());
  } catch {
    // Decoding with replacement characters would accept a mangled body as if it were valid.
    throw new ApiError(400, 'The request body is not valid UTF-8.');
  }
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      );
    }
  }
  return parseRequest(schema, json);
}

/**
 * Validates already-parsed input (a JSON body, query parameters, form fields).
 *
 * @example `const query = parseRequest(ListQuery, c.req.query());`
 */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw toApiError(parsed.error.issues[0]!, input);
}

type Issue = z.core.$ZodIssue;

function toApiError(issue: Issue, input: unknown): ApiError {
  const deepest = deepestIssue(issue);
  const path = [...issue.path, ...(deepest === issue ? [] : deepest.path)];
  if (deepest.code === 'unrecognized_keys') {
    const key = deepest.keys[0] ?? '';
    return new ApiError(400, `Unrecognized request argument supplied: ${key}`, { param: formatPath([...path, key]) || null });
  }
  const param = formatPath(path);
  if (path.length === 0) return new ApiError(400, `Invalid request body: expected a JSON object. (${deepest.message})`);
  if (valueAt(input, path) === undefined && deepest.code === 'invalid_type') {
    return new ApiError(400, `Missing required parameter: '${param}'.`, { param });
  }
  if (deepest.code === 'invalid_value') {
    const supported = deepest.values.map((value) => `'${String(value)}'`).join(', ');
    return new ApiError(400, `Invalid value: '${String(valueAt(input, path))}'. Supported values are: ${supported}.`, {
      param,
      code: 'invalid_value',
    });
  }
  if (deepest.code === 'invalid_type') {
    return new ApiError(400, `Invalid type for '${param}': expected ${deepest.expected}, but got ${describe(valueAt(input, path))} instead.`, {
      param,
      code: 'invalid_type',
    });
  }
  const value = valueAt(input, path);
  if (deepest.code === 'too_big' && deepest.origin === 'array' && Array.isArray(value)) {
    return new ApiError(
      400,
      `Invalid '${param}': array too long. Expected an array with maximum length ${String(deepest.maximum)}, but got an array with length ${value.length} instead.`,
      { param, code: 'array_above_max_length' },
    );
  }
  return new ApiError(400, `Invalid '${param}': ${deepest.message}.`, { param });
}

// A union reports one list of issues per branch; the branch that got furthest says best
// what was wrong (`content[0].text` rather than "not a string").
function deepestIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    const candidate = branch[0];
    if (candidate !== undefined && (best === undefined || candidate.path.length > best.path.length)) best = candidate;
  }
  if (best === undefined) return issue;
  const inner = deepestIssue(best);
  return inner === best ? best : { ...inner, path: [...best.path, ...inner.path] };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || typeof key === 'symbol') return undefined;
    value = Object.hasOwn(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}
