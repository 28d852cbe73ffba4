import { assign, sendParent, setup, type ActorRefFrom } from 'xstate';
import {
  applyDelta,
  AssistantStreamError,
  checkDelta,
  growString,
  type DeltaFault,
  type RunStep,
  type RunStepDeltaWireEvent,
  type RunStepWireEvent,
  type ToolCall,
  type ToolCallDelta,
} from '../src/wire/index.ts';
import { announceEvent } from './announce.ts';
import { noop } from './callbacks.ts';
import { isTolerant, type LifecycleMode } from './lifecycle.ts';
import { toolCallMachine } from './toolCall.ts';

/** What a run-step actor knows: its accumulated snapshot and one actor per tool call slot. */
export interface RunStepContext {
  step: RunStep;
  toolCalls: Map<number, ActorRefFrom<typeof toolCallMachine>>;
  lifecycle: LifecycleMode;
}

/** Spawn input: the step object of the first event that named it. */
export interface RunStepInput {
  step: RunStep;
  /** `strict` refuses the transitions drawn `[tolerant]`; default `tolerant`. */
  lifecycle?: LifecycleMode | undefined;
}

/** Everything a run-step actor reacts to. */
export type RunStepEvent =
  | RunStepWireEvent
  | RunStepDeltaWireEvent
  /** The run stopped for tool outputs: this stream will send no more fragments. */
  | { type: 'run.requires_action' }
  /** The run ended while this step was still open. */
  | { type: 'run.finished' };

const TERMINAL = {
  'thread.run.step.completed': 'completed',
  'thread.run.step.failed': 'failed',
  'thread.run.step.cancelled': 'cancelled',
  'thread.run.step.expired': 'expired',
} as const;

// A terminal event replaces the snapshot with the server's final word (as the official SDK
// does); the tool calls are finished first, so they report what was streamed.
const theStep = ({ event }: { event: RunStepWireEvent }) => event.data;
const theDelta = ({ event }: { event: RunStepDeltaWireEvent }) => event;
// The server's final word goes to the callbacks as it came (both arguments, as the SDK does);
// the chart keeps its own copy, so what a listener does to that object cannot change the finals.
const announceFinal = {
  type: 'runStepDone',
  params: ({ event }: { event: RunStepWireEvent }) => ({ runStep: event.data, snapshot: event.data }),
} as const;
const endAs = <Target extends (typeof TERMINAL)[keyof typeof TERMINAL]>(target: Target) =>
  ({ target, actions: ['finishToolCalls', { type: 'adoptFinal', params: theStep }, announceFinal] }) as const;
const end = {
  'thread.run.step.completed': endAs(TERMINAL['thread.run.step.completed']),
  'thread.run.step.failed': endAs(TERMINAL['thread.run.step.failed']),
  'thread.run.step.cancelled': endAs(TERMINAL['thread.run.step.cancelled']),
  'thread.run.step.expired': endAs(TERMINAL['thread.run.step.expired']),
};
const adopt = { type: 'adopt', params: theStep } as const;

const announceRunStepDelta = {
  type: 'runStepDelta',
  params: ({ context, event }: { context: RunStepContext; event: RunStepDeltaWireEvent }) => ({
    delta: event.data.delta,
    snapshot: context.step,
  }),
} as const;

const done = { type: 'final' } as const;
const created = {
  target: 'in_progress',
  actions: [adopt, { type: 'runStepCreated', params: ({ context }: { context: RunStepContext }) => ({ runStep: context.step }) }],
} as const;

/**
 * One run step: a `message_creation` step or a `tool_calls` step with its tool-call actors.
 * A stream may first see a step at `in_progress` or at its end (the tool-outputs stream opens
 * with the completion of the step created by the previous stream), so `new` accepts those too;
 * only a `created` event announces `runStepCreated`.
 *
 * ```
 * new ─created / runStepCreated─► in_progress ─completed|failed|cancelled|expired─► final / runStepDone
 *        in_progress: streaming ⟲ delta / (tool calls) runStepDelta
 *                     streaming ─run.requires_action─► awaiting_tool_outputs
 *                     streaming ─run.finished─► abandoned
 * ```
 *
 * Tolerant (the default) also takes a `thread.run.step.created` whose step is already past
 * `in_progress` (created `completed`, as some backends report a step they ran at once); strict
 * takes `created` only for an `in_progress` step.
 */
