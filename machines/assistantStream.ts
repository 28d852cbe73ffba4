import { assertEvent, assign, fromCallback, getInitialSnapshot, setup, type ActorRefFrom, type AnyActorRef, type ErrorActorEvent, type ExtractEvent } from 'xstate';
import {
  AssistantStreamError,
  copyJSON,
  MESSAGE_EVENTS,
  RUN_EVENTS,
  RUN_STEP_EVENTS,
  type MessageDeltaWireEvent,
  type MessageWireEvent,
  type Run,
  type RunStepDeltaWireEvent,
  type RunStepWireEvent,
  type RunWireEvent,
  type WireEvent,
} from '../src/wire/index.ts';
import { announceEvent } from './announce.ts';
import type { LifecycleMode } from './lifecycle.ts';
import { noop } from './callbacks.ts';
import { messageMachine } from './message.ts';
import { runMachine } from './run.ts';
import { runStepMachine } from './runStep.ts';

/** What the byte source reports besides wire events. */
export type SourceEvent =
  | { type: 'source.connected' }
  | { type: 'source.end' }
  | { type: 'source.error'; error: AssistantStreamError }
  | { type: 'source.timeout'; error: AssistantStreamError };

/** Everything the stream actor reacts to. */
export type AssistantStreamMachineEvent =
  | WireEvent
  | SourceEvent
  /** A child refused a delta it was given (it does not fit the snapshot, or its state). */
  | { type: 'child.fault'; error: AssistantStreamError }
  | { type: 'abort'; error: AssistantStreamError }
  /** A handler or listener threw while the machines announced something. */
  | { type: 'handler.exception'; error: AssistantStreamError }
  /** A child's own guard or action threw (XState reports it so). */
  | ErrorActorEvent;

/** What the stream actor knows: its children by id, the final run, the error that ended it. */
export interface AssistantStreamContext {
  runs: Map<string, ActorRefFrom<typeof runMachine>>;
  runSteps: Map<string, ActorRefFrom<typeof runStepMachine>>;
  messages: Map<string, ActorRefFrom<typeof messageMachine>>;
  /** The last run event that ended the run or paused it for tool outputs. */
  finalRun: Run | undefined;
  error: AssistantStreamError | undefined;
  /** Handed to every child: `strict` refuses the transitions the charts draw `[tolerant]`. */
  lifecycle: LifecycleMode;
}

/** Input of the stream actor (optional). */
export interface AssistantStreamInput {
  /** `tolerant` (default): accept skipped intermediate statuses; `strict`: only what the charts draw. */
  lifecycle?: LifecycleMode | undefined;
}

/** The stream actor's output: its final run, or the error that ended it. */
export interface AssistantStreamOutput {
  finalRun: Run | undefined;
  error: AssistantStreamError | undefined;
}

type RunEvent = RunWireEvent;
type RunStepEvent = RunStepWireEvent | RunStepDeltaWireEvent;
type MessageEvent = MessageWireEvent | MessageDeltaWireEvent;

// The transitions that take run, step and message events are shared by every name of their
// kind, so their guards and actions narrow the event themselves.
function narrowTo<const Name extends AssistantStreamMachineEvent['type']>(names: readonly Name[]) {
  return (event: AssistantStreamMachineEvent): ExtractEvent<AssistantStreamMachineEvent, Name> => {
    assertEvent(event, names);
    return event;
  };
}
const runEvent = narrowTo(RUN_EVENTS);
const runStepEvent = narrowTo(RUN_STEP_EVENTS);
const runStepLifecycleEvent = narrowTo(RUN_STEP_EVENTS.filter((name): name is RunStepWireEvent['type'] => name !== 'thread.run.step.delta'));
const messageEvent = narrowTo(MESSAGE_EVENTS);

const reject = { target: 'failed', actions: 'recordRejection' } as const;
const runTransitions = [
  { guard: 'isNewRun', actions: [announceEvent, 'spawnRun', 'forwardToRun', 'recordFinalRun', 'closeOpenSteps'] },
  { guard: 'runAccepts', actions: [announceEvent, 'forwardToRun', 'recordFinalRun', 'closeOpenSteps'] },
  reject,
] as const;
const runStepTransitions = [
  { guard: 'isNewRunStep', actions: [announceEvent, 'spawnRunStep', 'forwardToRunStep'] },
  { guard: 'runStepAccepts', actions: [announceEvent, 'forwardToRunStep'] },
  reject,
] as const;
// A delta is announced by the child that accepts it (see `announceEvent`).
const runStepDeltaTransitions = [{ guard: 'runStepIsOpen', actions: 'forwardToRunStep' }, reject] as const;
const messageTransitions = [
  { guard: 'isNewMessage', actions: [announceEvent, 'spawnMessage', 'forwardToMessage'] },
  { guard: 'messageAccepts', actions: [announceEvent, 'forwardToMessage'] },
  reject,
] as const;
const messageDeltaTransitions = [{ guard: 'messageIsOpen', actions: 'forwardToMessage' }, reject] as const;

