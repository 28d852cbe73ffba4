import { isTextFragment } from '../src/wire/fastPath.ts';

/** How much of a value the inspector keeps: everything past these limits is cut, and says so. */
export interface SanitizeLimits {
  /** Longest string kept whole; longer ones keep their head and say how much was cut. */
  maxString: number;
  /** Most objects, arrays and values visited in one value; the rest become a marker. */
  maxNodes: number;
  /** Deepest nesting kept. */
  maxDepth: number;
}

/** For event payloads: small, because there are many. */
export const PAYLOAD_LIMITS: SanitizeLimits = { maxString: 10_000, maxNodes: 2_000, maxDepth: 12 };
/** For contexts: the streamed text of a message should stay readable. */
export const CONTEXT_LIMITS: SanitizeLimits = { maxString: 100_000, maxNodes: 5_000, maxDepth: 12 };
/** For machine definitions: read once per machine. */
export const DEFINITION_LIMITS: SanitizeLimits = { maxString: 10_000, maxNodes: 20_000, maxDepth: 40 };

/** Strings that look like API keys (`sk-…`, `sk-proj-…`): replaced wherever they appear. */
const API_KEY = /\bsk-[A-Za-z0-9_-]{8,}/g;
/** Keys whose values are credentials, whatever they hold. */
const SECRET_KEYS = new Set(['authorization', 'proxy-authorization', 'api-key', 'apikey', 'api_key', 'x-api-key']);
/** What replaces a secret. */
export const REDACTED = '[redacted]';

/**
 * Redacts what looks like an API key (`sk-…`) in a string.
 *
 * @example `redactString('key sk-abcdefghij') // 'key sk-[redacted]'`
 */
export function redactString(text: string): string {
  // Cheap test first: nearly no string contains one, and most strings are short deltas.
  return text.includes('sk-') ? text.replace(API_KEY, `sk-${REDACTED}`) : text;
}

/**
 * A copy of `value` that JSON can carry and a page can show without freezing: BigInts become
 * strings (`123n`), functions their name (`[function adopt]`), cycles and repeated objects a
 * marker, DOM-like objects (`nodeType`) their tag, Maps and Sets plain objects and arrays,
 * strings over the limit their head plus how much was cut; authorization headers and API keys
 * are redacted. Never throws: a getter that throws becomes a marker too.
 *
 * @example `sanitize({ n: 1n, self: undefined }, PAYLOAD_LIMITS) // { n: '1n' }`
 */
export function sanitize(value: unknown, limits: SanitizeLimits): unknown {
  const budget = { nodes: limits.maxNodes };
  return copy(value, limits, budget, 0, []);
}

/**
 * {@link sanitize} for an event, with a shortcut for the one shape nearly every event of a
 * stream has — a text fragment, `{ type: 'thread.message.delta', data: { id, object, delta:
 * { content: [{ index, type: 'text', text: { value } }] } }, seq }` — copied by hand with the
 * same result: the generic copy's recursion was a third of the inspector's cost per event.
 *
 * @example `sanitizeEvent({ type: 'go' }, PAYLOAD_LIMITS) // { type: 'go' }`
 */
export function sanitizeEvent(event: object, limits: SanitizeLimits): unknown {
  const parts = textFragmentParts(event, limits);
  return parts === undefined ? sanitize(event, limits) : textFragmentEvent(parts);
}

/**
 * What varies between two text fragments, already sanitized: all the inspector keeps of one.
 * A stream is nearly all fragments, and each kept as the seven objects of its shape cost the
 * inspector more in garbage collection than in copying; {@link textFragmentEvent} rebuilds
 * the event from these when it is shown.
 */
export class TextFragmentParts {
  constructor(
    /** The message id, redacted and cut like any string. */
    readonly id: string,
    readonly index: number | string,
    /** The text, redacted and cut like any string. */
    readonly value: string,
    /** The event's `seq` and `fragment` marks, sanitized (`undefined` when absent). */
    readonly seq: unknown,
    readonly fragment: unknown,
  ) {}
}

let lastFragmentId = '';
let lastFragmentIdLimit = 0;
let lastFragmentIdKept = '';

