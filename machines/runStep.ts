import { assign, sendParent, setup, type ActorRefFrom } from 'xstate';
import {
  applyDelta,
  AssistantStreamError,
  checkDelta,
  growString,
  isToolCallFragment,
  type DeltaFault,
  type RunStep,
  type RunStepDeltaWireEvent,
  type RunStepWireEvent,
  type ToolCall,
  type ToolCallDelta,
} from '../src/wire/index.ts';
import { announceEvent } from './announce.ts';
import { noop } from './callbacks.ts';
import { toolCallMachine } from './toolCall.ts';

/** What a run-step actor knows: its accumulated snapshot and one actor per tool call slot. */
export interface RunStepContext {
  step: RunStep;
  toolCalls: Map<number, ActorRefFrom<typeof toolCallMachine>>;
}

/** Spawn input: the step object of the first event that named it. */
export interface RunStepInput {
  step: RunStep;
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
const end = Object.fromEntries(
  Object.entries(TERMINAL).map(([event, target]) => [event, { target, actions: ['finishToolCalls', 'adoptFinal'] as const }]),
) as { [Event in keyof typeof TERMINAL]: { target: (typeof TERMINAL)[Event]; actions: readonly ['finishToolCalls', 'adoptFinal'] } };

const announceRunStepDelta = {
  type: 'runStepDelta',
  params: ({ context, event }: { context: RunStepContext; event: RunStepEvent }) => ({
    delta: (event as RunStepDeltaWireEvent).data.delta,
    snapshot: context.step,
  }),
} as const;

const done = {
  type: 'final',
  entry: {
    type: 'runStepDone',
    params: ({ context }: { context: RunStepContext }) => ({ runStep: context.step, snapshot: context.step }),
  },
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
 */
export const runStepMachine = setup({
  types: {} as {
    context: RunStepContext;
    events: RunStepEvent;
    input: RunStepInput;
  },
  actors: { toolCall: toolCallMachine },
  guards: {
    deltaFits: ({ context, event }) => runStepDeltaFault(context, event as RunStepDeltaWireEvent) === undefined,
    // Exactly one more piece of a known call's arguments or code: the merge is a plain append.
    growsKnownToolCall: ({ context, event }) => {
      const { data } = event as RunStepDeltaWireEvent;
      if (!isToolCallFragment(data)) return false;
      const delta = toolCallDeltas(event)[0]!;
      return context.toolCalls.has(delta.index) && typeof growingText(toolCallAt(context.step, delta.index), delta.type) === 'string';
    },
    growsKnownToolCalls: ({ context, event }) =>
      toolCallDeltas(event).every((delta) => context.toolCalls.has(delta.index)) && runStepDeltaFault(context, event as RunStepDeltaWireEvent) === undefined,
  },
  actions: {
    adopt: assign({ step: ({ event }) => structuredClone((event as RunStepWireEvent).data) }),
    adoptFinal: assign({ step: ({ event }) => (event as RunStepWireEvent).data }),
    appendToolCallText: ({ context, event }) => {
      const delta = toolCallDeltas(event)[0]!;
      const call = toolCallAt(context.step, delta.index);
      if (delta.type === 'function' && call.type === 'function') growString(call.function, 'arguments', delta.function!.arguments!);
      if (delta.type === 'code_interpreter' && call.type === 'code_interpreter') growString(call.code_interpreter, 'input', delta.code_interpreter!.input!);
    },
    // Deltas merge in place: copying the snapshot per fragment would make a stream O(n²).
    applyDelta: ({ context, event }) => applyDelta(context.step, (event as RunStepDeltaWireEvent).data.delta),
    spawnToolCalls: assign({
      toolCalls: ({ context, event, spawn }) => {
        for (const delta of toolCallDeltas(event)) {
          if (context.toolCalls.has(delta.index)) continue;
          const toolCall = toolCallAt(context.step, delta.index);
          const id = `toolCall:${context.step.id}:${delta.index}`;
          context.toolCalls.set(delta.index, spawn('toolCall', { id, input: { index: delta.index, toolCall } }));
        }
        return context.toolCalls;
      },
    }),
    forwardToolCallDeltas: ({ context, event }) => {
      for (const delta of toolCallDeltas(event)) {
        const toolCall = context.toolCalls.get(delta.index)!;
        // XState starts spawned children after the whole transition; starting here makes a new
        // call's toolCallCreated fire before this step's runStepDelta, as the SDKs order them.
        toolCall.start();
        toolCall.send({ type: 'toolCall.delta', delta });
      }
    },
    reportFault: sendParent(({ context, event }) => ({ type: 'child.fault', error: explainDeltaFault(context, event as RunStepDeltaWireEvent) })),
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
  context: ({ input }) => ({ step: structuredClone(input.step), toolCalls: new Map() }),
  initial: 'new',
  // Only deltas reach here (once no state takes them, e.g. while awaiting tool outputs): the
  // stream checks every other event against this chart first.
  on: { 'thread.run.step.delta': { actions: 'reportFault' } },
  states: {
    new: {
      on: {
        'thread.run.step.created': {
          target: 'in_progress',
          actions: ['adopt', { type: 'runStepCreated', params: ({ context }) => ({ runStep: context.step }) }],
        },
        'thread.run.step.in_progress': { target: 'in_progress', actions: 'adopt' },
        ...end,
      },
    },
    in_progress: {
      initial: 'streaming',
      states: {
        streaming: {
          on: {
            'thread.run.step.delta': [
              { guard: 'growsKnownToolCall', actions: [announceEvent, 'appendToolCallText', 'forwardToolCallDeltas', announceRunStepDelta] },
              { guard: 'growsKnownToolCalls', actions: [announceEvent, 'applyDelta', 'forwardToolCallDeltas', announceRunStepDelta] },
              { guard: 'deltaFits', actions: [announceEvent, 'applyDelta', 'spawnToolCalls', 'forwardToolCallDeltas', announceRunStepDelta] },
              { actions: 'reportFault' },
            ],
            'run.requires_action': { target: 'awaiting_tool_outputs', actions: 'finishToolCalls' },
            'run.finished': { target: 'abandoned', actions: 'finishToolCalls' },
          },
        },
        awaiting_tool_outputs: {},
        abandoned: {},
      },
      on: {
        'thread.run.step.in_progress': { actions: 'adopt' },
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

function toolCallDeltas(event: RunStepEvent): ToolCallDelta[] {
  if (event.type !== 'thread.run.step.delta') return [];
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
