// How the inspector keeps what it saw, cheaply: text fragments as their parts, events column by
// column, repeated state values not copied again, the JSON API written straight to Node's
// response. Each must show exactly what a plain copy of everything showed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createInspectorApp } from '../inspect/app.ts';
import { EventLog } from '../inspect/eventLog.ts';
import { createInspector, InspectorStore, sanitize, sanitizeEvent, type EventFrame, type InspectionFrame } from '../inspect/index.ts';
import { PAYLOAD_LIMITS, TextFragmentParts, textFragmentEvent, textFragmentParts } from '../inspect/sanitize.ts';

const test = suite('inspect-store');

const fragment = (value: string, extra: Record<string, unknown> = {}, id = 'msg_1') => ({
  type: 'thread.message.delta',
  data: { id, object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } },
  seq: 7,
  fragment: true,
  ...extra,
});

test('textFragmentParts + textFragmentEvent give exactly the generic copy; any other shape gives no parts', () => {
  const events = [
    fragment('hello'),
    fragment('key sk-abcdefghijklmnop'),
    fragment('z'.repeat(20_000)),
    fragment('y', {}, 'msg_sk-abcdefghijklmnop'),
  ];
  for (const event of events) {
    const parts = textFragmentParts(event, PAYLOAD_LIMITS);
    assert.instance(parts, TextFragmentParts);
    assert.equal(textFragmentEvent(parts!), sanitize(event, PAYLOAD_LIMITS));
  }
  const { seq: _seq, fragment: _fragment, ...bare } = fragment('no marks');
  assert.equal(textFragmentEvent(textFragmentParts(bare, PAYLOAD_LIMITS)!), sanitize(bare, PAYLOAD_LIMITS));
  // Marks that are not what the stream sets go the generic way, so they are copied the same.
  for (const odd of [fragment('x', { seq: Number.NaN }), fragment('x', { seq: { nested: [1, 2] } }), fragment('x', { fragment: 'yes' })]) {
    assert.is(textFragmentParts(odd, PAYLOAD_LIMITS), undefined);
    assert.equal(sanitizeEvent(odd, PAYLOAD_LIMITS), sanitize(odd, PAYLOAD_LIMITS));
  }
  assert.is(textFragmentParts(fragment('x', { extra: 1 }), PAYLOAD_LIMITS), undefined);
  assert.is(textFragmentParts({ type: 'thread.message.delta', data: { id: 'msg_1' } }, PAYLOAD_LIMITS), undefined);
  assert.is(textFragmentParts({ type: 'go' }, PAYLOAD_LIMITS), undefined);
});

test('a cut string stays as long and says as much whatever it was cut from', () => {
  const text = 'abc'.repeat(100_000);
  const cut = sanitize(text, { maxString: 1000, maxNodes: 10, maxDepth: 2 }) as string;
  assert.is(cut, `${text.slice(0, 1000)}… [${text.length - 1000} more characters]`);
});

test('EventLog: pages, filters and drops by column, each event as it was pushed', () => {
  const log = new EventLog();
  const other = { type: 'run.created', data: { id: 'run_1' } };
  log.push(0, 1000, 'a', 'root1', undefined, 'thread.message.delta', textFragmentParts(fragment('one'), PAYLOAD_LIMITS));
  log.push(1, 1001, 'b', 'root2', 'a', 'run.created', other);
  log.push(2, 1002, 'a', 'root1', 'b', 'thread.message.delta', textFragmentParts(fragment('two'), PAYLOAD_LIMITS));
  assert.is(log.length, 3);
  assert.equal(log.view(0), { seq: 0, time: 1000, sessionId: 'a', rootId: 'root1', sourceId: undefined, type: 'thread.message.delta', payload: sanitize(fragment('one'), PAYLOAD_LIMITS) });
  assert.equal(log.view(1).payload, other);
  assert.ok(log.matches(1, { actor: 'a' }), 'an event sent by the actor matches it');
  assert.not.ok(log.matches(1, { session: 'root1' }));
  assert.ok(log.matches(2, { type: 'message' }));
  log.dropSession('root2');
  assert.equal([0, 1].map((index) => log.seqAt(index)), [0, 2]);
  log.dropOldest(1);
  assert.is(log.length, 1);
  assert.is(log.view(0).seq, 2);
  assert.equal(log.view(0).payload, sanitize(fragment('two'), PAYLOAD_LIMITS));
});

