// A batch of text fragments holds nothing once its message has handled it: XState keeps the
// events it ran actions for reachable long enough that V8 promotes them, and a batch that still
// held its fragments took them all into the old generation (docs/design.md, "The heap at the
// end of a run"). Emptying it must not change anything a listener or an inspector can see.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { AssistantStream } from '../src/index.ts';
import { createFrameObserver } from '../inspect/observer.ts';
import type { InspectionFrame } from '../inspect/frames.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

const COUNT = 300;
const words = Array.from({ length: COUNT }, (_, i) => `w${i} `);

function run(): ScriptedEvent[] {
  return [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.run.step.created', data: makeRunStep() },
    { event: 'thread.message.created', data: makeMessage() },
    ...words.map((value) => ({
      event: 'thread.message.delta',
      data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } },
    })),
    { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
  ];
}

interface FragmentBatch {
  type: 'text.fragments';
  fragments: Array<{ data: { delta: { content: Array<{ text: { value: string } }> } } }>;
}

const isBatch = (event: { type: string }): event is FragmentBatch => event.type === 'text.fragments';

/** Records every batch sent to the message actor, and how many fragments it held when sent. */
function watchBatches(stream: AssistantStream): Array<{ batch: FragmentBatch; sent: number }> {
  const batches: Array<{ batch: FragmentBatch; sent: number }> = [];
  stream.on('messageCreated', () => {
    const message = stream.actor.getSnapshot().context.messages.get('msg_1') as AnyActorRef;
    const send = message.send.bind(message);
    message.send = (event: { type: string }) => {
      if (isBatch(event)) batches.push({ batch: event, sent: event.fragments.length });
      send(event);
    };
  });
  return batches;
}

test('a batch is empty once its message has handled it; every fragment was heard, in order', async () => {
  const stream = AssistantStream.fromSSE(textSource(toSSE(run())));
  const batches = watchBatches(stream);
  const heard: string[] = [];
  stream.on('textDelta', (delta) => heard.push(delta.value!));
  await stream.done();
  assert.ok(batches.length >= 2, `the ${COUNT} fragments of one chunk arrive in batches (got ${batches.length})`);
  assert.is(
    batches.reduce((sum, { sent }) => sum + sent, 0),
    COUNT - 1,
    'every fragment but the one that opened the block went in a batch',
  );
  for (const { batch } of batches) assert.is(batch.fragments.length, 0, 'a handled batch holds no fragment');
  assert.equal(heard, words);
});

test('what listeners were given stays whole after its batch is emptied', async () => {
  const stream = AssistantStream.fromSSE(textSource(toSSE(run())));
  const kept: Array<{ value: string | undefined; snapshotAtCall: string; delta: { value?: string | undefined } }> = [];
  const messageDeltas: Array<{ content?: Array<{ type: string; text?: { value?: string } }> }> = [];
  stream.on('textDelta', (delta, snapshot) => kept.push({ value: delta.value, snapshotAtCall: snapshot.value, delta }));
  stream.on('messageDelta', (delta) => messageDeltas.push(delta as never));
  await stream.done();
  let text = '';
  kept.forEach(({ value, snapshotAtCall, delta }, i) => {
    text += words[i];
    assert.is(snapshotAtCall, text, `the snapshot held the full text so far at delta ${i}`);
    assert.is(delta.value, value, `the delta given at ${i} still reads what it read then`);
  });
  assert.equal(
    messageDeltas.map((delta) => delta.content?.[0]?.text?.value),
    words,
    'every messageDelta still holds its own fragment',
  );
  const [message] = stream.snapshot().messages;
  assert.is((message!.content[0] as { text: { value: string } }).text.value, words.join(''));
});

test('with an inspection observer, the batches it was shown stay whole', async () => {
  const shown: FragmentBatch[] = [];
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.event' && isBatch(event.event)) shown.push(event.event);
  };
  const stream = AssistantStream.fromSSE(textSource(toSSE(run())), { inspect });
  await stream.done();
  assert.ok(shown.length >= 2);
  const values = shown.flatMap((batch) => batch.fragments.map((fragment) => fragment.data.delta.content[0]!.text.value));
  assert.equal(values, words.slice(1), 'each batch still holds the fragments it carried');
});

test('with a frame observer (it copies each fragment out), batches are emptied too; its sink still gets every fragment whole', async () => {
  const frames: InspectionFrame[] = [];
  const stream = AssistantStream.fromSSE(textSource(toSSE(run())), { inspect: createFrameObserver((frame) => frames.push(frame)) });
  const batches = watchBatches(stream);
  await stream.done();
  assert.ok(batches.length >= 2);
  for (const { batch } of batches) assert.is(batch.fragments.length, 0, 'a handled batch holds no fragment');
  const values = frames.flatMap((frame) =>
    frame.type === '@xstate.event' && frame.event.type === 'thread.message.delta' ? [(frame.event as unknown as FragmentBatch['fragments'][number]).data.delta.content[0]!.text.value] : [],
  );
  assert.equal(values, words, 'every fragment reached the sink as its own event, whole');
  const batchSnapshots = frames.filter((frame) => frame.type === '@xstate.snapshot' && (frame.event as { type?: unknown }).type === 'text.fragments');
  assert.ok(batchSnapshots.length >= 2, 'a batch\'s snapshot still names the batch');
  for (const frame of batchSnapshots) assert.equal(frame.type === '@xstate.snapshot' && frame.event, { type: 'text.fragments' }, 'by its type alone: its fragments went out as events');
});

test.run();
