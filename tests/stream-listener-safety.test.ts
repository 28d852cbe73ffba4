// What a listener does to the objects it is handed cannot redirect routing, inject an
// unchecked delta, or kill the stream's actor; a chart that throws still ends the stream
// properly. The official SDK is the oracle where it completes the same stream.
import { AssistantStream as OfficialStream } from 'openai/lib/AssistantStream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, type AssistantStreamError } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

const text = (value: string) => ({ id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } });
const toolStep = (status: 'in_progress' | 'completed' = 'in_progress') =>
  makeRunStep({ id: 'step_t', type: 'tool_calls', status, step_details: { type: 'tool_calls', tool_calls: [] } });
const call = (entry: object, extra: object = {}) => ({
  event: 'thread.run.step.delta',
  data: { id: 'step_t', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [entry] } }, ...extra },
});
const RUN_START: ScriptedEvent[] = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
];
const MESSAGE_RUN: ScriptedEvent[] = [
  ...RUN_START,
  { event: 'thread.message.created', data: makeMessage() },
  { event: 'thread.message.delta', data: text('Hel') },
  { event: 'thread.message.delta', data: text('lo') },
  { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'Hello', annotations: [] } }] }) },
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
];
const STEP_START: ScriptedEvent[] = [...RUN_START, { event: 'thread.run.step.created', data: toolStep() }];
const STEP_END: ScriptedEvent[] = [
  { event: 'thread.run.step.completed', data: toolStep('completed') },
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
];
const TOOL_RUN: ScriptedEvent[] = [
  ...STEP_START,
  call({ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }),
  call({ index: 0, type: 'function', function: { arguments: '{"a":1}' } }),
  ...STEP_END,
];
const ours = (events: ScriptedEvent[]) => AssistantStream.fromSSE(textSource(toSSE(events)));
const official = (events: ScriptedEvent[]) => OfficialStream.fromReadableStream(new Response(events.map((e) => `${JSON.stringify(e)}\n`).join('')).body!);

test('an event listener that renames a created message cannot redirect its deltas', async () => {
  for (const make of [ours, official] as const) {
    const stream = make(MESSAGE_RUN) as AssistantStream;
    stream.on('event', (event) => {
      if (event.event === 'thread.message.created') (event.data as { id: string }).id = 'msg_alias';
    });
    await stream.done();
    const [message] = await stream.finalMessages();
    assert.is((message!.content[0] as { text: { value: string } }).text.value, 'Hello', make === ours ? 'ours' : 'official');
  }
  const stream = ours(MESSAGE_RUN);
  stream.on('event', (event) => {
    if (event.event === 'thread.message.created') (event.data as { id: string }).id = 'msg_alias';
  });
  assert.equal((await stream.finalMessages()).map((message) => message.id), ['msg_1'], 'our finals keep the id the wire gave');
});

test('a step-created listener that renames the step cannot redirect its deltas', async () => {
  const stream = ours(TOOL_RUN);
  stream.on('runStepCreated', (step) => {
    (step as { id: string }).id = 'step_alias';
  });
  const done: string[] = [];
  stream.on('toolCallDone', (toolCall) => done.push(toolCall.type === 'function' ? toolCall.function.arguments : ''));
  await stream.done();
  assert.equal(done, ['{"a":1}']);
});

test('an event listener that rewrites a validated delta changes nothing that was accumulated', async () => {
  const stream = ours(TOOL_RUN);
  stream.on('event', (event) => {
    if (event.event !== 'thread.run.step.delta') return;
    const entry = ((event.data as { delta: { step_details: unknown } }).delta.step_details as { tool_calls: Array<{ index: number; function?: { arguments?: string } }> }).tool_calls[0]!;
    entry.index = 5000;
    if (entry.function) entry.function.arguments = 'tampered';
  });
  const created: unknown[] = [];
  stream.on('toolCallCreated', (toolCall) => created.push(toolCall?.id));
  await stream.done();
  const [step] = await stream.finalRunSteps();
  assert.equal(created, ['call_1']);
  assert.equal((step!.step_details as { tool_calls: unknown[] }).tool_calls.length, 0, 'the completed event is the final word');
});

