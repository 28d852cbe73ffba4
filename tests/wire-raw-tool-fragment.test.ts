// Tool-call fragments read by hand from their compact JSON must be exactly what JSON.parse and
// the fast-path check make of the same text: accepted only when those accept, with the same
// value. And a fragment of any length reads (no regular expression repeats over the value).
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeWireEvent, isToolCallFragment } from '../src/index.ts';
import { readToolCallFragment } from '../src/wire/rawToolFragment.ts';
import { assertReadsAsJSONParse, codePoint, HAND_ESCAPES, plainId, RAW_INDEXES, rawString } from './helpers/jsonStrings.ts';

type Kind = 'function' | 'code_interpreter';
const entry = (kind: Kind, index: number, value: string) =>
  kind === 'function' ? { index, type: 'function', function: { arguments: value } } : { index, type: 'code_interpreter', code_interpreter: { input: value } };
const fragmentText = (id: string, kind: Kind, index: number, value: string) =>
  JSON.stringify({ id, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [entry(kind, index, value)] } } });
const kind = fc.constantFrom<Kind>('function', 'code_interpreter');

// Besides the usual escapes, pieces of the frame's own text, which a value that is not one JSON
// string could use to end early and go on as more JSON.
const rawText = rawString([...HAND_ESCAPES, '"}}]}}}', '"}}]}},"x":{"y":"']);

test('a compact tool-call fragment is read by hand, equal to what JSON.parse makes of it, whatever its text', () => {
  fc.assert(
    fc.property(plainId, kind, fc.nat(1_000_000), fc.string({ unit: codePoint }), (id, kind, index, value) => {
      const text = fragmentText(id, kind, index, value);
      const read = readToolCallFragment(text);
      assert.ok(read !== undefined, text);
      assert.equal(read, JSON.parse(text));
    }),
    { numRuns: 3000 },
  );
});

test('whatever is read by hand, JSON.parse and the fast-path check accept with the same value', () => {
  const texts = fc.tuple(rawText, kind, fc.constantFrom(...RAW_INDEXES), rawText).map(([id, kind, index, value]) => {
    const call = kind === 'function' ? `"type":"function","function":{"arguments":"${value}"}` : `"type":"code_interpreter","code_interpreter":{"input":"${value}"}`;
    return `{"id":"${id}","object":"thread.run.step.delta","delta":{"step_details":{"type":"tool_calls","tool_calls":[{"index":${index},${call}}]}}}`;
  });
  assertReadsAsJSONParse(texts, readToolCallFragment, isToolCallFragment);
});

test('anything but the exact compact shape is left to JSON.parse', () => {
  const base = fragmentText('step_1', 'function', 0, 'Hi');
  assert.ok(readToolCallFragment(base) !== undefined);
  for (const text of [
    `${base} `,
    ` ${base}`,
    base.replace('"index":0', '"index": 0'),
    base.replace('{"arguments":"Hi"}', '{"arguments":"Hi","name":"f"}'),
    base.replace('"type":"function","function"', '"type":"function","code_interpreter"'),
    base.replace('"function":{"arguments"', '"function":{"input"'),
    base.replace('"id":"step_1",', '"id":"step_1","id":"step_2",'),
    base.replace('"step_1"', '""'),
    base.slice(0, -1),
    `${base}}`,
    fragmentText('step_1', 'code_interpreter', 0, 'Hi').replace('"input":"Hi"', '"input":"Hi"}}]}},"x":{"y":"'),
  ]) {
    assert.is(readToolCallFragment(text), undefined, text);
  }
});

test('a fragment of 8 MiB and one just under the 16 MiB frame limit read in one piece, with and without escapes', () => {
  for (const length of [8 * 1024 * 1024, 16 * 1024 * 1024 - 256]) {
    const plain = 'x'.repeat(length - 200);
    const read = readToolCallFragment(fragmentText('step_1', 'code_interpreter', 0, plain)) as { delta: { step_details: { tool_calls: [{ code_interpreter: { input: string } }] } } } | undefined;
    assert.is(read?.delta.step_details.tool_calls[0].code_interpreter.input.length, plain.length);
    const escaped = 'a\n'.repeat((length - 200) / 4);
    const event = decodeWireEvent('thread.run.step.delta', fragmentText('step_1', 'function', 0, escaped), 1);
    assert.is(event.type === 'thread.run.step.delta' && event.fragment === true, true);
  }
});

test('the decoder marks a hand-read tool-call fragment as one, and refuses bad JSON with the usual typed error', () => {
  const event = decodeWireEvent('thread.run.step.delta', fragmentText('step_1', 'code_interpreter', 2, 'a\nb'), 5, '9');
  assert.equal(event, {
    type: 'thread.run.step.delta',
    data: { id: 'step_1', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [{ index: 2, type: 'code_interpreter', code_interpreter: { input: 'a\nb' } }] } } },
    seq: 5,
    fragment: true,
    id: '9',
  });
  try {
    decodeWireEvent('thread.run.step.delta', fragmentText('step_1', 'function', 0, 'x').replace('"x"', '"\u0001"'), 3);
    assert.unreachable('a control character in a string is not JSON');
  } catch (error) {
    assert.is((error as { kind?: string }).kind, 'json');
  }
});

test.run();
