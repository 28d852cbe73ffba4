// The facade hands runs of text fragments to the message as batches; nothing about the
// callbacks may show it: per fragment, in order, each with its own event current.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { messageMachine } from '../machines/index.ts';
import { AssistantStream } from '../src/index.ts';
import { byteChunks, makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

const fragment = (index: number, value: string) => ({
  event: 'thread.message.delta',
  data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index, type: 'text', text: { value } }] } },
});

function longRun(count: number): ScriptedEvent[] {
  return [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.run.step.created', data: makeRunStep() },
    { event: 'thread.message.created', data: makeMessage() },
    ...Array.from({ length: count }, (_, i) => fragment(i < count / 2 ? 0 : 1, `w${i} `)),
    { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
  ];
}

for (const [name, source] of [
  ['one chunk', (events: ScriptedEvent[]) => textSource(toSSE(events))],
  ['7-byte chunks', (events: ScriptedEvent[]) => byteChunks(toSSE(events), 7)],
] as const) {
  test(`${name}: 1,000 fragments over two blocks give 1,000 ordered callbacks, each with its own event`, async () => {
    const stream = AssistantStream.fromSSE(source(longRun(1000)));
    const seen: string[] = [];
    let blocks = 0;
    stream.on('textCreated', () => blocks++);
    stream.on('messageDelta', (delta) => seen.push(`md:${(delta.content![0] as { text: { value: string } }).text.value}`));
    stream.on('textDelta', (delta, snapshot) => {
      const current = stream.currentEvent()!.data as { delta: { content: Array<{ text: { value: string } }> } };
      assert.is(current.delta.content[0]!.text.value, delta.value, 'the current event is the fragment being announced');
      assert.ok(snapshot.value.endsWith(delta.value!), 'the snapshot already holds this fragment, and no later one');
      seen.push(`td:${delta.value}`);
    });
    await stream.done();
    assert.is(blocks, 2);
    assert.equal(seen, Array.from({ length: 1000 }, (_, i) => [`md:w${i} `, `td:w${i} `]).flat());
    const [message] = stream.snapshot().messages;
    const texts = message!.content.map((block) => (block.type === 'text' ? block.text.value : ''));
    assert.equal(texts, [Array.from({ length: 500 }, (_, i) => `w${i} `).join(''), Array.from({ length: 500 }, (_, i) => `w${i + 500} `).join('')]);
  });
}

test('an abort inside a batch stops the callbacks at once', async () => {
  const stream = AssistantStream.fromSSE(textSource(toSSE(longRun(200))));
  let deltas = 0;
  stream.on('textDelta', () => {
    if (++deltas === 10) stream.abort();
  });
  const error = await stream.done().catch((thrown: { kind: string }) => thrown.kind);
  assert.is(error, 'aborted');
  assert.is(deltas, 10);
});

test('the raw message chart runs the named callbacks for each fragment of a batch when textFragment is not provided', () => {
  const log: string[] = [];
  const machine = messageMachine.provide({
    actions: {
      event: (_, { event }) => log.push(`event:${(event.data as { delta: { content: Array<{ text: { value: string } }> } }).delta.content[0]!.text.value}`),
      messageDelta: (_, { snapshot }) => log.push(`messageDelta:${(snapshot.content[0] as { text: { value: string } }).text.value}`),
      textDelta: (_, { delta, snapshot }) => log.push(`textDelta:${delta.value}|${snapshot.value}`),
    },
  });
  const actor = createActor(machine, { input: { message: makeMessage() } }).start();
  actor.send({ type: 'thread.message.created', data: makeMessage(), seq: 1 });
  actor.send({ type: 'thread.message.delta', data: fragment(0, 'a').data as never, seq: 2 });
  log.length = 0;
  // Marked as the decoder marks a plain text fragment: a batch holds only those.
  const batch = ['b', 'c'].map((value, i) => ({
    type: 'thread.message.delta' as const,
    data: fragment(0, value).data as never,
    seq: 3 + i,
    fragment: true as const,
  }));
  actor.send({ type: 'text.fragments', fragments: batch });
  assert.equal(log, ['event:b', 'messageDelta:ab', 'textDelta:b|ab', 'event:c', 'messageDelta:abc', 'textDelta:c|abc']);
});

test.run();