const isRunEnding = (event: RunEvent) =>
  event.type === 'thread.run.requires_action' || ['cancelled', 'failed', 'completed', 'incomplete', 'expired'].includes(event.data.status);

/**
 * A whole assistant stream: the parent that spawns one child actor per run, run step and
 * message (steps spawn their tool calls) and routes each wire event to the child it names.
 * An event that names nothing this stream created, or that its child's current state does not
 * allow, fails the stream with an error that says which event and why. Deltas — nearly every
 * event of a stream — go to their open child, which checks and announces them itself; the
 * facade delivers them straight there (the same effect as this chart's forwarding transition,
 * one macrostep less per delta).
 *
 * The byte source is the invoked `source` actor (provided by the stream facade); the user's
 * callbacks are the named actions here and in the children (no-ops until provided).
 *
 * ```
 * connecting ─source.connected─► streaming ─source.end─► settling ─► done / run, end
 *                                   │                      └─(no final run)─► failed
 *                                   ├─error | rejected event | source.error | handler.exception─► failed / exception, error, end
 *                                   ├─source.timeout─► failed (after timeout)
 *                                   └─abort─► aborted / abort, end
 * ```
 */
export const assistantStreamMachine = setup({
  types: {} as {
    context: AssistantStreamContext;
    events: AssistantStreamMachineEvent;
    output: AssistantStreamOutput;
    input: AssistantStreamInput | undefined;
  },
  actors: {
    run: runMachine,
    runStep: runStepMachine,
    message: messageMachine,
    // Reads the bytes and sends wire events back; the facade provides the real one.
    source: fromCallback<AssistantStreamMachineEvent>(() => {}),
  },
  // Lifecycle events (rare) are checked against the child's statechart before they are
  // announced; deltas (the bulk of a stream) only need an open child, which checks the delta
  // itself and reports a misfit as `child.fault`.
  guards: {
    // A new child must accept its first event too (in strict mode a run `created` not queued,
    // a step or message `created` not in progress, is refused before anything is spawned).
    isNewRun: ({ context, event }) => {
      const run = runEvent(event);
      return !context.runs.has(run.data.id) && getInitialSnapshot(runMachine, { run: run.data, lifecycle: context.lifecycle }).can(run);
    },
    runAccepts: ({ context, event }) => {
      const run = runEvent(event);
      return context.runs.get(run.data.id)?.getSnapshot().can(run) ?? false;
    },
    isNewRunStep: ({ context, event }) => {
      const step = runStepLifecycleEvent(event);
      return !context.runSteps.has(step.data.id) && getInitialSnapshot(runStepMachine, { step: step.data, lifecycle: context.lifecycle }).can(step);
    },
    runStepAccepts: ({ context, event }) => {
      const step = runStepEvent(event);
      return context.runSteps.get(step.data.id)?.getSnapshot().can(step) ?? false;
    },
    runStepIsOpen: ({ context, event }) => context.runSteps.get(runStepEvent(event).data.id)?.getSnapshot().status === 'active',
    isNewMessage: ({ context, event }) =>
      event.type === 'thread.message.created' &&
      !context.messages.has(event.data.id) &&
      getInitialSnapshot(messageMachine, { message: event.data, lifecycle: context.lifecycle }).can(event),
    messageAccepts: ({ context, event }) => {
      const message = messageEvent(event);
      return context.messages.get(message.data.id)?.getSnapshot().can(message) ?? false;
    },
    messageIsOpen: ({ context, event }) => context.messages.get(messageEvent(event).data.id)?.getSnapshot().status === 'active',
    hasFinalRun: ({ context }) => context.finalRun !== undefined,
  },
  actions: {
    spawnRun: assign({
      runs: ({ context, event, spawn }) => {
        const { data } = runEvent(event);
        return context.runs.set(data.id, spawn('run', { id: `run:${data.id}`, input: { run: data, lifecycle: context.lifecycle } }));
      },
    }),
    forwardToRun: ({ context, event }) => {
      const run = runEvent(event);
      context.runs.get(run.data.id)!.send(run);
    },
    // The run that ends the stream is the last one that ended or paused; a run that moves on
    // after a pause (a resumed stream) has no final run until it stops again.
    recordFinalRun: assign({
      finalRun: ({ event }) => {
        const run = runEvent(event);
        return isRunEnding(run) ? run.data : undefined;
      },
    }),
    // Tool calls are done when the run pauses for outputs or ends, even if their step stays open.
    closeOpenSteps: ({ context, event }) => {
      const run = runEvent(event);
      if (!isRunEnding(run)) return;
      const signal = run.type === 'thread.run.requires_action' ? 'run.requires_action' : 'run.finished';
      for (const step of context.runSteps.values()) {
        if (step.getSnapshot().can({ type: signal })) step.send({ type: signal });
      }
    },
    spawnRunStep: assign({
      runSteps: ({ context, event, spawn }) => {
        const { data } = runStepLifecycleEvent(event);
        return context.runSteps.set(data.id, spawn('runStep', { id: `runStep:${data.id}`, input: { step: data, lifecycle: context.lifecycle } }));
      },
    }),
    forwardToRunStep: ({ context, event }) => {
      const step = runStepEvent(event);
      context.runSteps.get(step.data.id)!.send(step);
    },
    spawnMessage: assign({
      messages: ({ context, event, spawn }) => {
        assertEvent(event, 'thread.message.created');
        const { data } = event;
        return context.messages.set(data.id, spawn('message', { id: `message:${data.id}`, input: { message: data, lifecycle: context.lifecycle } }));
      },
    }),
    forwardToMessage: ({ context, event }) => {
      const message = messageEvent(event);
      context.messages.get(message.data.id)!.send(message);
    },
    recordRejection: assign({
      error: ({ context, event }) => {
        assertEvent(event, [...RUN_EVENTS, ...RUN_STEP_EVENTS, ...MESSAGE_EVENTS]);
        return explainRejection(context, event);
      },
    }),
    recordApiError: assign({
      error: ({ event }) => {
        assertEvent(event, 'error');
        const { data, seq, headers } = event;
        return new AssistantStreamError('api-error', `the server sent an error: ${data.message}`, {
          eventIndex: seq,
          eventName: 'error',
          apiError: data,
          headers,
        });
      },
    }),
    recordError: assign({
      error: ({ context, event }) => {
        assertEvent(event, ['source.error', 'source.timeout', 'handler.exception', 'child.fault', 'abort']);
        return context.error ?? event.error;
      },
    }),
    recordChildFailure: assign({
      error: ({ context }, failure: ErrorActorEvent) => context.error ?? chartFailure(failure.error, failure.type.slice('xstate.error.actor.'.length)),
    }),
    recordMissingFinalRun: assign({
      error: () => new AssistantStreamError('no-final-run', 'the stream ended before the run completed, failed or required action'),
    }),
    connect: noop<'connect'>(),
    event: noop<'event'>(),
    run: noop<'run'>(),
    timeout: noop<'timeout'>(),
    exception: noop<'exception'>(),
    error: noop<'error'>(),
    abort: noop<'abort'>(),
    end: noop<'end'>(),
  },
}).createMachine({
  id: 'assistantStream',
  // A factory: a literal object would be one set of maps shared by every stream of the process.
  context: ({ input }) => ({
    runs: new Map(),
    runSteps: new Map(),
    messages: new Map(),
    finalRun: undefined,
    error: undefined,
    lifecycle: input?.lifecycle ?? 'tolerant',
  }),
  invoke: { id: 'source', src: 'source' },
  initial: 'connecting',
  on: {
    'source.error': { target: '.failed', actions: 'recordError' },
    'handler.exception': { target: '.failed', actions: 'recordError' },
    'source.timeout': {
      target: '.failed',
      actions: ['recordError', { type: 'timeout', params: ({ event }) => ({ error: event.error }) }],
    },
    abort: { target: '.aborted', actions: 'recordError' },
    // A child whose own guard or action threw is dead; the stream ends with that, typed.
    'xstate.error.actor.*': { target: '.failed', actions: { type: 'recordChildFailure', params: ({ event }) => event } },
  },
  states: {
    connecting: {
      on: { 'source.connected': { target: 'streaming', actions: { type: 'connect', params: {} } } },
    },
    streaming: {
      on: {
        'thread.created': { actions: announceEvent },
        'wire.unknown': { actions: announceEvent },
        error: { target: 'failed', actions: [announceEvent, 'recordApiError'] },
        'source.end': 'settling',
        'child.fault': { target: 'failed', actions: 'recordError' },
        ...Object.fromEntries(RUN_EVENTS.map((name) => [name, runTransitions])),
        ...Object.fromEntries(RUN_STEP_EVENTS.map((name) => [name, name === 'thread.run.step.delta' ? runStepDeltaTransitions : runStepTransitions])),
        ...Object.fromEntries(MESSAGE_EVENTS.map((name) => [name, name === 'thread.message.delta' ? messageDeltaTransitions : messageTransitions])),
      },
    },
    settling: {
      always: [{ guard: 'hasFinalRun', target: 'done' }, { target: 'failed', actions: 'recordMissingFinalRun' }],
    },
    done: {
      type: 'final',
      // Listeners get their own copy of the final run; `finalRun()` keeps the stream's.
      entry: [{ type: 'run', params: ({ context }) => ({ run: copyJSON(context.finalRun!) }) }, { type: 'end', params: {} }],
    },
    failed: {
      type: 'final',
      entry: [
        { type: 'exception', params: ({ context }) => ({ error: context.error! }) },
        { type: 'error', params: ({ context }) => ({ error: context.error! }) },
        { type: 'end', params: {} },
      ],
    },
    aborted: {
      type: 'final',
      entry: [{ type: 'abort', params: ({ context }) => ({ error: context.error! }) }, { type: 'end', params: {} }],
    },
  },
  output: ({ context }) => ({ finalRun: context.finalRun, error: context.error }),
});

