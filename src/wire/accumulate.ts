import { AssistantStreamError } from './errors.ts';
import { growString } from './grow.ts';
import { UNSAFE_KEYS } from './unsafeKeys.ts';

/**
 * Delta accumulation: how `thread.message.delta` and `thread.run.step.delta` grow a snapshot.
 * The merge rules are the official SDK's, so snapshots equal its snapshots:
 *
 * - a key the snapshot lacks (or holds as null) takes a deep copy of the delta's value;
 * - `index` and `type` are replaced;
 * - strings concatenate, numbers add, plain objects merge key by key;
 * - arrays of strings/numbers append; arrays of objects merge entry by entry into the slot
 *   named by each entry's `index`.
 *
 * Anything else is a fault. Every delta is checked whole before anything is mutated, so a
 * rejected delta leaves the snapshot exactly as it was. Work is proportional to the size of
 * the delta, never to the size of the snapshot.
 */

/** The furthest a delta may place an entry beyond an array's current end. */
export const MAX_INDEX_JUMP = 1024;
/** No accumulated array may grow beyond this many slots. */
export const MAX_ARRAY_LENGTH = 65_536;

/** Why a delta cannot be merged, and where (a path such as `delta.content[0].text`). */
export interface DeltaFault {
  kind: 'unsafe-key' | 'invalid-index' | 'type-mismatch';
  detail: string;
  path: string;
}

type JSONObject = Record<string, unknown>;

/**
 * Checks that `delta` can merge into `snapshot`; returns the first fault or undefined.
 * Pure: reads both, mutates neither.
 */
export function checkDelta(snapshot: object, delta: object, path = 'delta'): DeltaFault | undefined {
  const fault = mergeObject(snapshot as JSONObject, delta as JSONObject, false);
  return fault === undefined ? undefined : { ...fault, path: path + fault.path };
}

/**
 * Merges `delta` into `snapshot` in place. Call {@link checkDelta} first: on a delta that
 * fails the check the result is unspecified.
 */
export function applyDelta(snapshot: object, delta: object): void {
  mergeObject(snapshot as JSONObject, delta as JSONObject, true);
}

/**
 * Checks and merges in one call, like the official SDK's `AssistantStream.accumulateDelta`.
 * Throws an {@link AssistantStreamError} (`unsafe-key`, `invalid-index`, `type-mismatch`)
 * and leaves `snapshot` untouched when the delta does not fit.
 *
 * @example
 * ```ts
 * const text = { value: 'Hel', annotations: [] };
 * accumulateDelta(text, { value: 'lo' }); // text.value === 'Hello'
 * ```
 */
export function accumulateDelta<T extends object>(snapshot: T, delta: object): T {
  const fault = checkDelta(snapshot, delta);
  if (fault !== undefined) throw new AssistantStreamError(fault.kind, fault.detail, { path: fault.path });
  applyDelta(snapshot, delta);
  return snapshot;
}

// One walk serves both passes: with `apply` false it only looks, with `apply` true it writes.
// In the check pass a missing target (`undefined`) stands for the fresh object or array the
// apply pass will create, so new subtrees are validated exactly as merges into empties.
// Every delta of a stream passes through here twice, so the walk allocates nothing on
// success: a fault's path is assembled only while returning it (`at` prepends a segment).

function mergeObject(target: JSONObject | undefined, delta: JSONObject, apply: boolean): DeltaFault | undefined {
  for (const key in delta) {
    if (!Object.hasOwn(delta, key)) continue;
    if (UNSAFE_KEYS.has(key)) return { kind: 'unsafe-key', detail: 'delta contains an unsafe key', path: `.${key}` };
    const value = delta[key];
    const current = target !== undefined && Object.hasOwn(target, key) ? target[key] : undefined;
    if (current === undefined || current === null || key === 'index' || key === 'type') {
      const fault = validateFresh(value);
      if (fault !== undefined) return at(`.${fieldName(key)}`, fault);
      if (apply) target![key] = freshCopy(value);
      continue;
    }
    if (typeof current === 'string' && typeof value === 'string') {
      if (apply) growString(target!, key, value);
    } else if (typeof current === 'number' && typeof value === 'number') {
      if (apply) target![key] = current + value;
    } else if (Array.isArray(current) && Array.isArray(value)) {
      const fault = mergeArray(current, value, apply);
      if (fault !== undefined) return at(`.${fieldName(key)}`, fault);
    } else if (isPlainObject(current) && isPlainObject(value)) {
      const fault = mergeObject(current, value, apply);
      if (fault !== undefined) return at(`.${fieldName(key)}`, fault);
    } else {
      return { kind: 'type-mismatch', detail: `cannot merge ${kindOf(value)} into ${kindOf(current)}`, path: `.${fieldName(key)}` };
    }
  }
  return undefined;
}

