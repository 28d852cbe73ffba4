import { assertEvent, assign, enqueueActions, sendParent, setup, type ActorRefFrom } from 'xstate';
import {
  applyDelta,
  AssistantStreamError,
  checkDelta,
  copyJSON,
  growString,
  type DeltaFault,
  type RunStep,
  type RunStepDeltaWireEvent,
  type RunStepWireEvent,
  type ToolCall,
  type ToolCallDelta,
} from '../src/wire/index.ts';
import { announceEvent, fragmentEventParams } from './announce.ts';
import { noop, type StreamCallbackParams } from './callbacks.ts';
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

/**
 * A run of consecutive fragments that each grow a tool call the step already knows (more of a
 * function's arguments or of a code interpreter's input), as the stream facade batches them
 * (see `sourceActor`): the same effect and callbacks as sending each delta in turn, in one
 * transition instead of two per fragment (the step's and its tool call's). Every fragment carries
 * the decoder's `fragment` mark; a batch that does not fit is refused.
 */
export interface ToolCallFragmentsEvent {
  type: 'toolCall.fragments';
  fragments: RunStepDeltaWireEvent[];
}

/** What one tool-call fragment announces, in order: the event, the call's delta, the step's delta. */
export interface ToolCallFragmentParams {
  event: StreamCallbackParams['event'];
  toolCallDelta: StreamCallbackParams['toolCallDelta'];
  runStepDelta: StreamCallbackParams['runStepDelta'];
}

