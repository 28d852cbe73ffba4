// Growing strings stay equal to plain concatenation and hold memory proportional to their text.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { growString } from '../src/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const WORDS = ['the ', 'run ', 'lifecycle ', 'as ', 'a '];

// Two full collections each side: under load one could leave the garbage of the test before
// counted (CI on Node 24 once measured the plain rope at 21 bytes a fragment, 32-38 unloaded).
function liveBytesOf(build: () => unknown): number {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = build();
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  assert.ok(kept !== undefined);
  return after - before;
}

test('growing equals concatenating', () => {
  const holder = { value: '' };
  let plain = '';
  for (let i = 0; i < 50_000; i++) {
    const piece = `${WORDS[i % WORDS.length]}${i % 7 === 0 ? '日本' : ''}`;
    growString(holder, 'value', piece);
    plain += piece;
  }
  assert.is(holder.value, plain);
});

test('200,000 fragments hold about their text, where a plain rope holds ~30 bytes per fragment', () => {
  const fragments = 200_000;
  const rope = liveBytesOf(() => {
    const holder = { value: '' };
    for (let i = 0; i < fragments; i++) holder.value += JSON.parse(`"${WORDS[i % WORDS.length]}"`);
    return holder;
  });
  const grown = liveBytesOf(() => {
    const holder = { value: '' };
    for (let i = 0; i < fragments; i++) growString(holder, 'value', JSON.parse(`"${WORDS[i % WORDS.length]}"`));
    return holder;
  });
  const textBytes = fragments * 5.6;
  // The contrast that makes the measure mean something: a rope costs a cons string (20 bytes
  // with pointer compression) and more per fragment, several times its text.
  assert.ok(rope > 3 * textBytes, `the rope holds ${rope} bytes`);
  assert.ok(grown < 2 * textBytes, `growString holds ${grown} bytes for ${textBytes} bytes of text`);
});

test.run();
