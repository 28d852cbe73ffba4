// Consumed events are not kept: once a stream has handled a delta, only the snapshots it grew
// (and the latest event) stay reachable.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('after the stream, the delta events it handled can be collected', async () => {
  const deltas = Array.from({ length: 256 }, (_, i) => ({
    event: 'thread.message.delta',
    data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: `secret-${i} ` } }] } },
  }));
  const events: ScriptedEvent[] = [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.run.step.created', data: makeRunStep() },
    { event: 'thread.message.created', data: makeMessage() },
    ...deltas,
    { event: 'thread.message.completed', data: makeMessage({ status: 'completed' }) },
    { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
  ];
  const refs: Array<WeakRef<object>> = [];
  let stream: AssistantStream | undefined = AssistantStream.fromSSE(textSource(toSSE(events)));
  stream.on('event', (event) => {
    if (event.event === 'thread.message.delta') refs.push(new WeakRef(event.data as object));
  });
  stream.on('textDelta', (delta) => refs.push(new WeakRef(delta)));
  await stream.done();
  assert.is(refs.length, 512);
  // WeakRef targets stay alive until the job that made them ends: let two turns pass.
  for (let turn = 0; turn < 2; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
  const alive = refs.filter((ref) => ref.deref() !== undefined).length;
  assert.is(alive, 0, `${alive} of 512 delta objects are still reachable from a finished stream`);
  assert.is(stream.currentEvent()?.event, 'thread.run.completed');
  stream = undefined;
});

test.run();
