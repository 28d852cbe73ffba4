// The run event log as durable storage uses it: restored at its positions, gated until commit,
// followed from another server's copy.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RunEventLog } from '../src/server/executor/eventLog.ts';

const test = suite('run event log');

function follow(log: RunEventLog, from: number): string[] {
  const seen: string[] = [];
  log.subscribe(from, { event: (entry) => seen.push(entry.event), close: () => seen.push('(closed)') });
  return seen;
}

test('a gated log delivers an event only once released, each stream from its own position', () => {
  const log = new RunEventLog();
  log.gate(0);
  const fromStart = follow(log, 0);
  log.append('a', {});
  log.append('b', {});
  assert.equal(fromStart, []);
  log.release(1);
  assert.equal(fromStart, ['a']);
  log.append('c', {});
  const fromTwo = follow(log, 2);
  log.release(3);
  assert.equal(fromStart, ['a', 'b', 'c']);
  assert.equal(fromTwo, ['c']);
  log.release(2);
  assert.equal(fromStart, ['a', 'b', 'c'], 'a release behind the last one changes nothing');
});

test('a restored log keeps positions (a compacted one only its last event) and ids', () => {
  const original = new RunEventLog();
  for (const name of ['a', 'b', 'c']) original.append(name, { name });
  const restored = RunEventLog.restore(original.storedEntries());
  assert.is(restored.length, 3);
  assert.equal(follow(restored, 1), ['b', 'c']);
  original.compact();
  const compacted = RunEventLog.restore(original.storedEntries());
  assert.is(compacted.length, 3);
  assert.equal(follow(compacted, 0), ['c']);
  assert.ok(compacted.endsStreamAt(0), 'a dropped position counts as past the end');
  compacted.append('d', {});
  assert.match(compacted.storedEntries().at(-1)!.frame, /^id: 3\n/);
});

test("another server's events are followed at their positions, each once", () => {
  const log = new RunEventLog();
  const seen = follow(log, 1);
  const entry = (event: string) => ({ event, frame: `event: ${event}\n\n`, endsStream: false });
  log.appendFollowed(0, entry('a'));
  log.appendFollowed(1, entry('b'));
  log.appendFollowed(1, entry('b again'));
  assert.equal(seen, ['b']);
  assert.equal(log.eventNames(), ['a', 'b']);
});

test.run();
