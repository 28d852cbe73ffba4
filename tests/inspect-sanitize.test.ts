// What the inspector keeps of a value: BigInt, cycles, functions, DOM-like objects and 10 MB
// strings shown truncated, never thrown on; credentials never kept.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, createMachine } from 'xstate';
import { InspectorStore, createFrameObserver, redactString, sanitize, sanitizeEvent, type ActorStateView } from '../inspect/index.ts';
import { PAYLOAD_LIMITS } from '../inspect/sanitize.ts';

const test = suite('inspect-sanitize');
const LIMITS = { maxString: 1000, maxNodes: 100, maxDepth: 5 };

test('BigInt, functions, symbols, non-finite numbers, dates and errors become readable JSON values', () => {
  const value = sanitize({ big: 12n, fn: function adopt() {}, sym: Symbol('s'), nan: Number.NaN, date: new Date(0), error: new TypeError('bad') }, LIMITS);
  assert.equal(value, { big: '12n', fn: '[function adopt]', sym: '[Symbol(s)]', nan: 'NaN', date: '1970-01-01T00:00:00.000Z', error: { name: 'TypeError', message: 'bad' } });
  assert.not.throws(() => JSON.stringify(value));
});

test('cycles, depth, breadth and DOM-like objects are cut with a marker', () => {
  const cyclic: Record<string, unknown> = { name: 'a' };
  cyclic['self'] = cyclic;
  assert.equal(sanitize(cyclic, LIMITS), { name: 'a', self: '[cycle]' });
  const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
  assert.equal(sanitize(deep, LIMITS), { a: { b: { c: { d: { e: '[object]' } } } } });
  const wide = Array.from({ length: 500 }, (_, index) => index);
  const cut = sanitize(wide, LIMITS) as unknown[];
  assert.ok(cut.length <= 101);
  assert.match(String(cut.at(-1)), /^\[… \d+ more\]$/);
  assert.equal(sanitize({ node: { nodeType: 1, nodeName: 'DIV', ownerDocument: {} } }, LIMITS), { node: '[div element]' });
  assert.equal(sanitize(new Map([['k', new Set([1, 2])]]), LIMITS), { k: [1, 2] });
  const throwing = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('no'); } });
  assert.is(sanitize(throwing, LIMITS), '[unreadable]');
});

test('a 10 MB string keeps its head and says how much was cut', () => {
  const value = sanitize({ text: 'x'.repeat(10 * 1024 * 1024) }, LIMITS) as { text: string };
  assert.ok(value.text.startsWith('x'.repeat(1000)));
  assert.ok(value.text.endsWith(`… [${10 * 1024 * 1024 - 1000} more characters]`));
});

test('a string cut twice (by a sender, then by the store) says how much was cut in all, not only the second time', () => {
  const text = 'm'.repeat(590_000);
  const once = sanitize(text, { maxString: 100_000, maxNodes: 10, maxDepth: 5 }) as string;
  assert.ok(once.endsWith('… [490000 more characters]'), once.slice(-40));
  // The same limit again: nothing more to cut, the note stays true.
  assert.is(sanitize(once, { maxString: 100_000, maxNodes: 10, maxDepth: 5 }), once);
  // A smaller limit: the head is cut again and the note adds both cuts.
  const twice = sanitize(once, { maxString: 10_000, maxNodes: 10, maxDepth: 5 }) as string;
  assert.is(twice, `${'m'.repeat(10_000)}… [580000 more characters]`);
});

test('Authorization headers and sk-… keys are redacted wherever they are; __proto__ stays a plain key', () => {
  const value = sanitize({ headers: { Authorization: 'Bearer sk-live', 'x-api-key': 'k' }, note: 'my key is sk-proj-abcdefghijklmnop, keep it', list: ['sk-1234567890ab'] }, LIMITS);
  assert.equal(value, { headers: { Authorization: '[redacted]', 'x-api-key': '[redacted]' }, note: 'my key is sk-[redacted], keep it', list: ['sk-[redacted]'] });
  assert.is(redactString('no key here: sk-short'), 'no key here: sk-short');
  const proto = sanitize(JSON.parse('{"__proto__": {"polluted": true}}'), LIMITS) as Record<string, unknown>;
  assert.equal(Object.keys(proto), ['__proto__']);
  assert.is(({} as Record<string, unknown>)['polluted'], undefined);
});

test('an actor whose context holds all of that: the store shows it sanitized, and nothing secret', () => {
  const store = new InspectorStore();
  const context: Record<string, unknown> = { big: 2n ** 70n, fn: () => 1, huge: 'y'.repeat(10 * 1024 * 1024), auth: { authorization: 'Bearer sk-abcdefghijkl' } };
  context['cycle'] = context;
  const machine = createMachine({ id: 'messy', context, initial: 'a', states: { a: { on: { GO: 'b' } }, b: {} } });
  const actor = createActor(machine, { inspect: createFrameObserver((frame) => store.ingest(frame)) }).start();
  actor.send({ type: 'GO', apiKey: 'sk-abcdefghijklmnop', headers: { Authorization: 'Bearer x' } });
  const [seen] = store.stateAt(store.cursor.nextSeq - 1) as [ActorStateView & { context: Record<string, unknown> }];
  assert.is(seen.value, 'b');
  assert.is(seen.context['big'], '1180591620717411303424n');
  assert.is(seen.context['cycle'], '[cycle]');
  assert.ok((seen.context['huge'] as string).length < 200_000);
  const everything = JSON.stringify({ events: store.events({ limit: 1000 }), state: store.stateAt(store.cursor.nextSeq - 1), actors: store.actors() });
  assert.not.match(everything, /sk-abcdefghij/);
  assert.not.match(everything, /Bearer/);
});

test('sanitizeEvent: a text fragment copied by hand equals the generic copy; other shapes take the generic one', () => {
  const fragment = (value: string, extra: object = {}) => ({
    type: 'thread.message.delta',
    data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } },
    seq: 7,
    fragment: true,
    ...extra,
  });
  for (const event of [fragment('hello'), fragment('key sk-abcdefghijklmnop'), fragment('z'.repeat(20_000)), fragment('x', { extra: 1n })]) {
    assert.equal(sanitizeEvent(event, PAYLOAD_LIMITS), sanitize(event, PAYLOAD_LIMITS));
  }
  const notText = { type: 'thread.message.delta', data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'image_file', image_file: { file_id: 'f' } }] } } };
  assert.equal(sanitizeEvent(notText, PAYLOAD_LIMITS), notText);
});

test.run();
