// The handler-class style, and what happens when user code throws or the source goes quiet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantEventHandler, AssistantStream, AssistantStreamError, type Message, type Text, type TextDelta } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

const delta = (value: string) => ({ id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } });
const events: ScriptedEvent[] = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  { event: 'thread.run.step.created', data: makeRunStep() },
  { event: 'thread.message.created', data: makeMessage() },
  { event: 'thread.message.delta', data: delta('one ') },
  { event: 'thread.message.delta', data: delta('two ') },
  { event: 'thread.message.delta', data: delta('three') },
  { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'one two three', annotations: [] } }] }) },
  { event: 'thread.run.step.completed', data: makeRunStep({ status: 'completed' }) },
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
];

class Recorder extends AssistantEventHandler {
  readonly log: string[] = [];
  override onEvent(event: { event: string }) {
    this.log.push(`event:${event.event}`);
  }
  override onMessageCreated(message: Message) {
    this.log.push(`messageCreated:${message.id}`);
  }
  override onTextCreated(text: Text) {
    this.log.push(`textCreated:${text.value}`);
  }
  override onTextDelta(delta: TextDelta, snapshot: Text) {
    this.log.push(`textDelta:${delta.value}|${snapshot.value}`);
  }
  override onTextDone(text: Text) {
    this.log.push(`textDone:${text.value}`);
  }
  override onMessageDone(message: Message) {
    this.log.push(`messageDone:${message.status}`);
  }
  override onException(error: AssistantStreamError) {
    this.log.push(`exception:${error.kind}`);
  }
  override onTimeout() {
    this.log.push('timeout');
  }
  override onEnd() {
    this.log.push('end');
  }
}

test('a handler subclass: its overrides run in lifecycle order, handler before listeners', async () => {
  const handler = new Recorder();
  const stream = AssistantStream.fromSSE(textSource(toSSE(events)), { handler });
  stream.on('textDelta', (value) => handler.log.push(`listener:${value.value}`));
  await stream.done();
  assert.equal(
    handler.log.filter((entry) => !entry.startsWith('event:')),
    [
      'messageCreated:msg_1',
      'textCreated:one ', 'textDelta:one |one ', 'listener:one ',
      'textDelta:two |one two ', 'listener:two ',
      'textDelta:three|one two three', 'listener:three',
      'textDone:one two three', 'messageDone:completed',
      'end',
    ],
  );
  assert.is(handler.log.filter((entry) => entry.startsWith('event:')).length, events.length);
});

test('a handler that throws: onException runs, no further callbacks, the stream fails with that error', async () => {
  const handler = new (class extends Recorder {
    override onTextDelta(delta: TextDelta, snapshot: Text) {
      super.onTextDelta(delta, snapshot);
      if (delta.value === 'two ') throw new RangeError('handler bug');
    }
  })();
  const stream = AssistantStream.fromSSE(textSource(toSSE(events)), { handler });
  const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.instance(error, AssistantStreamError);
  assert.is(error.kind, 'handler');
  assert.instance(error.cause, RangeError);
  assert.is(error.eventName, 'thread.message.delta');
  assert.is(error.eventIndex, 6);
  assert.equal(handler.log.filter((entry) => !entry.startsWith('event:')).slice(-4), ['textDelta:one |one ', 'textDelta:two |one two ', 'exception:handler', 'end']);
  assert.is(stream.status, 'failed');
  assert.is(stream.snapshot().error, error);
});

test('a listener that throws is treated the same way, and never reaches the event loop', async () => {
  let uncaught: unknown;
  const onUncaught = (error: unknown) => (uncaught = error);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  try {
    const stream = AssistantStream.fromSSE(textSource(toSSE(events)));
    const ended: string[] = [];
    stream.on('messageCreated', () => {
      throw new Error('listener bug');
    });
    stream.on('textDelta', () => ended.push('textDelta'));
    stream.on('error', (error) => ended.push(`error:${error.kind}`));
    stream.on('end', () => ended.push('end'));
    await stream.done().catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(ended, ['error:handler', 'end']);
    assert.is(uncaught, undefined);
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  }
});

test('a failure nobody listens for does not become an unhandled rejection', async () => {
  let unhandled: unknown;
  const onUnhandled = (error: unknown) => (unhandled = error);
  process.on('unhandledRejection', onUnhandled);
  try {
    const stream = AssistantStream.fromSSE(textSource('event: error\ndata: {"message":"boom"}\n\n'));
    while (stream.status === 'connecting' || stream.status === 'streaming') await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.is(unhandled, undefined);
    assert.is(stream.snapshot().error?.kind, 'api-error');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('idle timeout: onTimeout, then onException with kind idle-timeout, then onEnd; the source is released', async () => {
  let released = false;
  const source = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(new TextEncoder().encode(toSSE(events.slice(0, 5), { done: false }))),
    cancel: () => {
      released = true;
    },
  });
  const handler = new Recorder();
  const stream = AssistantStream.fromSSE(source, { handler, idleTimeoutMs: 20 });
  const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.is(error.kind, 'idle-timeout');
  assert.equal(handler.log.slice(-3), ['timeout', 'exception:idle-timeout', 'end']);
  assert.is(stream.snapshot().messages[0]?.content[0]?.type, 'text', 'what arrived is kept');
  assert.ok(released, 'the reader was cancelled');
});

test.run();
