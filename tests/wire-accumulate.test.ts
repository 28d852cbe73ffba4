// The merge rules of delta accumulation, one behaviour per test, and its guarantees:
// atomic (a rejected delta changes nothing), bounded, and unable to reach a prototype.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accumulateDelta, AssistantStreamError, checkDelta, MAX_ARRAY_LENGTH, MAX_INDEX_JUMP } from '../src/index.ts';

const rejects = (snapshot: object, delta: object, kind: string, path?: string) => {
  const before = structuredClone(snapshot);
  const error = (() => {
    try {
      accumulateDelta(snapshot, delta);
    } catch (thrown) {
      return thrown;
    }
    return assert.unreachable('the delta must be rejected');
  })();
  assert.instance(error, AssistantStreamError);
  assert.is((error as AssistantStreamError).kind, kind);
  if (path !== undefined) assert.is((error as AssistantStreamError).path, path);
  assert.equal(snapshot, before, 'a rejected delta changes nothing');
};

test('strings concatenate, numbers add, index and type are replaced', () => {
  const snapshot = { value: 'Hel', count: 2, index: 0, type: 'text' };
  accumulateDelta(snapshot, { value: 'lo', count: 3, index: 0, type: 'text' });
  assert.equal(snapshot, { value: 'Hello', count: 5, index: 0, type: 'text' });
});

test('a missing or null key takes a copy of the delta value', () => {
  const delta = { text: { value: 'a', annotations: [] as unknown[] }, output: 'x' };
  const snapshot: Record<string, unknown> = { output: null };
  accumulateDelta(snapshot, delta);
  assert.equal(snapshot, { text: { value: 'a', annotations: [] }, output: 'x' });
  accumulateDelta(snapshot, { text: { value: 'b' } });
  assert.is(delta.text.value, 'a', 'the delta itself is never mutated later');
});

test('objects merge key by key; arrays of objects merge by each entry index', () => {
  const snapshot = { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] };
  accumulateDelta(snapshot, { tool_calls: [{ index: 0, function: { arguments: ':1}' } }, { index: 1, function: { arguments: '' } }] });
  assert.equal(snapshot, { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }, { index: 1, function: { arguments: '' } }] });
});

test('entries land in the slot their index names, in any order', () => {
  const snapshot = { outputs: [] as unknown[] };
  accumulateDelta(snapshot, { outputs: [{ index: 2, logs: 'c' }] });
  accumulateDelta(snapshot, { outputs: [{ index: 1, logs: 'b' }] });
  accumulateDelta(snapshot, { outputs: [{ index: 2, logs: '!' }] });
  assert.is(snapshot.outputs.length, 3);
  assert.not.ok(0 in snapshot.outputs);
  assert.equal(snapshot.outputs.slice(1), [{ index: 1, logs: 'b' }, { index: 2, logs: 'c!' }]);
});

test('arrays of strings and numbers append', () => {
  const snapshot = { file_ids: ['a'] };
  accumulateDelta(snapshot, { file_ids: ['b', 'c'] });
  assert.equal(snapshot.file_ids, ['a', 'b', 'c']);
});

test('values that cannot merge are a type-mismatch, with the path', () => {
  rejects({ value: 'a' }, { value: 1 }, 'type-mismatch', 'delta.value');
  rejects({ done: true }, { done: true }, 'type-mismatch', 'delta.<field>');
  rejects({ text: { value: 'a' } }, { text: 'plain' }, 'type-mismatch', 'delta.text');
  rejects({ outputs: ['a'] }, { outputs: [{ index: 0 }] }, 'type-mismatch', 'delta.outputs[0]');
  rejects({ outputs: [] }, { outputs: [{ index: 0 }, 'x'] }, 'type-mismatch', 'delta.outputs[1]');
  rejects({ value: 'a' }, { value: null }, 'type-mismatch', 'delta.value');
});

test('unsafe keys are refused anywhere, before any change', () => {
  rejects({}, JSON.parse('{"__proto__": {"polluted": true}}'), 'unsafe-key', 'delta.__proto__');
  rejects({ text: { value: 'x' } }, { text: { value: 'y', constructor: { prototype: { polluted: true } } } }, 'unsafe-key', 'delta.text.constructor');
  rejects({ outputs: [] }, { outputs: [{ index: 0, prototype: 1 }] }, 'unsafe-key', 'delta.outputs[0].prototype');
  assert.is(({} as Record<string, unknown>)['polluted'], undefined);
});

test('indices must be safe non-negative integers within reach of the array end', () => {
  for (const index of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2, 2 ** 32 - 2]) {
    rejects({ outputs: [{ index: 0 }] }, { outputs: [{ index }] }, 'invalid-index', 'delta.outputs[0].index');
  }
  rejects({ outputs: [{ index: 0 }] }, { outputs: [{ index: 1 + MAX_INDEX_JUMP }] }, 'invalid-index');
  rejects({ outputs: [] }, { outputs: [{ value: 'no index' }] }, 'invalid-index');
  accumulateDelta({ outputs: [{ index: 0 }] }, { outputs: [{ index: MAX_INDEX_JUMP }] });
});

test('the reach is measured from the array as it was before this delta', () => {
  rejects({ outputs: [] }, { outputs: [{ index: 1023 }, { index: 2047 }] }, 'invalid-index', 'delta.outputs[1].index');
});

test('dense growth has no limit but the absolute one', () => {
  const outputs = Array.from({ length: 3000 }, (_, index) => ({ index }));
  const snapshot = { outputs: [...outputs] };
  accumulateDelta(snapshot, { outputs: [{ index: 3000 }] });
  assert.is(snapshot.outputs.length, 3001);
  const huge = { outputs: Array.from({ length: MAX_ARRAY_LENGTH }, (_, index) => ({ index })) };
  rejects(huge, { outputs: [{ index: MAX_ARRAY_LENGTH }] }, 'invalid-index');
});

test('a later bad entry rejects the whole delta: no new array, no replaced slot', () => {
  rejects({ annotations: null, outputs: [null] }, { annotations: [{ index: 0 }], outputs: [{ index: 0, v: 1 }, { index: -3 }] }, 'invalid-index');
});

test('new slots are own properties: an inherited numeric setter never runs', () => {
  let called = false;
  Object.defineProperty(Array.prototype, '5', {
    configurable: true,
    set() {
      called = true;
    },
    get() {
      return undefined;
    },
  });
  try {
    const snapshot = { outputs: [] as unknown[] };
    accumulateDelta(snapshot, { outputs: [{ index: 5, v: 'x' }] });
    assert.ok(Object.hasOwn(snapshot.outputs, 5));
    assert.not.ok(called);
  } finally {
    delete (Array.prototype as unknown as Record<string, unknown>)['5'];
  }
});

test('checkDelta reads without writing', () => {
  const snapshot = { value: 'a' };
  assert.is(checkDelta(snapshot, { value: 'b' }), undefined);
  assert.equal(snapshot, { value: 'a' });
  assert.equal(checkDelta(snapshot, { value: 2 }), { kind: 'type-mismatch', detail: 'cannot merge a number into a string', path: 'delta.value' });
});

test.run();
