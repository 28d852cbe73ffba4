import { getSimplePaths } from 'xstate/graph';
import { runMachine } from '../../machines/run.ts';
import type { RunStatus, RunWireEvent } from '../wire/index.ts';
import { makeRun } from './objects.ts';

/** A lifecycle a run can take, from `queued` to a terminal status, that a server can be told to follow. */
export interface RunPath {
  /** `queued → in_progress → requires_action → queued → in_progress → expired` */
  description: string;
  /** The statuses after `queued`: a `RunScript`'s `statuses` for the embedded server. */
  statuses: RunStatus[];
  /** The terminal status. */
  ending: RunStatus;
  /** How many times the run requires tool outputs. */
  toolRounds: number;
}

/** Options of {@link runPaths}. */
export interface RunPathsOptions {
  /** The most `requires_action` rounds a path takes (default 2): the bound of the traversal. */
  toolRounds?: number;
}

/** The statuses each state may go on to, on the strict chart, as a backend reaches them. */
const NEXT: Record<string, readonly RunStatus[]> = {
  unseen: ['queued'],
  queued: ['in_progress', 'cancelling', 'cancelled', 'failed', 'expired'],
  in_progress: ['requires_action', 'cancelling', 'cancelled', 'failed', 'completed', 'incomplete', 'expired'],
  // The client's outputs make the run `queued` again; or it ends while it waits for them.
  requires_action: ['queued', 'cancelling', 'cancelled', 'failed', 'expired'],
  cancelling: ['cancelled', 'completed', 'failed', 'incomplete', 'expired'],
};

/**
 * Every lifecycle of a run through the strict `run` statechart (xstate/graph, simple paths over
 * (state, tool round)), from `queued` to each terminal status, with up to `toolRounds`
 * `requires_action` rounds: failed, expired, incomplete, cancelled before, during and after a
 * tool call, and the round trips before each. A status never repeats in a row (no self-loops).
 * With 2 rounds: 70 paths.
 *
 * @example
 * ```ts
 * for (const path of runPaths({ toolRounds: 1 })) console.log(path.description);
 * // queued → in_progress → requires_action → queued → in_progress → completed, …
 * ```
 */
export function runPaths({ toolRounds = 2 }: RunPathsOptions = {}): RunPath[] {
  if (!Number.isInteger(toolRounds) || toolRounds < 0) throw new RangeError(`runPaths: toolRounds must be a whole number ≥ 0, got ${toolRounds}`);
  const roundOf = (snapshot: { context: { run: { metadata?: unknown } } }) => Number((snapshot.context.run.metadata as Record<string, string> | undefined)?.["round"] ?? 0);
  const paths = getSimplePaths(runMachine, {
    input: { run: makeRun(), lifecycle: 'strict' },
    events: (snapshot) => {
      const round = roundOf(snapshot);
      return (NEXT[String(snapshot.value)] ?? [])
        .filter((status) => status !== 'requires_action' || round < toolRounds)
        .map((status): RunWireEvent => {
          const next = status === 'requires_action' ? round + 1 : round;
          return { type: `thread.run.${status === 'queued' && snapshot.value === 'unseen' ? 'created' : status}` as RunWireEvent['type'], data: makeRun({ status, metadata: { round: String(next) } }), seq: 0 };
        });
    },
    serializeState: (snapshot) => JSON.stringify([snapshot.value, roundOf(snapshot)]),
    toState: (snapshot) => snapshot.status === 'done',
  });
  return paths
    .filter((path) => path.state.status === 'done')
    .map((path) => {
      const statuses = path.steps.slice(1).map((step) => step.state.value as RunStatus);
      return {
        description: statuses.join(' → '),
        statuses: statuses.slice(1),
        ending: statuses.at(-1)!,
        toolRounds: statuses.filter((status) => status === 'requires_action').length,
      };
    })
    .sort((a, b) => a.toolRounds - b.toolRounds || a.statuses.length - b.statuses.length || a.description.localeCompare(b.description));
}
