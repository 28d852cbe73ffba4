import { createActor, fromPromise } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import { pollMachine, type PollFailure, type PollFetchInput, type PollFetchOutput, type TimerInput } from '../../machines/poll.ts';
import { stateName } from '../../machines/assistantStream.ts';

/**
 * One thing that happens to a poll: a retrieve answers with a status (final, waiting or unknown)
 * or fails, the wait between retrieves ends, the deadline passes, or the caller aborts.
 */
export type PollPathStep =
  | { kind: 'fetched'; status: string }
  | { kind: 'fetch-failed' }
  | { kind: 'wait-over' }
  | { kind: 'deadline' }
  | { kind: 'abort' };

/** A path through the poll chart, and where it ends. */
export interface PollPath {
  /** `fetching → waiting → fetching → done` */
  description: string;
  steps: PollPathStep[];
  /** `done` or `failed`. */
  state: string;
  /** `done`, or the failure's reason (`fetch-failed`, `unknown-status`, `deadline-exceeded`, `aborted`). */
  outcome: 'done' | PollFailure['reason'];
}

const FETCH_RESULTS = { final: 'completed', waiting: 'in_progress', unknown: 'mystery' } as const;
const DEADLINE_AT = 1_000_000;
/** How many unknown statuses in a row the traversed poll retrieves again (the chart's bound). */
const MAX_UNKNOWN_REFETCHES = 1;

const fetchDone = (status: string) => ({ type: 'xstate.done.actor.fetch', output: { object: { status }, pollAfterMs: null, receivedAt: 0 } });

/**
 * Every simple path of the poll chart (xstate/graph over the results of its invoked `fetch`,
 * `wait` and `deadline` actors and `abort`, bounded to one wait-and-retrieve cycle and one
 * retrieve again of an unknown status), each ending `done` or `failed`. Play one with {@link playPollPath}.
 *
 * @example
 * ```ts
 * for (const path of pollPaths()) assert.is((await playPollPath(path)).outcome, path.outcome);
 * ```
 */
export function pollPaths(): PollPath[] {
  const events = [
    ...Object.values(FETCH_RESULTS).map(fetchDone),
    { type: 'xstate.error.actor.fetch', error: new Error('the retrieve failed') },
    { type: 'xstate.done.actor.wait', output: undefined },
    { type: 'xstate.done.actor.deadline', output: undefined },
    { type: 'abort', reason: 'the caller aborted' },
  ];
  const paths = getSimplePaths(pollMachine, {
    input: { target: { resource: 'run', threadId: 'thread_1', runId: 'run_1' }, pollIntervalMs: 0, deadlineAt: DEADLINE_AT, maxUnknownStatusRefetches: MAX_UNKNOWN_REFETCHES },
    events: events as never,
    // Bounded: whether it has waited once (so one wait-and-retrieve cycle), and the unknown count.
    serializeState: (snapshot) => JSON.stringify([snapshot.value, snapshot.context.unknownStatusCount, snapshot.context.wakeAt !== null]),
  });
  return paths
    .filter((path) => path.state.status === 'done')
    .map((path) => {
      const steps = path.steps.filter((step) => (step.event.type as string) !== 'xstate.init');
      return {
        description: ['fetching', ...steps.map((step) => stateName(step.state.value))].join(' → ').replaceAll('polling.', ''),
        steps: steps.map((step) => toStep(step.event as { type: string; output?: PollFetchOutput })),
        state: stateName(path.state.value),
        outcome: path.state.context.failure?.reason ?? 'done',
      };
    });
}

function toStep(event: { type: string; output?: PollFetchOutput }): PollPathStep {
  switch (event.type) {
    case 'xstate.done.actor.fetch':
      return { kind: 'fetched', status: String((event.output!.object as { status: string }).status) };
    case 'xstate.error.actor.fetch':
      return { kind: 'fetch-failed' };
    case 'xstate.done.actor.wait':
      return { kind: 'wait-over' };
    case 'xstate.done.actor.deadline':
      return { kind: 'deadline' };
    default:
      return { kind: 'abort' };
  }
}

/** What playing a {@link PollPath} through a poll actor gave. */
export interface PlayedPollPath {
  state: string;
  outcome: 'done' | PollFailure['reason'];
  /** How many retrieves the actor made. */
  fetches: number;
}

/**
 * Plays a poll path through a real poll actor: its `fetch` and `timer` actors are held until the
 * path says how each ends (a retrieve answers or fails, the wait or the deadline is over), and
 * `abort` is sent when the path aborts.
 *
 * @example `const played = await playPollPath(path); // { state: 'done', outcome: 'done', fetches: 2 }`
 */
export async function playPollPath(path: PollPath): Promise<PlayedPollPath> {
  let fetch: { resolve: (output: PollFetchOutput) => void; reject: (error: Error) => void } | undefined;
  let wait: (() => void) | undefined;
  let deadline: (() => void) | undefined;
  let fetches = 0;
  const machine = pollMachine.provide({
    actors: {
      fetch: fromPromise<PollFetchOutput, PollFetchInput>(
        () =>
          new Promise((resolve, reject) => {
            fetches += 1;
            fetch = { resolve, reject };
          }),
      ),
      timer: fromPromise<void, TimerInput>(
        ({ input }) =>
          new Promise<void>((resolve) => {
            if (input.wakeAt === DEADLINE_AT) deadline = resolve;
            else wait = resolve;
          }),
      ),
    },
  });
  const actor = createActor(machine, {
    input: { target: { resource: 'run', threadId: 'thread_1', runId: 'run_1' }, pollIntervalMs: 0, deadlineAt: DEADLINE_AT, maxUnknownStatusRefetches: MAX_UNKNOWN_REFETCHES },
  });
  actor.start();
  // Invoked promise actors start on the next turns of the event loop.
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  await settle();
  for (const step of path.steps) {
    if (step.kind === 'fetched') fetch?.resolve({ object: { status: step.status }, pollAfterMs: null, receivedAt: 0 });
    else if (step.kind === 'fetch-failed') fetch?.reject(new Error('the retrieve failed'));
    else if (step.kind === 'wait-over') wait?.();
    else if (step.kind === 'deadline') deadline?.();
    else actor.send({ type: 'abort', reason: 'the caller aborted' });
    await settle();
  }
  const snapshot = actor.getSnapshot();
  actor.stop();
  const output = snapshot.output;
  return {
    state: stateName(snapshot.value),
    outcome: output === undefined ? 'done' : output.outcome === 'done' ? 'done' : output.failure.reason,
    fetches,
  };
}
