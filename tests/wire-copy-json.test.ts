// copyJSON: the charts' own copies of what the wire gave them share its strings (immutable) but
// nothing else, so an edit to the original reaches no copy; keys are copied as they are.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyJSON } from '../src/index.ts';

test('a deep copy equal to structuredClone, with no object or array shared', () => {
  const original = JSON.parse('{"id":"msg_1","n":1.5,"ok":true,"none":null,"content":[{"type":"text","text":{"value":"hi","annotations":[]}}],"metadata":{"a":"b"}}') as Record<string, unknown>;
  const copy = copyJSON(original);
  assert.equal(copy, structuredClone(original));
  const objects = (value: unknown): unknown[] =>
    typeof value === 'object' && value !== null ? [value, ...Object.values(value).flatMap(objects)] : [];
  const shared = objects(copy).filter((object) => objects(original).includes(object));
  assert.equal(shared, []);
  (original['content'] as Array<{ text: { value: string } }>)[0]!.text.value = 'edited';
  (original['metadata'] as Record<string, string>)['a'] = 'edited';
  assert.equal(copy, JSON.parse('{"id":"msg_1","n":1.5,"ok":true,"none":null,"content":[{"type":"text","text":{"value":"hi","annotations":[]}}],"metadata":{"a":"b"}}'));
});

test('a __proto__ key is copied as an own key, not as the prototype; holes stay holes', () => {
  const original = JSON.parse('{"__proto__":{"polluted":true},"x":1}') as Record<string, unknown>;
  const copy = copyJSON(original);
  assert.is(Object.getPrototypeOf(copy), Object.prototype);
  assert.ok(Object.hasOwn(copy, '__proto__'));
  assert.is((copy as { polluted?: unknown }).polluted, undefined);
  assert.equal(Object.keys(copy), ['__proto__', 'x']);
  // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
  const sparse = copyJSON([1, , 3]);
  assert.is(1 in sparse, false);
  assert.is(sparse.length, 3);
});

test('what is not plain JSON is left to structuredClone', () => {
  const date = new Date(0);
  const copy = copyJSON({ at: date, tags: new Map([['a', 1]]) });
  assert.ok(copy.at instanceof Date && copy.at !== date && copy.at.getTime() === 0);
  assert.equal([...copy.tags], [['a', 1]]);
});

test.run();