function mergeArray(target: unknown[] | undefined, delta: unknown[], apply: boolean): DeltaFault | undefined {
  if (delta.every(isPrimitiveEntry) && (target === undefined || target.every(isPrimitiveEntry))) {
    if (apply) target!.push(...delta);
    return undefined;
  }
  const baseLength = target?.length ?? 0;
  let furthest = baseLength - 1;
  // Two entries for one slot would make the check pass judge the second against a state the
  // apply pass never sees; a delta names each slot once.
  const seen = delta.length > 1 ? new Set<number>() : undefined;
  for (let i = 0; i < delta.length; i++) {
    const entry = delta[i];
    if (!isPlainObject(entry)) return { kind: 'type-mismatch', detail: 'array delta entry is not an object', path: `[${i}]` };
    const index = entry['index'];
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
      return { kind: 'invalid-index', detail: 'array delta entry has no valid index', path: `[${i}].index` };
    }
    if (index >= baseLength + MAX_INDEX_JUMP || index >= MAX_ARRAY_LENGTH) {
      return { kind: 'invalid-index', detail: `index ${index} is out of range`, path: `[${i}].index` };
    }
    if (seen !== undefined) {
      if (seen.has(index)) return { kind: 'invalid-index', detail: `index ${index} appears twice in one delta`, path: `[${i}].index` };
      seen.add(index);
    }
    furthest = Math.max(furthest, index);
    const slot = target !== undefined && Object.hasOwn(target, index) ? target[index] : undefined;
    if (slot !== undefined && slot !== null && !isPlainObject(slot)) {
      return { kind: 'type-mismatch', detail: `cannot merge an object into ${kindOf(slot)}`, path: `[${i}]` };
    }
  }
  if (furthest > baseLength && target !== undefined) {
    // Sparse growth: bound the holes the array would carry, across all deltas so far.
    const populated = new Set<number>();
    for (const key of Object.keys(target)) populated.add(Number(key));
    for (const entry of delta) populated.add((entry as JSONObject)['index'] as number);
    if (furthest + 1 - populated.size > MAX_INDEX_JUMP) {
      return { kind: 'invalid-index', detail: `index ${furthest} leaves too many empty slots`, path: '' };
    }
  }
  for (let i = 0; i < delta.length; i++) {
    const entry = delta[i] as JSONObject;
    const index = entry['index'] as number;
    const slot = target !== undefined && Object.hasOwn(target, index) ? (target[index] as JSONObject | null | undefined) : undefined;
    if (apply) {
      if (slot === undefined || slot === null) {
        // defineProperty, not assignment: a numeric setter on Array.prototype must never run.
        Object.defineProperty(target, index, { value: {}, writable: true, enumerable: true, configurable: true });
      }
      mergeObject(target![index] as JSONObject, entry, true);
    } else {
      const fault = mergeObject(slot ?? undefined, entry, false);
      if (fault !== undefined) return at(`[${i}]`, fault);
    }
  }
  return undefined;
}

function at(segment: string, fault: DeltaFault): DeltaFault {
  return { ...fault, path: segment + fault.path };
}

/** A value about to be copied in whole must itself be mergeable into an empty container. */
function validateFresh(value: unknown): DeltaFault | undefined {
  if (Array.isArray(value)) return mergeArray(undefined, value, false);
  if (isPlainObject(value)) return mergeObject(undefined, value, false);
  return undefined;
}

function freshCopy(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.every(isPrimitiveEntry)) return [...value];
    const copy: unknown[] = [];
    mergeArray(copy, value, true);
    return copy;
  }
  if (isPlainObject(value)) {
    const copy: JSONObject = {};
    mergeObject(copy, value, true);
    return copy;
  }
  return value;
}
function isPrimitiveEntry(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number';
}

function isPlainObject(value: unknown): value is JSONObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// Paths name only the protocol's own fields: an unknown key may be user data (or a secret),
// and error messages travel into logs.
const KNOWN_FIELDS = new Set([
  'annotations', 'arguments', 'code_interpreter', 'content', 'delta', 'detail', 'end_index', 'file_citation',
  'file_id', 'file_path', 'file_search', 'function', 'id', 'image', 'image_file', 'image_url', 'index', 'input',
  'logs', 'message_creation', 'message_id', 'metadata', 'name', 'output', 'outputs', 'quote', 'ranking_options',
  'refusal', 'results', 'role', 'start_index', 'status', 'step_details', 'text', 'tool_calls', 'type', 'url',
  'usage', 'value',
]);

function fieldName(key: string): string {
  return KNOWN_FIELDS.has(key) ? key : '<field>';
}