/**
 * The sanitized parts of `event` when it is exactly a text fragment (see {@link sanitizeEvent}),
 * else `undefined`.
 *
 * @example `textFragmentParts({ type: 'go' }, PAYLOAD_LIMITS) // undefined`
 */
export function textFragmentParts(event: object, limits: SanitizeLimits): TextFragmentParts | undefined {
  const { type, data, seq, fragment } = event as { type?: unknown; data?: unknown; seq?: unknown; fragment?: unknown };
  if (type !== 'thread.message.delta' || !hasOnlyFragmentKeys(event) || !isTextFragment(data)) return undefined;
  // The marks as the stream sets them (a number, a boolean); anything else the generic way.
  if (seq !== undefined && !(typeof seq === 'number' && Number.isFinite(seq))) return undefined;
  if (fragment !== undefined && typeof fragment !== 'boolean') return undefined;
  const fragmentData = data as { id: string; delta: { content: [{ index: number; text: { value: string } }] } };
  const entry = fragmentData.delta.content[0];
  // Every fragment of a message repeats its id, each a string of its own from JSON.parse: the
  // parts keep the one string seen last when it is equal (100,000 fewer strings kept per
  // 100,000 deltas), redacted and cut once for all of them.
  if (fragmentData.id !== lastFragmentId || limits.maxString !== lastFragmentIdLimit) {
    lastFragmentId = fragmentData.id;
    lastFragmentIdLimit = limits.maxString;
    lastFragmentIdKept = truncate(redactString(lastFragmentId), limits.maxString);
  }
  return new TextFragmentParts(
    lastFragmentIdKept,
    Number.isFinite(entry.index) ? entry.index : String(entry.index),
    truncate(redactString(entry.text.value), limits.maxString),
    seq,
    fragment,
  );
}

/**
 * The sanitized text fragment event that `parts` were taken from, as {@link sanitizeEvent} gives it.
 *
 * @example `textFragmentEvent(textFragmentParts(event, PAYLOAD_LIMITS)!) // deep-equals sanitizeEvent(event, PAYLOAD_LIMITS)`
 */
export function textFragmentEvent(parts: TextFragmentParts): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: 'thread.message.delta',
    data: { id: parts.id, object: 'thread.message.delta', delta: { content: [{ index: parts.index, type: 'text', text: { value: parts.value } }] } },
  };
  if (parts.seq !== undefined) event['seq'] = parts.seq;
  if (parts.fragment !== undefined) event['fragment'] = parts.fragment;
  return event;
}

// for…in, not Object.keys: no array per event (an inherited key sends the event the generic way).
function hasOnlyFragmentKeys(event: object): boolean {
  for (const key in event) if (key !== 'type' && key !== 'data' && key !== 'seq' && key !== 'fragment') return false;
  return true;
}

