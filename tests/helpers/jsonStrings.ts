// Arbitrary strings for the tests that hold a hand-written reader of compact JSON to what
// JSON.parse makes of the same text (wire-raw-fragment, wire-raw-tool-fragment).
import fc from 'fast-check';
import * as assert from 'uvu/assert';

// Any code point but a surrogate half: what fast-check's `unit: 'binary'` draws (the same `nat`
// mapped the same way), with an unmapper that computes the index instead of looking it up in a
// table of all 1.1 million code points, which fast-check builds on first use (about a second of CPU).
export const codePoint = fc.nat({ max: 0x10ffff - 0x800 }).map(
  (index) => String.fromCodePoint(index < 0xd800 ? index : index + 0x800),
  (value) => {
    const point = typeof value === 'string' ? value.codePointAt(0) : undefined;
    if (point === undefined || String.fromCodePoint(point) !== value || (point >= 0xd800 && point < 0xe000)) throw new Error('not one code point');
    return point < 0xd800 ? point : point - 0x800;
  },
);

/** Escapes as other servers write them (which JSON.stringify never does), bad ones and raw characters JSON refuses. */
export const HAND_ESCAPES = ['\\/', '\\u0041', '\\ud83d\\ude00', '\\ud800', '\\"', '\\\\', '\\n', '\\x', '\\u12', '\\', '"', '\u0001', '\t'];

/** The text of a JSON string body as a server might write it: short runs of anything, `pieces` among them. */
export const rawString = (pieces: readonly string[] = HAND_ESCAPES) =>
  fc
    .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 3 }), fc.string({ unit: codePoint, maxLength: 2 }), fc.constantFrom(...pieces)), { maxLength: 4 })
    .map((parts) => parts.join(''));

/** Ids as servers make them: nothing JSON would escape (an id that needs escapes is read by JSON.parse). */
export const plainId = fc.string({ minLength: 1, unit: codePoint }).filter((id) => JSON.stringify(id) === `"${id}"`);

/** Index texts as servers might write them: JSON integers, and numbers no fragment has. */
export const RAW_INDEXES = ['0', '7', '12', '00', '-1', '1.5', '1e2', '123456789012'];

/**
 * Holds a hand reader to the slow path on every text `texts` draws: whatever `read` accepts,
 * `JSON.parse` followed by `isShape` accepts too, with the same value; both sides are reached.
 */
export function assertReadsAsJSONParse(texts: fc.Arbitrary<string>, read: (text: string) => unknown, isShape: (json: unknown) => boolean): void {
  const slowPath = (text: string): unknown => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    return isShape(json) ? json : undefined;
  };
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(texts, (text) => {
      const fast = read(text);
      if (fast === undefined) refused++;
      else {
        accepted++;
        const slow = slowPath(text);
        assert.ok(slow !== undefined, `read by hand but refused by JSON.parse: ${text}`);
        assert.equal(fast, slow);
      }
    }),
    { numRuns: 4000 },
  );
  assert.ok(accepted > 200 && refused > 200, `both sides are reached (${accepted} read, ${refused} refused)`);
}