export const runStepMachine = setup({
  types: {} as {
    context: RunStepContext;
    events: RunStepEvent;
    input: RunStepInput;
  },
  actors: { toolCall: toolCallMachine },
  guards: {
    tolerant: isTolerant,
    createdInProgress: (_, step: RunStep) => step.status === 'in_progress',
    deltaFits: ({ context }, event: RunStepDeltaWireEvent) => runStepDeltaFault(context, event) === undefined,
    // Exactly one more piece of a known call's arguments or code (the decoder marked that
    // shape): the merge is a plain append.
    growsKnownToolCall: ({ context }, event: RunStepDeltaWireEvent) => {
      if (event.fragment !== true) return false;
      const delta = toolCallDeltas(event)[0]!;
      return context.toolCalls.has(delta.index) && typeof growingText(toolCallAt(context.step, delta.index), delta.type) === 'string';
    },
    growsKnownToolCalls: ({ context }, event: RunStepDeltaWireEvent) =>
      toolCallDeltas(event).every((delta) => context.toolCalls.has(delta.index)) && runStepDeltaFault(context, event) === undefined,
  },
  actions: {
    adopt: assign({ step: (_, step: RunStep) => structuredClone(step) }),
    adoptFinal: assign({ step: (_, step: RunStep) => structuredClone(step) }),
    appendToolCallText: ({ context }, event: RunStepDeltaWireEvent) => {
      const delta = toolCallDeltas(event)[0]!;
      const call = toolCallAt(context.step, delta.index);
      if (delta.type === 'function' && call.type === 'function') growString(call.function, 'arguments', delta.function!.arguments!);
      if (delta.type === 'code_interpreter' && call.type === 'code_interpreter') growString(call.code_interpreter, 'input', delta.code_interpreter!.input!);
    },
    // Deltas merge in place: copying the snapshot per fragment would make a stream O(n²).
    applyDelta: ({ context }, event: RunStepDeltaWireEvent) => applyDelta(context.step, event.data.delta),
    spawnToolCalls: assign({
      toolCalls: ({ context, spawn }, event: RunStepDeltaWireEvent) => {
        for (const delta of toolCallDeltas(event)) {
          if (context.toolCalls.has(delta.index)) continue;
          const toolCall = toolCallAt(context.step, delta.index);
          const id = `toolCall:${context.step.id}:${delta.index}`;
          context.toolCalls.set(delta.index, spawn('toolCall', { id, input: { index: delta.index, toolCall } }));
        }
        return context.toolCalls;
      },
    }),
    forwardToolCallDeltas: ({ context }, event: RunStepDeltaWireEvent) => {
      for (const delta of toolCallDeltas(event)) {
        const toolCall = context.toolCalls.get(delta.index)!;
        // XState starts spawned children after the whole transition; starting here makes a new
        // call's toolCallCreated fire before this step's runStepDelta, as the SDKs order them.
        toolCall.start();
        toolCall.send({ type: 'toolCall.delta', delta });
      }
    },
    reportFault: sendParent(({ context }, event: RunStepDeltaWireEvent) => ({ type: 'child.fault', error: explainDeltaFault(context, event) })),
    finishToolCalls: ({ context }) => {
      for (const index of [...context.toolCalls.keys()].sort((a, b) => a - b)) {
        context.toolCalls.get(index)!.send({ type: 'toolCall.finish' });
      }
    },
    runStepCreated: noop<'runStepCreated'>(),
    runStepDelta: noop<'runStepDelta'>(),
    runStepDone: noop<'runStepDone'>(),
    event: noop<'event'>(),
  },
}).createMachine({
  id: 'runStep',
  context: ({ input }) => ({ step: structuredClone(input.step), toolCalls: new Map(), lifecycle: input.lifecycle ?? 'tolerant' }),
  initial: 'new',
  // Only deltas reach here (once no state takes them, e.g. while awaiting tool outputs): the
  // stream checks every other event against this chart first.
  on: { 'thread.run.step.delta': { actions: { type: 'reportFault', params: theDelta } } },
  states: {
    new: {
      on: {
        'thread.run.step.created': [
          { guard: { type: 'createdInProgress', params: theStep }, ...created },
          { guard: 'tolerant', ...created },
        ],
        'thread.run.step.in_progress': { target: 'in_progress', actions: adopt },
        ...end,
      },
    },
    in_progress: {
      initial: 'streaming',
      states: {
        streaming: {
          on: {
            'thread.run.step.delta': [
              {
                guard: { type: 'growsKnownToolCall', params: theDelta },
                actions: [announceEvent, { type: 'appendToolCallText', params: theDelta }, { type: 'forwardToolCallDeltas', params: theDelta }, announceRunStepDelta],
              },
              {
                guard: { type: 'growsKnownToolCalls', params: theDelta },
                actions: [announceEvent, { type: 'applyDelta', params: theDelta }, { type: 'forwardToolCallDeltas', params: theDelta }, announceRunStepDelta],
              },
              {
                guard: { type: 'deltaFits', params: theDelta },
                actions: [
                  announceEvent,
                  { type: 'applyDelta', params: theDelta },
                  { type: 'spawnToolCalls', params: theDelta },
                  { type: 'forwardToolCallDeltas', params: theDelta },
                  announceRunStepDelta,
                ],
              },
              { actions: { type: 'reportFault', params: theDelta } },
            ],
            'run.requires_action': { target: 'awaiting_tool_outputs', actions: 'finishToolCalls' },
            'run.finished': { target: 'abandoned', actions: 'finishToolCalls' },
          },
        },
        awaiting_tool_outputs: {},
        abandoned: {},
      },
      on: {
        'thread.run.step.in_progress': { actions: adopt },
        ...end,
      },
    },
    completed: done,
    failed: done,
    cancelled: done,
    expired: done,
  },
});

