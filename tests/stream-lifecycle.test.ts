import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
import { recordCallbacks } from './helpers/record.ts';

const text = (index: number, value: string, extra: object = {}) => ({
  id: 'msg_1',
  object: 'thread.message.delta',
  delta: { content: [{ index, type: 'text', text: { value, ...extra } }] },
});

function textRun(): ScriptedEvent[] {
  return [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.queued', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.run.step.created', data: makeRunStep() },
    { event: 'thread.run.step.in_progress', data: makeRunStep() },
    { event: 'thread.message.created', data: makeMessage() },
    { event: 'thread.message.in_progress', data: makeMessage() },
    { event: 'thread.message.delta', data: text(0, 'Hel', { annotations: [] }) },
    { event: 'thread.message.delta', data: text(0, 'lo') },
    {
      event: 'thread.message.delta',
      data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 1, type: 'image_file', image_file: { file_id: 'file-img' } }] } },
    },
    { event: 'thread.message.delta', data: text(2, 'Bye', { annotations: [] }) },
    {
      event: 'thread.message.completed',
      data: makeMessage({
        status: 'completed',
        content: [
          { type: 'text', text: { value: 'Hello', annotations: [] } },
          { type: 'image_file', image_file: { file_id: 'file-img' } },
          { type: 'text', text: { value: 'Bye', annotations: [] } },
        ],
      }),
    },
    { event: 'thread.run.step.completed', data: makeRunStep({ status: 'completed' }) },
    { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
  ];
}

test('a text run: each block is done before the next begins, the message after its blocks, run and end last', async () => {
  const stream = AssistantStream.fromSSE(textSource(toSSE(textRun())));
  const log = recordCallbacks(stream, () => undefined);
  await stream.done();
  assert.equal(
    log.filter((entry) => entry !== 'event'),
    [
      'connect',
      'runStepCreated',
      'messageCreated',
      'messageDelta', 'textCreated', 'textDelta',
      'messageDelta', 'textDelta',
      'messageDelta', 'textDone',
      'messageDelta', 'imageFileDone', 'textCreated', 'textDelta',
      'textDone', 'messageDone',
      'runStepDone',
      'run', 'end',
    ],
  );
});

test('a text block already in the created payload is announced when a delta first touches it (the official SDK skips it)', async () => {
  const events: ScriptedEvent[] = [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.message.created', data: makeMessage({ content: [{ type: 'text', text: { value: 'Pre', annotations: [] } }] }) },
    { event: 'thread.message.delta', data: text(0, 'fix') },
    { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'Prefix', annotations: [] } }] }) },
    { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
  ];
  const stream = AssistantStream.fromSSE(textSource(toSSE(events)));
  const log = recordCallbacks(stream);
  await stream.done();
  assert.equal(
    log.filter((entry) => entry.startsWith('text')),
    ['textCreated:"Prefix"', 'textDelta:"fix"→"Prefix"', 'textDone:"Prefix"'],
  );
});

test('two messages open at once are tracked each by its id', async () => {
  const second = (value: string) => ({ ...text(0, value), id: 'msg_2' });
  const events: ScriptedEvent[] = [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.message.created', data: makeMessage() },
    { event: 'thread.message.created', data: makeMessage({ id: 'msg_2' }) },
    { event: 'thread.message.delta', data: text(0, 'one') },
    { event: 'thread.message.delta', data: second('two') },
    { event: 'thread.message.delta', data: text(0, '!') },
    { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'one!', annotations: [] } }] }) },
    { event: 'thread.message.completed', data: makeMessage({ id: 'msg_2', status: 'completed', content: [{ type: 'text', text: { value: 'two', annotations: [] } }] }) },
    { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
  ];
  const stream = AssistantStream.fromSSE(textSource(toSSE(events)));
  const done: string[] = [];
  stream.on('textDone', (value, message) => done.push(`${message.id}:${value.value}`));
  await stream.done();
  assert.equal(done, ['msg_1:one!', 'msg_2:two']);
});

test.run();