/**
 * The open message or run step a delta names, if any: the child that takes it. Handing it the
 * delta directly has the same effect as this chart's forwarding transition (`messageIsOpen →
 * forwardToMessage`), without a macrostep of the stream actor.
 */
export function openChildFor(context: AssistantStreamContext, event: MessageDeltaWireEvent): ActorRefFrom<typeof messageMachine> | undefined;
export function openChildFor(context: AssistantStreamContext, event: RunStepDeltaWireEvent): ActorRefFrom<typeof runStepMachine> | undefined;
export function openChildFor(
  context: AssistantStreamContext,
  event: MessageDeltaWireEvent | RunStepDeltaWireEvent,
): ActorRefFrom<typeof messageMachine> | ActorRefFrom<typeof runStepMachine> | undefined {
  const child = event.type === 'thread.message.delta' ? context.messages.get(event.data.id) : context.runSteps.get(event.data.id);
  return child?.getSnapshot().status === 'active' ? child : undefined;
}

/** The stream's error for a chart (this one, or the child `actorId`) whose guard or action threw. */
export function chartFailure(thrown: unknown, actorId?: string): AssistantStreamError {
  const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : 'a non-error value';
  return new AssistantStreamError('internal', `${actorId === undefined ? 'the stream chart' : `the ${actorId.split(':')[0]} chart`} failed (${what})`, {
    cause: thrown,
  });
}

