// The write-through queue: in order, batched per turn of the event loop, and a waiter learns of
// a failed write it depended on.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { StorageEngine, StorageOp } from '../src/server/storage/engine.ts';
import { PersistenceQueue } from '../src/server/storage/queue.ts';

const test = suite('persistence queue');

function engine(failing: (ops: readonly StorageOp[]) => boolean = () => false) {
  const batches: string[][] = [];
  const fake: StorageEngine = {
    name: 'sqlite',
    migrate: async () => {},
    load: async () => ({ objects: [], events: [], bytes: new Map() }),
    async write(ops) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failing(ops)) throw new Error(`disk full at ${ops.map(idOf).join(',')}`);
      batches.push(ops.map(idOf));
    },
    ping: async () => {},
    close: async () => {},
  };
  return { fake, batches };
}
const idOf = (op: StorageOp) => (op.type === 'put' ? op.id : op.type);
const put = (id: string): StorageOp => ({ type: 'put', kind: 'assistant', parent: '', id, root: id, data: '{}', tenant: 'default' });

test('writes go in order; those queued while one is written go together in the next', async () => {
  const { fake, batches } = engine();
  const queue = new PersistenceQueue(fake, (error) => assert.unreachable(String(error)));
  queue.enqueue(put('a'));
  queue.enqueue(put('b'));
  await new Promise((resolve) => setImmediate(resolve));
  queue.enqueue(put('c'));
  queue.enqueue(put('d'));
  await queue.flushed();
  assert.equal(batches, [['a', 'b'], ['c', 'd']]);
  await queue.flushed();
});

test('writes queued a few promise hops apart in one turn go in one transaction (a route and its Idempotency-Key answer)', async () => {
  const { fake, batches } = engine();
  const queue = new PersistenceQueue(fake, (error) => assert.unreachable(String(error)));
  queue.enqueue(put('thread'));
  for (let hop = 0; hop < 5; hop++) await Promise.resolve();
  queue.enqueue(put('answer'));
  await queue.flushed();
  assert.equal(batches, [['thread', 'answer']]);
});

test('a waiter whose writes include a failed batch is rejected; later waiters are not', async () => {
  const { fake, batches } = engine((ops) => ops.some((op) => idOf(op) === 'bad'));
  const reported: unknown[] = [];
  const queue = new PersistenceQueue(fake, (error) => reported.push(error));
  queue.enqueue(put('bad'));
  await new Promise((resolve) => setImmediate(resolve));
  queue.enqueue(put('good'));
  const covering = await queue.flushed().then(
    () => 'resolved',
    (error: Error) => error.message,
  );
  assert.is(covering, 'disk full at bad');
  queue.enqueue(put('later'));
  await queue.flushed();
  assert.equal(batches, [['good'], ['later']]);
  assert.is(reported.length, 1);
});

test.run();
