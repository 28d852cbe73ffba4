import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import type { LifecycleMode } from '../../machines/lifecycle.ts';
import { runMachine, type RunState } from '../../machines/run.ts';
import { RUN_EVENTS, RUN_TERMINAL_STATUSES, type Run, type RunEventName, type RunWireEvent } from '../wire/index.ts';
import { makeRun, type ScriptedEvent } from './objects.ts';

/** A stream generated from a path through a statechart, and what consuming it must give. */
export interface ModelPath {
  /** The path, readable: `unseen → queued → in_progress → completed`. */
  description: string;
  /** The wire events that walk the path. */
  events: ScriptedEvent[];
  /** The state the chart is in at the end of the path. */
  state: RunState;
  /** A stream of these events ends with this run (terminal or requires_action), or fails without one. */
  outcome: { finalRunStatus: Run['status'] } | { error: 'no-final-run' };
}

/** Options of {@link runLifecyclePaths}. */
export interface RunLifecyclePathsOptions {
  /** `shortest`: one shortest path to every state; `simple`: every path that visits no state twice. */
  paths?: 'shortest' | 'simple';
  /** The tolerant chart (default) or the strict one, which has fewer transitions. */
  lifecycle?: LifecycleMode | undefined;
}

const PAUSING_OR_FINAL: ReadonlySet<string> = new Set(['requires_action', ...RUN_TERMINAL_STATUSES]);

/**
 * Streams generated from the `run` statechart with `xstate/graph`: each path through the chart
 * becomes the run events that walk it, with the state the chart predicts at its end. Feed
 * them to any implementation of the protocol (ours, a server, a proxy) and compare.
 *
 * @example
 * ```ts
 * for (const path of runLifecyclePaths({ paths: 'simple' })) {
 *   const stream = AssistantStream.fromSSE(textSource(toSSE(path.events)));
 *   // … expect path.outcome
 * }
 * ```
 */
export function runLifecyclePaths({ paths = 'shortest', lifecycle = 'tolerant' }: RunLifecyclePathsOptions = {}): ModelPath[] {
  const events: RunWireEvent[] = RUN_EVENTS.map((type) => ({ type, data: makeRun({ status: statusOf(type) }), seq: 0 }));
  const traverse = paths === 'simple' ? getSimplePaths : getShortestPaths;
  const found = traverse(runMachine, {
    events,
    input: { run: makeRun(), lifecycle },
    // The context is the last run object; the state value alone identifies a vertex.
    serializeState: (snapshot) => JSON.stringify(snapshot.value),
  });
  return found.map((path) => {
    const state = path.state.value as RunState;
    const steps = path.steps.filter((step) => (step.event.type as string) !== 'xstate.init');
    return {
      description: ['unseen', ...steps.map((step) => String(step.state.value))].join(' → '),
      events: steps.map((step) => ({ event: step.event.type, data: (step.event as RunWireEvent).data })),
      state,
      outcome: PAUSING_OR_FINAL.has(state) ? { finalRunStatus: state as Run['status'] } : { error: 'no-final-run' },
    };
  });
}

/** The status a run event announces: `thread.run.created` → `queued`. */
function statusOf(type: RunEventName): Run['status'] {
  return type === 'thread.run.created' ? 'queued' : (type.slice('thread.run.'.length) as Run['status']);
}