/** The error for an event the stream refused: which entity, which state, and why. */
export function explainRejection(context: AssistantStreamContext, event: RunEvent | RunStepEvent | MessageEvent): AssistantStreamError {
  const where = { eventIndex: event.seq, eventName: event.type };
  const { id } = event.data;
  const child: AnyActorRef | undefined =
    context.runs.get(id) ?? context.runSteps.get(id) ?? context.messages.get(id);
  const kind = event.type.startsWith('thread.run.step.') ? 'run step' : event.type.startsWith('thread.message.') ? 'message' : 'run';
  const canOpen = kind === 'message' ? event.type === 'thread.message.created' : !event.type.endsWith('.delta');
  if (child === undefined && canOpen) {
    const status = (event.data as { status?: unknown }).status;
    return new AssistantStreamError('lifecycle', `the ${kind} chart (${context.lifecycle}) does not allow a ${kind} to be first seen this way (status ${String(status)})`, where);
  }
  if (child === undefined) return new AssistantStreamError('unknown-id', `no ${kind} with this id was created in this stream`, where);
  // A delta that reaches an open child is the child's to judge (it reports `child.fault`);
  // here it names a child that is gone, or a lifecycle event the child's chart refuses.
  const snapshot = child.getSnapshot();
  return new AssistantStreamError('lifecycle', `the ${kind} is ${stateName(snapshot.value)}, which does not allow this event`, where);
}

/** `{ in_progress: 'text' }` → `in_progress.text`. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  return Object.entries(value)
    .map(([key, child]) => `${key}.${stateName(child)}`)
    .join(', ');
}


