// Text fragments read by hand from their compact JSON must be exactly what JSON.parse and the
// fast-path check make of the same text: accepted only when those accept, with the same value.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeWireEvent, isTextFragment } from '../src/index.ts';
import { readTextFragment } from '../src/wire/rawFragment.ts';
import { assertReadsAsJSONParse, codePoint, plainId, RAW_INDEXES, rawString } from './helpers/jsonStrings.ts';

const fragmentText = (id: string, index: number, value: string) =>
  JSON.stringify({ id, object: 'thread.message.delta', delta: { content: [{ index, type: 'text', text: { value } }] } });

const rawText = rawString();

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
  const texts = fc
    .tuple(rawText, fc.constantFrom(...RAW_INDEXES), rawText)
    .map(([id, index, value]) => `{"id":"${id}","object":"thread.message.delta","delta":{"content":[{"index":${index},"type":"text","text":{"value":"${value}"}}]}}`);
  assertReadsAsJSONParse(texts, readTextFragment, isTextFragment);
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
