// Consecutive fragments of one tool call (a function's arguments, a code interpreter's input) go
// to their step as one batch, as text fragments go to their message: the same callbacks in the
// same order with the same snapshots as one by one, the batch emptied once handled (kept whole
// for an inspector), and a batch that does not fit refused (docs/design.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, setup, type AnyActorRef, type InspectionEvent } from 'xstate';
import type { StreamCallbackParams } from '../machines/callbacks.ts';
import { runStepMachine, type RunStepEvent } from '../machines/runStep.ts';
import { toolCallMachine } from '../machines/toolCall.ts';
import { AssistantStream } from '../src/index.ts';
import { makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
import { decodeWireEvent, type AssistantStreamError, type RunStepDeltaWireEvent, type ToolCall } from '../src/wire/index.ts';

const COUNT = 200;
const argPieces = Array.from({ length: COUNT }, (_, i) => `"k${i}":${i},`);
const codePieces = Array.from({ length: COUNT }, (_, i) => `x${i} = ${i}\n`);
const toolStep = makeRunStep({ id: 'step_1', type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: [] } });
const stepDelta = (call: object) => ({ id: 'step_1', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [call] } } });

function run(): ScriptedEvent[] {
  return [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.run.step.created', data: toolStep },
    { event: 'thread.run.step.delta', data: stepDelta({ index: 0, id: 'call_f', type: 'function', function: { name: 'f', arguments: '', output: null } }) },
    ...argPieces.map((piece) => ({ event: 'thread.run.step.delta', data: stepDelta({ index: 0, type: 'function', function: { arguments: piece } }) })),
    { event: 'thread.run.step.delta', data: stepDelta({ index: 1, id: 'call_c', type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }) },
    ...codePieces.map((piece) => ({ event: 'thread.run.step.delta', data: stepDelta({ index: 1, type: 'code_interpreter', code_interpreter: { input: piece } }) })),
    { event: 'thread.run.requires_action', data: makeRun({ status: 'requires_action' }) },
  ];
}

/** What each callback saw, as text at the time of the call. */
function record(stream: AssistantStream): string[] {
  const heard: string[] = [];
  stream.on('event', (event) => heard.push(`event ${event.event}`));
  stream.on('toolCallCreated', (call) => heard.push(`created ${call.id}`));
  stream.on('toolCallDelta', (delta, snapshot) => {
    const grown = snapshot.type === 'function' ? snapshot.function.arguments : snapshot.type === 'code_interpreter' ? snapshot.code_interpreter.input : '';
    heard.push(`toolCallDelta ${delta.index} ${grown.length}`);
  });
  stream.on('runStepDelta', (_, snapshot) => {
    const calls = snapshot.step_details.type === 'tool_calls' ? snapshot.step_details.tool_calls : [];
    heard.push(`runStepDelta ${calls.length}`);
  });
  stream.on('toolCallDone', (call) => heard.push(`done ${call.id}`));
  return heard;
}

/** What one delta at a time announces: the event, the tool call's delta, the step's delta. */
function expected(): string[] {
  const lines: string[] = ['event thread.run.created', 'event thread.run.in_progress', 'event thread.run.step.created'];
  const call = (index: number, id: string, pieces: string[], calls: number) => {
    // The delta that opens a call creates it (no toolCallDelta for it, as in the SDKs).
    lines.push('event thread.run.step.delta', `created ${id}`, `runStepDelta ${calls}`);
    let length = 0;
    for (const piece of pieces) {
      length += piece.length;
      lines.push('event thread.run.step.delta', `toolCallDelta ${index} ${length}`, `runStepDelta ${calls}`);
    }
  };
  call(0, 'call_f', argPieces, 1);
  call(1, 'call_c', codePieces, 2);
  lines.push('event thread.run.requires_action', 'done call_f', 'done call_c');
  return lines;
}

/** Records every batch sent to the step actor, and how many fragments it held when sent. */
function watchBatches(stream: AssistantStream): Array<{ fragments: unknown[]; sent: number }> {
  const batches: Array<{ fragments: unknown[]; sent: number }> = [];
  // Hooked when the first call opens: the step's actor is in the stream's context by then.
  stream.once('toolCallCreated', () => {
    const step = stream.actor.getSnapshot().context.runSteps.get('step_1') as AnyActorRef;
    const send = step.send.bind(step);
    step.send = (event: { type: string; fragments?: unknown[] }) => {
      if (event.type === 'toolCall.fragments') batches.push({ fragments: event.fragments!, sent: event.fragments!.length });
      send(event);
    };
  });
  return batches;
}

test('batched tool-call fragments announce what one delta at a time does, in order, with the snapshot of that moment', async () => {
  const stream = AssistantStream.fromSSE(textSource(toSSE(run())));
  const heard = record(stream);
  const batches = watchBatches(stream);
  await stream.done();
  assert.ok(batches.length >= 4, `the fragments arrive in batches (got ${batches.length})`);
  assert.is(batches.reduce((sum, { sent }) => sum + sent, 0), 2 * COUNT, 'every fragment after a call opened went in a batch');
  for (const { fragments } of batches) assert.is(fragments.length, 0, 'a handled batch holds no fragment');
  assert.equal(heard, expected());
  const step = stream.snapshot().runSteps[0]!;
  const calls = step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : [];
  assert.equal(
    calls.map((call) => (call.type === 'function' ? call.function.arguments : call.type === 'code_interpreter' ? call.code_interpreter.input : '')),
    [argPieces.join(''), codePieces.join('')],
  );
});

