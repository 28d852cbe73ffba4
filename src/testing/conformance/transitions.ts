import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, InspectionEvent } from 'xstate';
import { assistantStreamMachine } from '../../../machines/assistantStream.ts';
import { messageMachine } from '../../../machines/message.ts';
import { pollMachine } from '../../../machines/poll.ts';
import { runMachine } from '../../../machines/run.ts';
import { runStepMachine } from '../../../machines/runStep.ts';
import { toolCallMachine } from '../../../machines/toolCall.ts';

/** The charts a conformance check can drive: every one a stream or a poll runs. */
export const CONFORMANCE_CHARTS: readonly AnyStateMachine[] = [assistantStreamMachine, runMachine, runStepMachine, toolCallMachine, messageMachine, pollMachine];

/**
 * The name of one chart transition, from its definition: `run.in_progress → run.completed on
 * thread.run.completed`, with its named guard in brackets (`[tolerant]`); a transition without a target (it stays, taking the event's data) is
 * `message.in_progress on thread.message.delta`; an eventless one says `(always)`. The names
 * come from the charts themselves, so a renamed state or event renames them.
 *
 * @example `transitionName(definition) // 'run.queued → run.in_progress on thread.run.in_progress'`
 */
export function transitionName(transition: AnyTransitionDefinition): string {
  const on = transition.eventType === '' ? '(always)' : `on ${transition.eventType}`;
  const targets = transition.target?.map((target: AnyStateNode) => target.id) ?? [];
  const name = targets.length === 0 ? `${transition.source.id} ${on}` : `${transition.source.id} → ${targets.join(', ')} ${on}`;
  const guard = guardName(transition.guard);
  return guard === undefined ? name : `${name} [${guard}]`;
}

// A named guard (`tolerant`, `createdQueued`): strict reading refuses the `[tolerant]` ones.
function guardName(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return undefined;
}

/**
 * Collects the names of the chart transitions an actor system takes: pass `inspect` as the
 * `inspect` option of `AssistantStream.fromSSE` or `createActor`, read `names()` at the end.
 *
 * @example
 * ```ts
 * const recorder = createTransitionRecorder();
 * await AssistantStream.fromSSE(body, { inspect: recorder.inspect }).done();
 * recorder.names(); // ['assistantStream.connecting → assistantStream.streaming on source.connected', …]
 * ```
 */
export function createTransitionRecorder(): { inspect: (event: InspectionEvent) => void; names(): string[] } {
  const seen = new Set<string>();
  return {
    inspect(event) {
      if (event.type !== '@xstate.microstep') return;
      for (const transition of event._transitions) seen.add(transitionName(transition));
    },
    names: () => [...seen].sort(),
  };
}

/**
 * Every transition the conformance charts draw, by name: what a suite's observed transitions
 * are measured against (`coverage` in docs/testing.md).
 *
 * @example `const drawn = chartTransitionNames(); observed.filter((name) => drawn.has(name)).length`
 */
export function chartTransitionNames(charts: readonly AnyStateMachine[] = CONFORMANCE_CHARTS): Set<string> {
  const names = new Set<string>();
  const visit = (node: AnyStateNode): void => {
    for (const transitions of node.transitions.values()) for (const transition of transitions) names.add(transitionName(transition));
    for (const transition of node.always ?? []) names.add(transitionName(transition));
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  for (const chart of charts) visit(chart.root);
  return names;
}