function copy(value: unknown, limits: SanitizeLimits, budget: { nodes: number }, depth: number, path: object[]): unknown {
  // Every value counts, so a million-number array is cut as surely as a deep object.
  if (--budget.nodes < 0) return '[…]';
  switch (typeof value) {
    case 'string':
      return truncate(redactString(value), limits.maxString);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return undefined;
    case 'symbol':
      return `[${String(value)}]`;
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const object = value as object;
  if (path.includes(object)) return '[cycle]';
  if (depth >= limits.maxDepth) return Array.isArray(object) ? `[array(${object.length})]` : '[object]';
  try {
    // Plain objects and arrays first: nearly everything an event or a context holds.
    const prototype: unknown = Object.getPrototypeOf(object);
    if (Array.isArray(object) || ((prototype === Object.prototype || prototype === null) && !isDomLike(object))) {
      path.push(object);
      try {
        return Array.isArray(object) ? copyList(object, limits, budget, depth, path) : copyEntries(object, limits, budget, depth, path);
      } finally {
        path.pop();
      }
    }
    if (isDomLike(object)) return `[${describeDomLike(object)}]`;
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? '[invalid date]' : object.toISOString();
    if (object instanceof Error) return { name: object.name, message: truncate(redactString(object.message), limits.maxString) };
    if (ArrayBuffer.isView(object)) return `[${object.constructor.name}(${object.byteLength} bytes)]`;
    path.push(object);
    try {
      if (Array.isArray(object)) return copyList(object, limits, budget, depth, path);
      if (object instanceof Set) return copyList([...object], limits, budget, depth, path);
      if (object instanceof Map) return copyEntries(Object.fromEntries([...object.entries()].map(([key, entry]) => [String(key), entry])), limits, budget, depth, path);
      if (isActorRefLike(object)) return `[actor ${String((object as { id?: unknown }).id ?? '')}]`;
      return copyEntries(object, limits, budget, depth, path);
    } finally {
      path.pop();
    }
  } catch {
    return '[unreadable]';
  }
}

function copyList(list: readonly unknown[], limits: SanitizeLimits, budget: { nodes: number }, depth: number, path: object[]): unknown[] {
  const result: unknown[] = [];
  for (const item of list) {
    if (budget.nodes <= 0) {
      result.push(`[… ${list.length - result.length} more]`);
      break;
    }
    const copied = copy(item, limits, budget, depth + 1, path);
    result.push(copied === undefined ? null : copied);
  }
  return result;
}

function copyEntries(object: object, limits: SanitizeLimits, budget: { nodes: number }, depth: number, path: object[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  // Object.keys and plain assignment: this runs for every event the inspector keeps, and
  // Object.entries plus defineProperty cost several times more (measured in the benchmark).
  const keys = Object.keys(object);
  for (let index = 0; index < keys.length; index++) {
    if (budget.nodes <= 0) {
      result['…'] = `${keys.length - index} more keys`;
      break;
    }
    const key = keys[index]!;
    const copied = isSecretKey(key) ? REDACTED : copy((object as Record<string, unknown>)[key], limits, budget, depth + 1, path);
    if (copied === undefined) continue;
    // A key like __proto__ must stay a plain property of the copy.
    if (key === '__proto__') Object.defineProperty(result, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else result[key] = copied;
  }
  return result;
}

// Most keys (id, type, data, delta, value…) are ruled out by their first letter, with no allocation.
function isSecretKey(key: string): boolean {
  const first = key.charCodeAt(0) | 32;
  return (first === 97 || first === 112 || first === 120) && SECRET_KEYS.has(key.toLowerCase()); // a, p, x
}

/** The note a cut string ends with: how many characters were cut, in all. */
const CUT_NOTE = /… \[(\d{1,15}) more characters\]$/;

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  // A string cut before (by a sender, then again by the store) keeps one true note: the
  // characters cut by every cut together, never only by the last one.
  const note = text.endsWith(' more characters]') ? CUT_NOTE.exec(text) : null;
  if (note !== null) {
    const head = text.slice(0, note.index);
    const before = Number(note[1]);
    if (head.length <= max) return text;
    return `${flatHead(head, max)}… [${head.length - max + before} more characters]`;
  }
  // A slice keeps its whole parent alive in V8: a context sampled every 100 ms while a long
  // message streams would keep one copy of the entire text per sample (measured: 11 MB on the
  // 100,000-delta bench stream). Slicing a fresh rope (' ' + head) flattens it into a new
  // string of max + 1 characters first, so the head no longer holds the text it came from.
  return `${flatHead(text, max)}… [${text.length - max} more characters]`;
}

function flatHead(text: string, max: number): string {
  return ` ${text.slice(0, max)}`.slice(1);
}

function isDomLike(object: object): boolean {
  const node = object as { nodeType?: unknown; nodeName?: unknown };
  return typeof node.nodeType === 'number' && typeof node.nodeName === 'string';
}

function describeDomLike(object: object): string {
  const { nodeName } = object as { nodeName: string };
  return `${nodeName.toLowerCase()} element`;
}

// An actor in a context (XState keeps children's refs there): its id says enough.
function isActorRefLike(object: object): boolean {
  const actor = object as { sessionId?: unknown; send?: unknown; getSnapshot?: unknown };
  return typeof actor.sessionId === 'string' && typeof actor.send === 'function' && typeof actor.getSnapshot === 'function';
}