test('with an inspection observer, the tool-call batches it was shown stay whole', async () => {
  const shown: Array<{ fragments: unknown[] }> = [];
  const inspect = (event: InspectionEvent) => {
    if (event.type === '@xstate.event' && event.event.type === 'toolCall.fragments') shown.push(event.event as never);
  };
  const stream = AssistantStream.fromSSE(textSource(toSSE(run())), { inspect });
  await stream.done();
  assert.is(shown.reduce((sum, batch) => sum + batch.fragments.length, 0), 2 * COUNT);
});

// The chart on its own (no stream facade): its default `growToolCallByEach` forwards each
// fragment to the tool call's actor, so its own callbacks run as for single deltas.
function chartCallbacks(deliver: (actor: ReturnType<typeof startStep>, fragments: RunStepDeltaWireEvent[]) => void): string[] {
  const heard: string[] = [];
  const actor = startStep(heard);
  const decoded = run()
    .slice(3, 4 + COUNT)
    .map((event, seq) => decodeWireEvent(event.event, JSON.stringify(event.data), seq) as RunStepDeltaWireEvent);
  actor.send(decoded[0]!);
  deliver(actor, decoded.slice(1));
  return heard;
}

function startStep(heard: string[]) {
  const grown = (call: ToolCall) => (call.type === 'function' ? call.function.arguments.length : -1);
  const actor = createActor(
    runStepMachine.provide({
      actors: {
        toolCall: toolCallMachine.provide({
          actions: {
            toolCallCreated: (_, params: StreamCallbackParams['toolCallCreated']) => heard.push(`created ${params.toolCall.id}`),
            toolCallDelta: (_, params: StreamCallbackParams['toolCallDelta']) => heard.push(`toolCallDelta ${grown(params.snapshot)}`),
          },
        }),
      },
      actions: {
        event: (_, params: StreamCallbackParams['event']) => heard.push(`event ${params.event.event}`),
        runStepDelta: (_, params: StreamCallbackParams['runStepDelta']) => {
          const details = params.snapshot.step_details;
          heard.push(`runStepDelta ${details.type === 'tool_calls' && details.tool_calls[0] !== undefined ? grown(details.tool_calls[0]) : -1}`);
        },
      },
    }),
    { input: { step: toolStep } },
  );
  actor.start();
  actor.send({ type: 'thread.run.step.in_progress', data: toolStep, seq: 0 } as RunStepEvent);
  return actor;
}

test('the chart alone: a batch has the effect and callbacks of its deltas one by one', () => {
  const oneByOne = chartCallbacks((actor, fragments) => {
    for (const fragment of fragments) actor.send(fragment);
  });
  const batched = chartCallbacks((actor, fragments) => actor.send({ type: 'toolCall.fragments', fragments }));
  assert.is(oneByOne.length, 1 + 2 + 3 * COUNT, 'the opening delta (event, created, step delta), then each fragment (event, call delta, step delta)');
  assert.equal(batched, oneByOne);
});

test('the chart alone: a batch with a fragment for a call the step does not know is refused as a lifecycle fault', () => {
  const faults: Array<{ kind: string; eventIndex: number | undefined }> = [];
  const parent = createActor(
    setup({ types: {} as { events: { type: 'child.fault'; error: AssistantStreamError } }, actors: { step: runStepMachine } }).createMachine({
      invoke: { id: 'step', src: 'step', input: { step: toolStep } },
      on: { 'child.fault': { actions: ({ event }) => faults.push({ kind: event.error.kind, eventIndex: event.error.eventIndex }) } },
    }),
  );
  parent.start();
  const step = parent.getSnapshot().children['step']!;
  step.send({ type: 'thread.run.step.in_progress', data: toolStep, seq: 0 } as RunStepEvent);
  const decode = (event: ScriptedEvent, seq: number) => decodeWireEvent(event.event, JSON.stringify(event.data), seq) as RunStepDeltaWireEvent;
  const [opening, ...rest] = run().slice(3, 6);
  step.send(decode(opening!, 3));
  const stranger = decode({ event: 'thread.run.step.delta', data: stepDelta({ index: 7, type: 'function', function: { arguments: 'x' } }) }, 6);
  step.send({ type: 'toolCall.fragments', fragments: [decode(rest[0]!, 4), stranger] });
  assert.equal(faults, [{ kind: 'lifecycle', eventIndex: 4 }]);
  const details = step.getSnapshot().context.step.step_details;
  assert.is(details.type === 'tool_calls' && details.tool_calls[0]?.type === 'function' ? details.tool_calls[0].function.arguments : undefined, '', 'nothing of a refused batch was applied');
});

test.run();
