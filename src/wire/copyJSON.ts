// The charts keep their own copies of what the wire gave them (a created message, a step's
// final payload, the final run), so that what a listener does to the objects it is handed
// cannot reach the finals. `structuredClone` copies strings too, and the strings are most of
// what these objects weigh: a completed message or code step carries its whole text, so the
// chart's copy doubled it (measured: one more copy of the 1.7 MB code of the bench's tool-call
// run in the heap at its end). Strings are immutable, so a copy may share them.

/**
 * A deep copy of JSON-shaped data (plain objects, arrays, strings, numbers, booleans, null) that
 * shares its strings: no listener can change a string, so sharing one cannot leak an edit. Keys
 * are copied as own data properties, `__proto__` included (as `JSON.parse` makes it). Anything
 * else (a `Date`, a `Map`, a class instance) is left to `structuredClone`.
 *
 * @example
 * ```ts
 * const copy = copyJSON({ id: 'msg_1', content: [{ type: 'text', text: { value: '…' } }] });
 * ```
 */
export function copyJSON<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const items = new Array<unknown>(value.length);
    // A hole stays a hole.
    for (let index = 0; index < value.length; index++) if (index in value) items[index] = copy(value[index]);
    return items;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copy((value as Record<string, unknown>)[key]);
    // Assigning `__proto__` would set the prototype instead of a key.
    if (key === '__proto__') Object.defineProperty(result, key, { value: item, enumerable: true, writable: true, configurable: true });
    else result[key] = item;
  }
  return result;
}