/** Why a `thread.run.step.delta` cannot apply to this step, or undefined if it can. */
export function runStepDeltaFault(context: RunStepContext, event: RunStepDeltaWireEvent): DeltaFault | undefined {
  const kind = event.data.delta.step_details?.type;
  if (kind !== undefined && kind !== context.step.step_details.type) {
    return { kind: 'type-mismatch', detail: `a ${kind} delta for a ${context.step.step_details.type} step`, path: 'data.delta.step_details.type' };
  }
  return checkDelta(context.step, event.data.delta, 'data.delta');
}

/** The error a refused delta fails the stream with. */
function explainDeltaFault(context: RunStepContext, event: RunStepDeltaWireEvent): AssistantStreamError {
  const where = { eventIndex: event.seq, eventName: event.type };
  const fault = runStepDeltaFault(context, event);
  if (fault === undefined) return new AssistantStreamError('lifecycle', 'the run step is not streaming, so it takes no deltas', where);
  return new AssistantStreamError(fault.kind, fault.detail, { ...where, path: fault.path });
}

function toolCallDeltas(event: RunStepDeltaWireEvent): ToolCallDelta[] {
  const details = event.data.delta.step_details;
  return details?.type === 'tool_calls' ? (details.tool_calls ?? []) : [];
}

/** The string a fragment of `type` grows in `call`: its arguments or its code. */
function growingText(call: ToolCall | undefined, type: string): unknown {
  if (call?.type !== type) return undefined;
  if (call.type === 'function') return call.function.arguments;
  if (call.type === 'code_interpreter') return call.code_interpreter.input;
  return undefined;
}

function toolCallAt(step: RunStep, index: number): ToolCall {
  const details = step.step_details;
  if (details.type !== 'tool_calls') throw new Error('tool call fragments in a message_creation step');
  return details.tool_calls[index]!;
}
