// Text fragments read by hand from their compact JSON must be exactly what JSON.parse and the
// fast-path check make of the same text: accepted only when those accept, with the same value.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeWireEvent, isTextFragment } from '../src/index.ts';
import { readTextFragment } from '../src/wire/rawFragment.ts';

const fragmentText = (id: string, index: number, value: string) =>
  JSON.stringify({ id, object: 'thread.message.delta', delta: { content: [{ index, type: 'text', text: { value } }] } });

/** What the slow path makes of `text`: the fragment's data, or undefined if it is not one. */
function slowPath(text: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isTextFragment(json) ? json : undefined;
}

// Any code point but a surrogate half: what fast-check's `unit: 'binary'` draws (the same `nat`
// mapped the same way), with an unmapper that computes the index instead of looking it up in a
// table of all 1.1 million code points, which fast-check builds on first use (about a second of CPU).
const codePoint = fc.nat({ max: 0x10ffff - 0x800 }).map(
  (index) => String.fromCodePoint(index < 0xd800 ? index : index + 0x800),
  (value) => {
    const point = typeof value === 'string' ? value.codePointAt(0) : undefined;
    if (point === undefined || String.fromCodePoint(point) !== value || (point >= 0xd800 && point < 0xe000)) throw new Error('not one code point');
    return point < 0xd800 ? point : point - 0x800;
  },
);

// Escapes as other servers write them, which JSON.stringify never does.
const handEscaped = fc.constantFrom('\\/', '\\u0041', '\\ud83d\\ude00', '\\ud800', '\\"', '\\\\', '\\n', '\\x', '\\u12', '\\', '"', '\u0001', '\t');
const rawString = fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 3 }), fc.string({ unit: codePoint, maxLength: 2 }), handEscaped), { maxLength: 4 }).map((parts) => parts.join(''));

// Ids as servers make them: nothing JSON would escape (an id that needs escapes is read by JSON.parse).
const plainId = fc.string({ minLength: 1, unit: codePoint }).filter((id) => JSON.stringify(id) === `"${id}"`);

test('a compact fragment is read by hand, equal to what JSON.parse makes of it, whatever its text', () => {
  fc.assert(
    fc.property(plainId, fc.nat(1_000_000), fc.string({ unit: codePoint }), (id, index, value) => {
      const text = fragmentText(id, index, value);
      const read = readTextFragment(text);
      assert.ok(read !== undefined, text);
      assert.equal(read, JSON.parse(text));
    }),
    { numRuns: 3000 },
  );
});

test('whatever is read by hand, JSON.parse and the fast-path check accept with the same value', () => {
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(rawString, fc.constantFrom('0', '7', '12', '00', '-1', '1.5', '1e2', '123456789012'), rawString, (id, index, value) => {
      const text = `{"id":"${id}","object":"thread.message.delta","delta":{"content":[{"index":${index},"type":"text","text":{"value":"${value}"}}]}}`;
      const read = readTextFragment(text);
      const slow = slowPath(text);
      if (read === undefined) refused++;
      else {
        accepted++;
        assert.ok(slow !== undefined, `read by hand but refused by JSON.parse: ${text}`);
        assert.equal(read, slow);
      }
    }),
    { numRuns: 4000 },
  );
  assert.ok(accepted > 200 && refused > 200, `both sides are reached (${accepted} read, ${refused} refused)`);
});

test('anything but the exact compact shape is left to JSON.parse', () => {
  const base = fragmentText('msg_1', 0, 'Hi');
  assert.ok(readTextFragment(base) !== undefined);
  for (const text of [
    `${base} `,
    ` ${base}`,
    base.replace('"index":0', '"index": 0'),
    base.replace('{"value":"Hi"}', '{"value":"Hi","annotations":[]}'),
    base.replace('"id":"msg_1",', '"id":"msg_1","id":"msg_2",'),
    base.replace('"msg_1"', '""'),
    base.replace('"text","text"', '"image_file","text"'),
    base.slice(0, -1),
    `${base}}`,
    // the value's opening quote is not also its closing one
    base.replace('"Hi"}}]}}', '}}]}}'),
    base.replace('"Hi"}}]}}', '"}}]}}'),
  ]) {
    assert.is(readTextFragment(text), undefined, text);
  }
});

test('the decoder marks a hand-read fragment as one, and refuses bad JSON with the usual typed error', () => {
  const event = decodeWireEvent('thread.message.delta', fragmentText('msg_1', 2, 'a\nb'), 5, '9');
  assert.equal(event, {
    type: 'thread.message.delta',
    data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 2, type: 'text', text: { value: 'a\nb' } }] } },
    seq: 5,
    fragment: true,
    id: '9',
  });
  try {
    decodeWireEvent('thread.message.delta', fragmentText('msg_1', 0, 'x').replace('"x"', '"\u0001"'), 3);
    assert.unreachable('a control character in a string is not JSON');
  } catch (error) {
    assert.is((error as { kind?: string }).kind, 'json');
  }
});

test.run();
