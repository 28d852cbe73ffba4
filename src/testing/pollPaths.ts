import { createActor } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import { pollMachine, type PollClock, type PollMachineEvent, type PollFailure, type PollFetchOutput, type PollIOReport } from '../../machines/poll.ts';
import { providePollIO } from '../../machines/pollIO.ts';
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

const retrieved = (status: string): PollIOReport => ({ type: 'retrieved', object: { status }, pollAfterMs: null, receivedAt: 0 });

/**
 * Every simple path of the poll chart (xstate/graph over its I/O actor's reports — a retrieve's
 * answer or failure, the wait's end, the deadline — and `abort`, bounded to one wait-and-retrieve cycle and one
 * retrieve again of an unknown status), each ending `done` or `failed`. Play one with {@link playPollPath}.
 *
 * @example
 * ```ts
 * for (const path of pollPaths()) assert.is((await playPollPath(path)).outcome, path.outcome);
 * ```
 */
export function pollPaths(): PollPath[] {
  const events: PollMachineEvent[] = [
    ...Object.values(FETCH_RESULTS).map(retrieved),
    { type: 'retrieveFailed', error: new Error('the retrieve failed') },
    { type: 'woke' },
    { type: 'deadlineReached' },
    { type: 'abort', reason: 'the caller aborted' },
  ];
  const paths = getSimplePaths(pollMachine, {
    input: { target: { resource: 'run', threadId: 'thread_1', runId: 'run_1' }, pollIntervalMs: 0, deadlineAt: DEADLINE_AT, maxUnknownStatusRefetches: MAX_UNKNOWN_REFETCHES },
    events,
    // Bounded: whether it has waited once (so one wait-and-retrieve cycle), and the unknown count.
    serializeState: (snapshot) => JSON.stringify([snapshot.value, snapshot.context.unknownStatusCount, snapshot.context.wakeAt !== null]),
  });
  return paths
    .filter((path) => path.state.status === 'done')
    .map((path) => {
      const steps = path.steps.filter((step) => (step.event.type as string) !== 'xstate.init');
      return {
        description: ['fetching', ...steps.map((step) => stateName(step.state.value))].join(' → ').replaceAll('polling.', ''),
        steps: steps.map((step) => toStep(step.event)),
        state: stateName(path.state.value),
        outcome: path.state.context.failure?.reason ?? 'done',
      };
    });
}

function toStep(event: PollMachineEvent): PollPathStep {
  switch (event.type) {
    case 'retrieved':
      return { kind: 'fetched', status: String((event.object as { status: string }).status) };
    case 'retrieveFailed':
      return { kind: 'fetch-failed' };
    case 'woke':
      return { kind: 'wait-over' };
    case 'deadlineReached':
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
 * Plays a poll path through a real poll actor and its real I/O actor: each retrieve is held
 * until the path says how it ends (answers with a status, or fails), the I/O's clock holds the
 * wait and the deadline until the path says they are over, and `abort` is sent when the path
 * aborts.
 *
 * @example `const played = await playPollPath(path); // { state: 'done', outcome: 'done', fetches: 2 }`
 */
export async function playPollPath(path: PollPath): Promise<PlayedPollPath> {
  let fetch: { resolve: (output: PollFetchOutput) => void; reject: (error: Error) => void } | undefined;
  const timers = new Map<number, { callback: () => void; ms: number }>();
  let fetches = 0;
  let timerIds = 0;
  // Time stands still at 0: the deadline is the one timer armed for DEADLINE_AT ms, a wait is any other.
  const heldClock: PollClock = {
    now: () => 0,
    setTimeout: (callback, ms) => {
      const id = ++timerIds;
      timers.set(id, { callback, ms });
      return id;
    },
    clearTimeout: (id) => timers.delete(id as number),
  };
  const fire = (isDeadline: boolean) => {
    for (const [id, timer] of timers) {
      if ((timer.ms === DEADLINE_AT) !== isDeadline) continue;
      timers.delete(id);
      timer.callback();
      return;
    }
  };
  const retrieve = () =>
    new Promise<PollFetchOutput>((resolve, reject) => {
      fetches += 1;
      fetch = { resolve, reject };
    });
  const machine = providePollIO(retrieve, heldClock);
  const actor = createActor(machine, {
    input: { target: { resource: 'run', threadId: 'thread_1', runId: 'run_1' }, pollIntervalMs: 0, deadlineAt: DEADLINE_AT, maxUnknownStatusRefetches: MAX_UNKNOWN_REFETCHES },
  });
  actor.start();
  // Answers of a retrieve reach the chart on a later turn of the event loop.
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  await settle();
  for (const step of path.steps) {
    if (step.kind === 'fetched') fetch?.resolve({ object: { status: step.status }, pollAfterMs: null, receivedAt: 0 });
    else if (step.kind === 'fetch-failed') fetch?.reject(new Error('the retrieve failed'));
    else if (step.kind === 'wait-over') fire(false);
    else if (step.kind === 'deadline') fire(true);
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
