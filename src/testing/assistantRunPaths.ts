import { getAdjacencyMap } from 'xstate/graph';
import type { AnyEventObject } from 'xstate';
import {
  assistantRunMachine,
  type AssistantRunContext,
  type AssistantRunFailure,
  type AssistantRunInput,
  type AssistantRunToolOutput,
  type RetrievedRun,
} from '../../machines/assistantRun.ts';
import { stateName } from '../../machines/assistantStream.ts';
import type { Message, Run } from '../wire/index.ts';
import { makeMessage, makeRun } from './objects.ts';

const THREAD_ID = 'thread_1';
const RUN_ID = 'run_1';
const CALL_ID = 'call_1';

/** The inputs the paths start from: a new run, or an attach to an existing one (both with a deadline). */
export const ASSISTANT_RUN_PATH_INPUTS = {
  start: { threadId: THREAD_ID, assistantId: 'asst_1', deadlineMs: 60_000 },
  attach: { threadId: THREAD_ID, runId: RUN_ID, deadlineMs: 60_000 },
} as const satisfies Record<string, AssistantRunInput>;

const requiredAction = {
  type: 'submit_tool_outputs',
  submit_tool_outputs: { tool_calls: [{ id: CALL_ID, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
} as Run['required_action'];

/** The run as the path's actors show it, in each status they answer with. */
const RUNS = {
  completed: makeRun({ id: RUN_ID, thread_id: THREAD_ID, status: 'completed' }),
  requiresAction: makeRun({ id: RUN_ID, thread_id: THREAD_ID, status: 'requires_action', required_action: requiredAction }),
  inProgress: makeRun({ id: RUN_ID, thread_id: THREAD_ID, status: 'in_progress' }),
  cancelling: makeRun({ id: RUN_ID, thread_id: THREAD_ID, status: 'cancelling' }),
  cancelled: makeRun({ id: RUN_ID, thread_id: THREAD_ID, status: 'cancelled' }),
} as const;

const TOOL_OUTPUTS: AssistantRunToolOutput[] = [{ tool_call_id: CALL_ID, output: '{"temp":"22C"}' }];
/** What the path's `listMessages` answers with. */
export const ASSISTANT_RUN_PATH_MESSAGES: readonly Message[] = [makeMessage({ id: 'msg_1', thread_id: THREAD_ID, run_id: RUN_ID, role: 'assistant' })];

const retrieved = (run: Run | null): RetrievedRun => ({ run, pollAfterMs: null, receivedAt: 0 });

/** The errors the path's actors fail with, one per actor (a played path must end with the same object). */
export const ASSISTANT_RUN_PATH_ERRORS = {
  stream: new Error('the stream failed for good'),
  streamRecoverable: new Error('the stream broke'),
  retrieveRun: new Error('the retrieve failed'),
  requestCancel: new Error('the cancel request failed'),
  runTools: new Error('a tool threw'),
  listMessages: new Error('listing the messages failed'),
} as const;

/** The event `failed` raises itself one macrostep after entry (`after: { 0 }`). */
export const FAILED_AFTER_EVENT = 'xstate.after.0.assistantRun.failed';

const E = ASSISTANT_RUN_PATH_ERRORS;
const EVENTS: AnyEventObject[] = [
  { type: 'thread.acquired' },
  { type: 'stream.found', run: RUNS.inProgress },
  { type: 'stream.accepted', pauseKey: `${RUN_ID}:${CALL_ID}` },
  { type: 'stream.ended', run: RUNS.completed },
  { type: 'stream.ended', run: RUNS.requiresAction },
  { type: 'stream.ended', run: RUNS.inProgress },
  { type: 'stream.failed', failure: { error: E.streamRecoverable, recoverable: true } },
  { type: 'stream.failed', failure: { error: E.stream, recoverable: false } },
  ...[null, RUNS.cancelled, RUNS.requiresAction, RUNS.inProgress].map((run) => ({ type: 'xstate.done.actor.retrieveRun', output: retrieved(run) })),
  { type: 'xstate.error.actor.retrieveRun', error: E.retrieveRun },
  ...[null, RUNS.cancelled, RUNS.cancelling].map((run) => ({ type: 'xstate.done.actor.requestCancel', output: retrieved(run) })),
  { type: 'xstate.error.actor.requestCancel', error: E.requestCancel },
  { type: 'xstate.done.actor.runTools', output: TOOL_OUTPUTS },
  { type: 'xstate.error.actor.runTools', error: E.runTools },
  { type: 'xstate.done.actor.listMessages', output: ASSISTANT_RUN_PATH_MESSAGES },
  { type: 'xstate.error.actor.listMessages', error: E.listMessages },
  { type: 'xstate.done.actor.wait', output: undefined },
  { type: 'xstate.done.actor.deadline', output: undefined },
  { type: 'cancel' },
  { type: 'submitToolOutputs', toolOutputs: TOOL_OUTPUTS },
  { type: FAILED_AFTER_EVENT },
];

/** How an `assistantRun` path ends: done with the run's status, or failed with the failure. */
export type AssistantRunPathOutcome = { ending: 'done'; runStatus: string } | { ending: 'failed'; failure: AssistantRunFailure };

/** A path through the assistantRun chart, from the start to `done` or `failed`. */
export interface AssistantRunPath {
  /** Which input the actor starts with. */
  input: keyof typeof ASSISTANT_RUN_PATH_INPUTS;
  /** Whether the actor has tool implementations (`runningTools`) or waits for the parent (`awaitingOutputs`). */
  tools: boolean;
  /** `queued → creating → actionRequired → runningTools → submitting → finishing → done` */
  description: string;
  /** The events, in order: what the invoked actors, the parent and the delayed event of `failed` produce. */
  events: AnyEventObject[];
  /** `done` or `failed`. */
  state: 'done' | 'failed';
  outcome: AssistantRunPathOutcome;
  /** The chart transitions the path takes, as `source --event--> target` (for coverage). */
  transitions: string[];
}

type Snapshot = ReturnType<typeof assistantRunMachine.getInitialSnapshot>;
interface Vertex {
  key: string;
  snapshot: Snapshot;
  edges: Array<{ event: AnyEventObject; to: string }>;
}

/**
 * What the traversal tells apart: the state, everything a guard reads (whether a cancel was
 * asked and why, whether the run's id is known, the run's status, the outputs and submitted
 * pauses, the failure) and the three counters, so it walks every create, submit and request
 * retry up to its limit; and whether `failed` has raised its delayed event.
 */
function keyOf(snapshot: Snapshot, raised: boolean): string {
  const context: AssistantRunContext = snapshot.context;
  return JSON.stringify([
    snapshot.value,
    context.cancelReason,
    context.runId !== null,
    context.run?.status ?? null,
    context.outputs !== null,
    context.submittedPauses.length,
    context.createAttempts,
    context.submitAttempts,
    context.requestFailures,
    failureKey(context.failure),
    raised,
  ]);
}

// Failures differ by reason, by cause and by error (each actor's error is its own).
const failureKey = (failure: AssistantRunFailure | null) =>
  failure === null ? null : failure.reason === 'not-started' ? failure.cause : failure.reason === 'error' ? String((failure.error as Error).message) : failure.reason;

const isEnd = (vertex: Vertex) => vertex.snapshot.status === 'done' || vertex.key.endsWith('true]');
const shortName = (value: unknown) => stateName(value).replace('active.working.', '').replace('active.', '');

/**
 * The events a state can see. Attaching does not queue, so an attaching actor's first event is
 * `thread.acquired`. Bound: `cancel` and the deadline come only while no retry is under way
 * (no failed request in a row, first create and first submission), so a path is either
 * interrupted or retries, not both at once; and a run being cancelled is retrieved `cancelled`
 * or still `in_progress` (no run, or `requires_action`, takes the same transitions there).
 */
const handledEvents = new Map<string, Set<string>>();
function eventsFor(snapshot: Snapshot, attaching: boolean): AnyEventObject[] {
  const value = JSON.stringify(snapshot.value);
  if (attaching && value.includes('"queued"')) return EVENTS.filter((event) => event.type === 'thread.acquired');
  const { requestFailures, createAttempts, submitAttempts } = snapshot.context;
  const noRetry = requestFailures === 0 && createAttempts <= 1 && submitAttempts <= 1;
  // Only what some active state handles (the rest would change nothing): a cheaper traversal.
  let handled = handledEvents.get(value);
  if (handled === undefined) {
    handled = new Set<string>(snapshot._nodes.flatMap((node) => node.ownEvents as string[]));
    handledEvents.set(value, handled);
  }
  const confirming = value.includes('"confirming"');
  return EVENTS.filter(
    (event) =>
      handled.has(event.type) &&
      (noRetry || (event.type !== 'cancel' && event.type !== 'xstate.done.actor.deadline')) &&
      (!confirming || event.type !== 'xstate.done.actor.retrieveRun' || isConfirmingAnswer(event)),
  );
}

// A run being cancelled is retrieved cancelled or still in progress (other answers take the same transitions).
const isConfirmingAnswer = (event: AnyEventObject) => ['cancelled', 'in_progress'].includes(String((event as unknown as { output: RetrievedRun }).output.run?.status));

/** The bounded graph of one input and tools choice: xstate/graph's adjacency map under {@link keyOf}. */
function traverse(input: AssistantRunInput, tools: boolean): { start: string; vertices: Map<string, Vertex> } {
  const machine = assistantRunMachine.provide({ guards: { hasTools: () => tools }, actions: { raiseFailure: () => {} } });
  const attaching = 'runId' in input;
  const serialize = (snapshot: Snapshot, event: AnyEventObject | undefined) => keyOf(snapshot, snapshot.value === 'failed' && event?.type === FAILED_AFTER_EVENT);
  // xstate/graph's types do not follow a machine whose `emitted` events are typed: checked here instead.
  const adjacency = getAdjacencyMap(machine as never, {
    input,
    events: (snapshot: Snapshot) => eventsFor(snapshot, attaching),
    serializeState: (snapshot: Snapshot, event: AnyEventObject | undefined) => serialize(snapshot, event),
  } as never) as Record<string, { state: Snapshot; transitions: Record<string, { event: AnyEventObject; state: Snapshot }> }>;
  const vertices = new Map<string, Vertex>();
  for (const [key, { state, transitions }] of Object.entries(adjacency)) {
    const edges = Object.values(transitions)
      .map(({ event, state: next }) => ({ event: event as AnyEventObject, to: serialize(next as Snapshot, event as AnyEventObject) }))
      .filter((edge) => edge.to !== key);
    vertices.set(key, { key, snapshot: state as Snapshot, edges });
  }
  return { start: Object.keys(adjacency)[0]!, vertices };
}

/**
 * Paths of the assistantRun chart from the start (a new run, or an attach; with or without tool
 * implementations) to `done` or to `failed` and its delayed event, over what the invoked actors
 * (thread lock, streams, retrieves, cancel requests, tools, message lists, timers) and the
 * parent (`cancel`, `submitToolOutputs`) can produce.
 *
 * The graph is xstate/graph's adjacency map, bounded by a key that holds the state, what the
 * guards read and the create, submit and request counters. Its simple paths number in the
 * millions, so the paths are: for every transition of that graph, the shortest path to it and
 * from it to an end. Every state and transition of the bounded graph — every counter value,
 * each retry limit reached — is on at least one path. Play one with {@link playAssistantRunPath}.
 *
 * @example
 * ```ts
 * for (const path of assistantRunPaths()) console.log(path.description, path.outcome);
 * ```
 */
export function assistantRunPaths(): AssistantRunPath[] {
  const paths: AssistantRunPath[] = [];
  for (const input of Object.keys(ASSISTANT_RUN_PATH_INPUTS) as Array<keyof typeof ASSISTANT_RUN_PATH_INPUTS>) {
    for (const tools of [false, true]) paths.push(...pathsOf(input, tools));
  }
  return paths;
}

function pathsOf(input: keyof typeof ASSISTANT_RUN_PATH_INPUTS, tools: boolean): AssistantRunPath[] {
  const { start, vertices } = traverse(ASSISTANT_RUN_PATH_INPUTS[input], tools);
  // Shortest paths from the start (BFS), and to the nearest end (BFS backwards).
  const from = new Map<string, { previous: string; event: AnyEventObject } | null>([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const key = queue.shift()!;
    for (const edge of vertices.get(key)!.edges) {
      if (from.has(edge.to)) continue;
      from.set(edge.to, { previous: key, event: edge.event });
      queue.push(edge.to);
    }
  }
  const incoming = new Map<string, Array<{ from: string; event: AnyEventObject }>>();
  for (const vertex of vertices.values()) {
    for (const edge of vertex.edges) {
      const list = incoming.get(edge.to) ?? [];
      list.push({ from: vertex.key, event: edge.event });
      incoming.set(edge.to, list);
    }
  }
  const toEnd = new Map<string, { next: string; event: AnyEventObject } | null>();
  const backwards = [...vertices.values()].filter(isEnd).map((vertex) => vertex.key);
  for (const key of backwards) toEnd.set(key, null);
  while (backwards.length > 0) {
    const key = backwards.shift()!;
    for (const edge of incoming.get(key) ?? []) {
      if (toEnd.has(edge.from)) continue;
      toEnd.set(edge.from, { next: key, event: edge.event });
      backwards.push(edge.from);
    }
  }
  const seen = new Set<string>();
  const index = new Map([...vertices.keys()].map((key, at) => [key, at]));
  const paths: AssistantRunPath[] = [];
  for (const vertex of vertices.values()) {
    if (!from.has(vertex.key) || isEnd(vertex)) continue;
    for (const edge of vertex.edges) {
      if (!toEnd.has(edge.to)) continue;
      const keys: string[] = [];
      const events: AnyEventObject[] = [];
      for (let at = vertex.key, step = from.get(at); step; at = step.previous, step = from.get(at)) {
        keys.unshift(at);
        events.unshift(step.event);
      }
      keys.unshift(start);
      keys.push(edge.to);
      events.push(edge.event);
      for (let step = toEnd.get(edge.to); step; step = toEnd.get(step.next)) {
        keys.push(step.next);
        events.push(step.event);
      }
      const id = keys.map((key) => index.get(key)).join(',');
      if (seen.has(id)) continue;
      seen.add(id);
      paths.push(toPath(input, tools, keys.map((key) => vertices.get(key)!.snapshot), events));
    }
  }
  return paths;
}

function toPath(input: AssistantRunPath['input'], tools: boolean, snapshots: Snapshot[], events: AnyEventObject[]): AssistantRunPath {
  const last = snapshots.at(-1)!;
  const names = snapshots.map((snapshot) => shortName(snapshot.value));
  // The delayed event of `failed` leaves it where it is: one name for both.
  if (last.value === 'failed') names.pop();
  const transitions = events.map((event, index) => `${names[index] ?? 'failed'} --${event.type}--> ${names[index + 1] ?? 'failed'}`);
  const { failure, run } = last.context;
  return {
    input,
    tools,
    description: names.join(' → '),
    events,
    state: last.value === 'done' ? 'done' : 'failed',
    outcome: last.value === 'done' ? { ending: 'done', runStatus: String(run?.status) } : { ending: 'failed', failure: failure! },
    transitions,
  };
}

/**
 * A few paths that together take every chart transition the paths take (state to state by an
 * event, as named in {@link AssistantRunPath.transitions}): the shortest first.
 *
 * @example `const sample = sampleAssistantRunPaths(assistantRunPaths()); // every transition, a few dozen paths`
 */
export function sampleAssistantRunPaths(paths: readonly AssistantRunPath[]): AssistantRunPath[] {
  const covered = new Set<string>();
  const sample: AssistantRunPath[] = [];
  const variant = (path: AssistantRunPath) => `${path.input} ${path.tools}`;
  for (const path of [...paths].sort((a, b) => a.events.length - b.events.length)) {
    const ids = [...path.transitions, variant(path), `${path.state} ${path.outcome.ending === 'failed' ? path.outcome.failure.reason : path.outcome.runStatus}`];
    if (ids.every((id) => covered.has(id))) continue;
    for (const id of ids) covered.add(id);
    sample.push(path);
  }
  return sample;
}
