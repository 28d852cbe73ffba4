// A text fragment's `event` copy is made only when someone reads it, from the fragment as it was
// announced: what a later listener does to the delta objects never reaches it, and a listener
// added mid-stream gets its copies from then on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, type AssistantStreamEvent } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

const fragment = (value: string) => ({
  event: 'thread.message.delta',
  data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } },
});

const run = (values: string[]): ScriptedEvent[] => [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  { event: 'thread.run.step.created', data: makeRunStep() },
  { event: 'thread.message.created', data: makeMessage() },
  ...values.map(fragment),
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
];

test('currentEvent() read after a listener edited the delta still shows the fragment as announced', async () => {
  const stream = AssistantStream.fromSSE(textSource(toSSE(run(['a', 'b', 'c']))));
  const seen: unknown[] = [];
  stream.on('messageDelta', (delta) => {
    const entry = delta.content![0] as { index: number; text?: { value?: string } };
    entry.index = 99;
    entry.text!.value = 'edited';
  });
  stream.on('textDelta', () => {
    const event = stream.currentEvent() as AssistantStreamEvent & { event: 'thread.message.delta' };
    seen.push(event.data.delta.content![0]);
    // The copy is the listener's to edit: the next read is the same object.
    assert.is(stream.currentEvent(), event);
  });
  await stream.done();
  assert.equal(seen, ['a', 'b', 'c'].map((value) => ({ index: 0, type: 'text', text: { value } })));
});

test('an event listener added mid-stream gets its own copy of every fragment from then on', async () => {
  const values = Array.from({ length: 10 }, (_, i) => `w${i} `);
  const stream = AssistantStream.fromSSE(textSource(toSSE(run(values))));
  const copies: Array<{ value: string }> = [];
  let deltas = 0;
  stream.on('textDelta', () => {
    if (++deltas !== 5) return;
    stream.on('event', (event) => {
      if (event.event !== 'thread.message.delta') return;
      const text = (event.data as { delta: { content: Array<{ text: { value: string } }> } }).delta.content[0]!.text;
      copies.push(text);
      text.value = 'mine';
    });
  });
  const texts: string[] = [];
  stream.on('textDelta', (delta) => texts.push(delta.value!));
  await stream.done();
  assert.is(copies.length, 5, 'fragments 6 to 10');
  assert.equal(texts, values, 'what the event listener did to its copies reached nobody else');
  const message = (await stream.finalMessages())[0]!;
  assert.is(message.content[0]!.type === 'text' ? message.content[0]!.text.value : '', values.join(''));
});

test.run();
