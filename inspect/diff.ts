/** One difference between two JSON values, at a path (`message.content.0.text.value`). */
export interface ValueChange {
  path: string;
  kind: 'added' | 'removed' | 'changed' | 'appended';
  before?: unknown;
  after?: unknown;
  /** For `appended`: how many characters a string grew by, and its new tail. */
  grew?: number;
}

/** Changes listed at most; the rest are counted in `more`. */
const MAX_CHANGES = 100;
/** Characters of an appended string's new tail shown. */
const TAIL = 200;

/**
 * What changed from `before` to `after` (two sanitized JSON values, a context before and after
 * an event): keys added, removed and changed, with their paths; a string that grew at its end
 * (a message's text as it streams) says by how much and shows the new tail, not both copies.
 *
 * @example `diffValues({ a: 1, t: 'he' }, { a: 2, t: 'hello' }) // { changes: [{ path: 'a', kind: 'changed', before: 1, after: 2 }, { path: 't', kind: 'appended', grew: 3, after: 'llo' }], more: 0 }`
 */
export function diffValues(before: unknown, after: unknown): { changes: ValueChange[]; more: number } {
  const changes: ValueChange[] = [];
  let more = 0;
  const add = (change: ValueChange) => {
    if (changes.length < MAX_CHANGES) changes.push(change);
    else more += 1;
  };
  const walk = (a: unknown, b: unknown, path: string) => {
    if (a === b) return;
    if (isContainer(a) && isContainer(b) && Array.isArray(a) === Array.isArray(b)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const key of keys) {
        const child = path === '' ? key : `${path}.${key}`;
        const inA = Object.hasOwn(a, key);
        const inB = Object.hasOwn(b, key);
        if (!inA) add({ path: child, kind: 'added', after: (b as Record<string, unknown>)[key] });
        else if (!inB) add({ path: child, kind: 'removed', before: (a as Record<string, unknown>)[key] });
        else walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], child);
      }
      return;
    }
    if (typeof a === 'string' && typeof b === 'string' && b.length > a.length && b.startsWith(a)) {
      const grown = b.slice(a.length);
      add({ path, kind: 'appended', grew: grown.length, after: grown.length <= TAIL ? grown : `…${grown.slice(-TAIL)}` });
      return;
    }
    if (a === undefined) add({ path, kind: 'added', after: b });
    else if (b === undefined) add({ path, kind: 'removed', before: a });
    else add({ path, kind: 'changed', before: a, after: b });
  };
  walk(before, after, '');
  return { changes, more };
}

function isContainer(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