test('a listener that breaks the active step snapshot ends the stream with a typed error, not a dead actor', async () => {
  let aborted = false;
  const stream = AssistantStream.fromSSE(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(toSSE(TOOL_RUN.slice(0, STEP_START.length + 1), { done: false })));
      },
      cancel() {
        aborted = true;
      },
    }),
  );
  stream.on('runStepCreated', (step) => {
    (step as { step_details: unknown }).step_details = null;
  });
  const endings: string[] = [];
  stream.on('error', (error) => endings.push(`error:${error.kind}`));
  stream.on('end', () => endings.push('end'));
  const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.is(error.kind, 'internal');
  assert.equal(endings, ['error:internal', 'end']);
  assert.is(stream.snapshot().status, 'failed');
  assert.ok(aborted, 'the source was cancelled');
});

test('a root id in a step delta that differs from the step is a schema error; an equal one is accepted', async () => {
  for (const id of ['step_other', '']) {
    const events = [...STEP_START, { event: 'thread.run.step.delta', data: { id: 'step_t', object: 'thread.run.step.delta', delta: { id, step_details: { type: 'tool_calls', tool_calls: [] } } } }];
    const error = (await ours(events).done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
    assert.is(error.kind, 'schema', JSON.stringify(id));
    assert.is(error.path, 'data.delta.id');
  }
  const equal = [
    ...STEP_START,
    { event: 'thread.run.step.delta', data: { id: 'step_t', object: 'thread.run.step.delta', delta: { id: 'step_t', step_details: { type: 'tool_calls', tool_calls: [] } } } },
    ...STEP_END,
  ];
  await ours(equal).done();
  const message = [...MESSAGE_RUN.slice(0, RUN_START.length + 1), { event: 'thread.message.delta', data: { id: 'msg_1', object: 'thread.message.delta', delta: { id: 'msg_other', content: [] } } }];
  const error = (await ours(message).done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.is(error.kind, 'schema');
});

test('a listener that edits a terminal payload does not change the finals', async () => {
  const stream = ours(MESSAGE_RUN);
  stream.on('event', (event) => {
    if (event.event === 'thread.message.completed') (event.data as { content: unknown[] }).content = [];
  });
  stream.on('messageDone', (message) => {
    message.content = [];
  });
  await stream.done();
  const [message] = await stream.finalMessages();
  assert.is((message!.content[0] as { text: { value: string } }).text.value, 'Hello');
});

// Two messages, the second created under the id a listener gives the first at its completion.
const imageBlock = { type: 'image_file', image_file: { file_id: 'file_1' } };
const ALIASED_RUN = (kind: 'text' | 'image_file'): ScriptedEvent[] => {
  const first = kind === 'text' ? [{ type: 'text', text: { value: 'Hel', annotations: [] } }] : [imageBlock];
  const opening = kind === 'text' ? text('Hel') : { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, ...imageBlock }] } };
  return [
    ...RUN_START,
    { event: 'thread.message.created', data: makeMessage() },
    { event: 'thread.message.delta', data: opening },
    { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: first as never }) },
    { event: 'thread.message.created', data: makeMessage({ id: 'msg_alias' }) },
    { event: 'thread.message.delta', data: { ...text('lo'), id: 'msg_alias' } },
    { event: 'thread.message.completed', data: makeMessage({ id: 'msg_alias', status: 'completed', content: [{ type: 'text', text: { value: 'lo', annotations: [] } }] }) },
    { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
  ];
};

for (const [callback, kind] of [
  ['textDone', 'text'],
  ['imageFileDone', 'image_file'],
  ['messageDone', 'text'],
] as const) {
  test(`a ${callback} listener that renames the message it is handed at completion does not change the finals`, async () => {
    // The oracle: the official SDK's finals of the same stream with nobody editing (with the edit,
    // it fails the stream when the second message is created under the first one's new name).
    const unedited = official(ALIASED_RUN(kind));
    await unedited.done();
    const expected = await unedited.finalMessages();
    assert.equal(expected.map((message) => message.id), ['msg_1', 'msg_alias']);

    const stream = ours(ALIASED_RUN(kind));
    let renamed = 0;
    const rename = (message: { id: string }) => {
      if (message.id === 'msg_1') {
        message.id = 'msg_alias';
        renamed++;
      }
    };
    if (callback === 'textDone') stream.on('textDone', (_, message) => rename(message));
    if (callback === 'imageFileDone') stream.on('imageFileDone', (_, message) => rename(message));
    if (callback === 'messageDone') stream.on('messageDone', (message) => rename(message));
    await stream.done();
    assert.is(renamed, 1, 'the listener was handed the first message');
    assert.equal(await stream.finalMessages(), expected);
  });
}

test.run();