test('EventLog: a fragment kept as columns gives back its very parts (marks absent, false, true; any index or text), across drops and many sessions', () => {
  const log = new EventLog();
  const variants: object[] = [
    fragment('a'),
    fragment('b', { fragment: false }),
    fragment('c', { fragment: undefined, seq: undefined }),
    fragment('d', { seq: 0 }, 'msg_2'),
    { type: 'thread.message.delta', data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 3, type: 'text', text: { value: 'e' } }] } } },
    // Texts as they are: empty, a lone surrogate, an emoji, one longer than a cut.
    fragment(''),
    fragment('a\ud800b 😀'),
    fragment('long '.repeat(5000)),
    // Between fragments, events kept whole.
    { type: 'other', data: { n: 1 } },
  ];
  const expected: Array<{ seq: number; rootId: string; payload: unknown }> = [];
  let seq = 0;
  for (let session = 0; session < 6; session++) {
    for (const event of variants) {
      const kept = textFragmentParts(event, PAYLOAD_LIMITS) ?? sanitize(event, PAYLOAD_LIMITS);
      const type = (event as { type: string }).type;
      log.push(seq, 2000 + seq, `s${session}/x:1`, `s${session}/x:0`, session % 2 === 0 ? undefined : `s${session}/x:0`, type, kept);
      assert.equal(log.stored(log.length - 1).payload, kept, `event ${seq} stored as it was given`);
      expected.push({ seq, rootId: `s${session}/x:0`, payload: sanitize(event, PAYLOAD_LIMITS) });
      seq += 1;
    }
  }
  log.dropSession('s1/x:0');
  log.dropOldest(variants.length);
  const kept = expected.filter((event) => event.rootId !== 's1/x:0').slice(variants.length);
  assert.is(log.length, kept.length);
  kept.forEach((event, index) => {
    const view = log.view(index);
    assert.equal({ seq: view.seq, rootId: view.rootId, payload: view.payload }, event, `event ${event.seq} after the drops`);
    assert.is(view.time, 2000 + event.seq);
    assert.is(view.sessionId, event.rootId.replace('x:0', 'x:1'));
  });
  assert.is(log.rootAt(0), 's2/x:0');
  assert.is(log.previousOf(kept.length - 1, 's5/x:1'), kept.at(-2)!.seq);
  assert.ok(log.matches(kept.length - 1, { actor: 's5/x:0' }), 'the source id survived the drops');
  assert.not.ok(log.matches(0, { actor: 's2/x:0' }), 'an event with no source matches only its own actor');
  assert.equal(log.sessionTimes('s1/x:0', 'thread.message.delta').count, 0);
  const first = variants.length * 4;
  assert.equal(log.sessionTimes('s4/x:0', 'thread.message.delta'), { count: variants.length, first: 2000 + first, last: 2000 + first + variants.length - 1, firstDelta: 2000 + first });
  assert.is(log.indexOfSeq(expected.at(-1)!.seq), kept.length - 1);
});

// A store fed a session of frames: 10 fragments, snapshots that repeat or change their value.
function feed(store: InspectorStore) {
  const frames: InspectionFrame[] = [{ type: '@xstate.actor', sessionId: 'x:1', rootId: 'x:1', name: 'message', snapshot: { value: { in_progress: 'idle' }, status: 'active', context: {} } }];
  const events: EventFrame['event'][] = [];
  for (let index = 0; index < 10; index++) {
    const event = fragment(`word${index} `, { seq: index });
    events.push(event);
    frames.push({ type: '@xstate.event', sessionId: 'x:1', event });
    // The value is a new object each time, as XState gives it; it changes at 3 and at 7.
    const value = index < 3 ? { in_progress: 'idle' } : index < 7 ? { in_progress: 'text' } : { in_progress: { key: 'sk-abcdefghijklmnop' } };
    frames.push({ type: '@xstate.snapshot', sessionId: 'x:1', event, snapshot: { value, status: 'active', context: { n: index } } });
  }
  for (const frame of frames) store.ingest(frame);
  return events;
}

test('the store: every event as its sanitized copy, state values recorded when they change and only then', () => {
  const store = new InspectorStore();
  const events = feed(store);
  const page = store.events({ limit: 100 });
  assert.equal(
    page.events.map((event) => event.payload),
    events.map((event) => sanitize(event, PAYLOAD_LIMITS)),
  );
  assert.equal(store.events({ offset: 8, limit: 5 }).events.map((event) => event.seq), [8, 9]);
  assert.is(store.events({ type: 'delta', offset: 9, limit: 5 }).total, 10);
  const [message] = store.actors();
  assert.equal(message!.value, { in_progress: { key: 'sk-[redacted]' } });
  assert.equal(message!.lastTransition, { from: { in_progress: 'text' }, to: { in_progress: { key: 'sk-[redacted]' } }, event: 'thread.message.delta', seq: 7 });
  assert.equal(store.stateAt(5)[0]!.lastTransition, { from: { in_progress: 'idle' }, to: { in_progress: 'text' }, event: 'thread.message.delta', seq: 3 });
  assert.equal(store.stateAt(2)[0]!.value, { in_progress: 'idle' });
  assert.is(store.stateAt(2)[0]!.lastTransition, undefined);
});

test('past maxEvents the oldest tenth goes; past maxActors the oldest session goes, events and all', () => {
  const store = new InspectorStore({ maxEvents: 10 });
  feed(store);
  feed(store);
  assert.is(store.cursor.firstSeq, 10);
  assert.equal(store.events({ limit: 100 }).events.map((event) => event.seq), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  const bounded = new InspectorStore({ maxActors: 1 });
  feed(bounded);
  bounded.ingest({ type: '@xstate.event', sessionId: 'y:1', rootId: 'y:1', event: { type: 'go' } });
  assert.equal(bounded.actors().map((actor) => actor.sessionId), ['y:1']);
  assert.equal(bounded.events({ limit: 100 }).events.map((event) => event.type), ['go']);
});

test('the JSON API answers the same through Node and through the fetch API', async () => {
  const inspector = await createInspector({ log: () => {} });
  try {
    feed(inspector.store);
    const url = new URL(inspector.url);
    const token = url.searchParams.get('token')!;
    const app = createInspectorApp(inspector.store, { token, uiDir: undefined });
    for (const path of ['/api/state?at=6', '/api/actors', '/api/events?offset=2&limit=3', '/api/events?type=delta&actor=x:1']) {
      const query = `${path}${path.includes('?') ? '&' : '?'}token=${token}`;
      const live = await fetch(`${url.origin}${query}`);
      const viaFetch = await app.request(query);
      assert.is(live.status, 200, path);
      assert.is(live.headers.get('content-type'), viaFetch.headers.get('content-type'), path);
      assert.is(live.headers.get('cache-control'), 'no-store', path);
      assert.is(await live.text(), await viaFetch.text(), path);
    }
  } finally {
    await inspector.close();
  }
});

test.run();