/** Everything a run-step actor reacts to. */
export type RunStepEvent =
  | RunStepWireEvent
  | RunStepDeltaWireEvent
  | ToolCallFragmentsEvent
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
const theFragments = ({ event }: { event: ToolCallFragmentsEvent }) => event.fragments;
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
// A plain fragment's listener copy is made only if someone reads it (see fragmentEventParams).
const announceFragment = { type: 'event', params: ({ event }: { event: RunStepDeltaWireEvent }) => fragmentEventParams(event) } as const;

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
 *                     streaming ⟲ toolCall.fragments / the same for each fragment of a batch
 *                     streaming ─run.requires_action─► awaiting_tool_outputs
 *                     streaming ─run.finished─► abandoned
 * ```
 *
 * Tolerant (the default) also takes a `thread.run.step.created` whose step is already past
 * `in_progress` (created `completed`, as some backends report a step they ran at once); strict
 * takes `created` only for an `in_progress` step.
 */
const runStepSetup = setup({
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
    growsKnownToolCall: ({ context }, event: RunStepDeltaWireEvent) => growsKnownCall(context, event),
    allGrowKnownToolCalls: ({ context }, fragments: RunStepDeltaWireEvent[]) => fragments.every((fragment) => growsKnownCall(context, fragment)),
    growsKnownToolCalls: ({ context }, event: RunStepDeltaWireEvent) =>
      toolCallDeltas(event).every((delta) => context.toolCalls.has(delta.index)) && runStepDeltaFault(context, event) === undefined,
  },
  actions: {
    adopt: assign({ step: (_, step: RunStep) => copyJSON(step) }),
    adoptFinal: assign({ step: (_, step: RunStep) => copyJSON(step) }),
    appendToolCallText: ({ context }, event: RunStepDeltaWireEvent) => appendFragment(context, toolCallDeltas(event)[0]!),
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
    refuseFragments: sendParent((_, fragments: RunStepDeltaWireEvent[]) => ({
      type: 'child.fault',
      error: new AssistantStreamError('lifecycle', 'a batch of tool call fragments that does not grow the calls this step is streaming', {
        eventIndex: fragments[0]?.seq,
        eventName: 'thread.run.step.delta',
      }),
    })),
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
});

export const runStepMachine = runStepSetup
  .extend<{ growToolCallByEach: undefined }>({
    actions: {
      // Each fragment as its own `thread.run.step.delta` transition would do it, in order: the
      // event, the append, the tool call's delta (its actor handles it at once), the step's delta.
      growToolCallByEach: enqueueActions(({ context, event, enqueue }) => {
        assertEvent(event, 'toolCall.fragments');
        for (const fragment of event.fragments) {
          enqueue({ type: 'event', params: fragmentEventParams(fragment) });
          enqueue({ type: 'appendToolCallText', params: fragment });
          enqueue({ type: 'forwardToolCallDeltas', params: fragment });
          enqueue({ type: 'runStepDelta', params: { delta: fragment.data.delta, snapshot: context.step } });
        }
      }),
    },
  })
  .createMachine({
  id: 'runStep',
  context: ({ input }) => ({ step: copyJSON(input.step), toolCalls: new Map(), lifecycle: input.lifecycle ?? 'tolerant' }),
  initial: 'new',
  // Only deltas reach here (once no state takes them, e.g. while awaiting tool outputs): the
  // stream checks every other event against this chart first.
  on: {
    'thread.run.step.delta': { actions: { type: 'reportFault', params: theDelta } },
    'toolCall.fragments': { actions: { type: 'refuseFragments', params: theFragments } },
  },
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
                actions: [announceFragment, { type: 'appendToolCallText', params: theDelta }, { type: 'forwardToolCallDeltas', params: theDelta }, announceRunStepDelta],
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
            'toolCall.fragments': [
              { guard: { type: 'allGrowKnownToolCalls', params: theFragments }, actions: 'growToolCallByEach' },
              { actions: { type: 'refuseFragments', params: theFragments } },
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

/**
 * Whether `fragment` grows a tool call this step is streaming, so the stream facade may batch it
 * for the step (see {@link ToolCallFragmentsEvent}).
 */
export function continuesKnownToolCall(step: ActorRefFrom<typeof runStepMachine>, fragment: RunStepDeltaWireEvent): boolean {
  const snapshot = step.getSnapshot();
  return snapshot.matches({ in_progress: 'streaming' }) && growsKnownCall(snapshot.context, fragment);
}

/**
 * What `growToolCallByEach` does for each fragment of a batch, as one plain function: appends the
 * fragment to its call's arguments or code, then hands the fragment's callbacks' params to
 * `announce`. The stream facade provides `growToolCallByEach` as a loop over this (see
 * src/stream/bindings.ts): the same appends and callbacks in the same order as the chart's own
 * actions, without a transition of the tool call's actor per fragment (its `in_progress` takes
 * each delta as a self-loop that changes nothing but announces it).
 */
export function growToolCallByFragment(context: RunStepContext, fragment: RunStepDeltaWireEvent, announce: (params: ToolCallFragmentParams) => void): void {
  const delta = toolCallDeltas(fragment)[0]!;
  appendFragment(context, delta);
  announce({
    event: fragmentEventParams(fragment),
    toolCallDelta: { delta, snapshot: toolCallAt(context.step, delta.index) },
    runStepDelta: { delta: fragment.data.delta, snapshot: context.step },
  });
}

// Exactly one more piece of a known call's arguments or code (the decoder marked that shape):
// the merge is a plain append.
function growsKnownCall(context: RunStepContext, event: RunStepDeltaWireEvent): boolean {
  if (event.fragment !== true) return false;
  const delta = toolCallDeltas(event)[0]!;
  return context.toolCalls.has(delta.index) && typeof growingText(toolCallAt(context.step, delta.index), delta.type) === 'string';
}

function appendFragment(context: RunStepContext, delta: ToolCallDelta): void {
  const call = toolCallAt(context.step, delta.index);
  if (delta.type === 'function' && call.type === 'function') growString(call.function, 'arguments', delta.function!.arguments!);
  if (delta.type === 'code_interpreter' && call.type === 'code_interpreter') growString(call.code_interpreter, 'input', delta.code_interpreter!.input!);
}

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
