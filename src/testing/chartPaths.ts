import { assign, type AnyStateMachine } from 'xstate';
import { getSimplePaths } from 'xstate/graph';
import { assistantStreamMachine, stateName } from '../../machines/assistantStream.ts';
import type { LifecycleMode } from '../../machines/lifecycle.ts';
import { messageMachine } from '../../machines/message.ts';
import { runStepMachine } from '../../machines/runStep.ts';
import { toolCallMachine } from '../../machines/toolCall.ts';
import { applyDelta, type Message, type MessageDeltaWireEvent, type Run } from '../wire/index.ts';
import { runLifecyclePaths } from './model.ts';
import { makeMessage, makeRun, makeRunStep } from './objects.ts';

/** The charts paths are generated from. */
export type ChartName = 'run' | 'runStep' | 'toolCall' | 'message' | 'assistantStream';

/**
 * One step of a played path: a wire event, or something that happens to the stream besides
 * its events (its input ends, breaks or stalls; a listener throws; the user aborts).
 */
export type PathStep =
  | { kind: 'event'; event: string; data: unknown }
  | { kind: 'end' }
  | { kind: 'malformed' }
  | { kind: 'stall' }
  | { kind: 'throw' }
  | { kind: 'abort' };

/** A path through one chart, as a stream, and what the chart predicts for it. */
export interface ChartPath {
  chart: ChartName;
  /** The chart's states along the path: `new → in_progress.streaming → completed`. */
  description: string;
  /** What to feed `AssistantStream`. Unless it has its own `end`, the input ends after it. */
  steps: PathStep[];
  /** The state (as `stateName` spells it) the chart's actor must be in at the end. */
  state: string;
  /** How the stream must end: with a run of this status, or with an error of this kind. */
  outcome: { finalRunStatus: Run['status'] } | { error: string };
}

/** Options of {@link chartPaths}. */
export interface ChartPathsOptions {
  /** Paths of the tolerant charts (default) or of the strict ones. */
  lifecycle?: LifecycleMode | undefined;
}

const event = (name: string, data: unknown): PathStep => ({ kind: 'event', event: name, data });
const RUN_START = [event('thread.run.created', makeRun()), event('thread.run.in_progress', makeRun({ status: 'in_progress' }))];
const RUN_END = event('thread.run.completed', makeRun({ status: 'completed' }));
const TOOL_STEP = makeRunStep({ type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: [] } });

/**
 * Every simple path (no state visited twice) of one statechart — `run`, `runStep`,
 * `toolCall`, `message` or `assistantStream` — found with `xstate/graph` over a bounded set of
 * events, each turned into a stream that walks it inside a whole run, with the state the chart
 * predicts at its end. Play them with {@link playChartPath}.
 *
 * @example
 * ```ts
 * for (const path of chartPaths('message')) {
 *   const played = await playChartPath(path);
 *   assert.equal(played.state, path.state, path.description);
 * }
 * ```
 */
export function chartPaths(chart: ChartName, options: ChartPathsOptions = {}): ChartPath[] {
  const lifecycle = options.lifecycle ?? 'tolerant';
  switch (chart) {
    case 'run':
      return runLifecyclePaths({ paths: 'simple', lifecycle }).map((path) => ({
        chart,
        description: path.description,
        steps: path.events.map(({ event: name, data }) => event(name, data)),
        state: path.state,
        outcome: path.outcome,
      }));
    case 'runStep':
      return runStepPaths(lifecycle);
    case 'toolCall':
      return toolCallPaths();
    case 'message':
      return messagePaths(lifecycle);
    case 'assistantStream':
      return streamPaths();
  }
}

/** Every chart's name, in the order the docs list them. */
export const CHART_NAMES: readonly ChartName[] = ['run', 'runStep', 'toolCall', 'message', 'assistantStream'];

interface Traversed {
  value: unknown;
  events: { type: string; data?: unknown }[];
  states: string[];
}

function traverse(machine: AnyStateMachine, input: unknown, events: { type: string }[], serialize: (snapshot: { value: unknown; context: unknown }) => string): Traversed[] {
  const paths = getSimplePaths(machine, { events, input, serializeState: (snapshot: unknown) => serialize(snapshot as never) } as never);
  // The traversal would go on from a final state (through the chart's own `on`); an actor stops there.
  const stopsAtTheEnd = (path: (typeof paths)[number]) => path.steps.slice(0, -1).every((step) => step.state.status !== 'done');
  return paths.filter(stopsAtTheEnd).map((path) => {
    const steps = path.steps.filter((step) => step.event.type !== 'xstate.init');
    return {
      value: path.state.value,
      events: steps.map((step) => step.event as { type: string; data?: unknown }),
      states: [stateName(path.steps[0]?.state.value ?? path.state.value), ...steps.map((step) => stateName(step.state.value))],
    };
  });
}

function runStepPaths(lifecycle: LifecycleMode): ChartPath[] {
  const as = (name: string, status: string) => ({ type: name, data: { ...TOOL_STEP, status }, seq: 0 });
  const events = [
    as('thread.run.step.created', 'in_progress'),
    as('thread.run.step.created', 'completed'),
    as('thread.run.step.in_progress', 'in_progress'),
    ...(['completed', 'failed', 'cancelled', 'expired'] as const).map((status) => as(`thread.run.step.${status}`, status)),
    { type: 'run.requires_action' },
    { type: 'run.finished' },
  ];
  return traverse(runStepMachine, { step: TOOL_STEP, lifecycle }, events, (snapshot) => JSON.stringify(snapshot.value)).map((path) => {
    // The run's own events stand for the chart's `run.*` signals; a step that ends its path
    // finished is followed by the run's completion, which leaves it as it is.
    const steps: PathStep[] = [...RUN_START];
    let runEnded: Run['status'] | undefined;
    for (const step of path.events) {
      if (step.type === 'run.requires_action') runEnded = 'requires_action';
      else if (step.type === 'run.finished') runEnded = 'completed';
      steps.push(step.type.startsWith('run.') ? event(`thread.run.${runEnded}`, makeRun({ status: runEnded!, ...requiredAction(runEnded!) })) : event(step.type, step.data));
    }
    const state = stateName(path.value);
    const finished = ['completed', 'failed', 'cancelled', 'expired'].includes(state);
    if (runEnded === undefined && finished) {
      steps.push(RUN_END);
      runEnded = 'completed';
    }
    return { chart: 'runStep', description: path.states.join(' → '), steps, state, outcome: runEnded === undefined ? { error: 'no-final-run' } : { finalRunStatus: runEnded } };
  });
}

function requiredAction(status: Run['status']): Partial<Run> {
  return status === 'requires_action' ? { required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: [] } } } : {};
}

function toolCallPaths(): ChartPath[] {
  const fragment = (first: boolean) => ({
    type: 'toolCall.delta',
    delta: first ? { index: 0, type: 'function', id: 'call_1', function: { name: 'get_weather', arguments: '' } } : { index: 0, type: 'function', function: { arguments: '{}' } },
  });
  const events = [fragment(true), { type: 'toolCall.finish' }];
  const created = [...RUN_START, event('thread.run.step.created', TOOL_STEP)];
  return traverse(toolCallMachine, { index: 0, toolCall: { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } } }, events, (snapshot) => JSON.stringify(snapshot.value))
    .filter((path) => path.events.length > 0)
    .map((path) => {
      const steps: PathStep[] = [...created];
      let fragments = 0;
      for (const step of path.events) {
        if (step.type === 'toolCall.delta') {
          const delta = fragments++ === 0 ? fragment(true).delta : fragment(false).delta;
          steps.push(event('thread.run.step.delta', { id: TOOL_STEP.id, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [delta] } } }));
        } else {
          const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '', output: null } };
          steps.push(event('thread.run.step.completed', { ...TOOL_STEP, status: 'completed', step_details: { type: 'tool_calls', tool_calls: [call] } }));
        }
      }
      // A call still open when the run ends is finished with it: only a finished call's stream
      // ends the run; an open one's stream ends without a final run and leaves it open.
      const state = stateName(path.value);
      if (state === 'done') steps.push(RUN_END);
      const outcome = state === 'done' ? { finalRunStatus: 'completed' as const } : { error: 'no-final-run' };
      return { chart: 'toolCall' as const, description: path.states.join(' → '), steps, state, outcome };
    });
}

function messagePaths(lifecycle: LifecycleMode): ChartPath[] {
  const message = makeMessage();
  const as = (name: string, status: Message['status'], content: Message['content'] = []) => ({ type: name, data: makeMessage({ status, content }), seq: 0 });
  const block = (index: number, type: 'text' | 'image_file') => ({
    type: 'thread.message.delta',
    seq: 0,
    data: { id: message.id, object: 'thread.message.delta', delta: { content: [type === 'text' ? { index, type, text: { value: `part ${index}`, annotations: [] } } : { index, type, image_file: { file_id: `file_${index}` } }] } },
  });
  const events = [
    as('thread.message.created', 'in_progress'),
    as('thread.message.created', 'completed', [{ type: 'text', text: { value: 'whole', annotations: [] } }]),
    as('thread.message.in_progress', 'in_progress'),
    as('thread.message.completed', 'completed'),
    as('thread.message.incomplete', 'incomplete'),
    block(0, 'text'),
    block(1, 'image_file'),
    block(2, 'text'),
  ];
  // The traversal computes transitions without running custom actions: the merge is made an
  // assignment of a copy here, so the guards that read the content see it.
  const model = messageMachine.provide({
    actions: {
      applyDelta: assign({
        message: ({ context }: { context: { message: Message } }, delta: MessageDeltaWireEvent) => {
          const copy = structuredClone(context.message);
          applyDelta(copy, delta.data.delta);
          return copy;
        },
      }) as never,
      reportFault: () => {},
      refuseFragments: () => {},
    },
  });
  return traverse(model, { message, lifecycle }, events, (snapshot) => JSON.stringify([snapshot.value, (snapshot.context as { block: number }).block]))
    .filter((path) => path.events.length > 0)
    .map((path) => ({
      chart: 'message' as const,
      description: path.states.join(' → '),
      steps: [...RUN_START, ...path.events.map((step) => event(step.type, step.data)), RUN_END],
      state: stateName(path.value),
      outcome: { finalRunStatus: 'completed' as const },
    }));
}

/** What each abstract event of the stream chart becomes when played. */
const STREAM_EVENTS: Record<string, PathStep> = {
  'thread.run.completed': RUN_END,
  error: event('error', { message: 'the model is overloaded', type: 'server_error', code: null, param: null }),
  'source.end': { kind: 'end' },
  'source.error': { kind: 'malformed' },
  'source.timeout': { kind: 'stall' },
  'handler.exception': { kind: 'throw' },
  abort: { kind: 'abort' },
};

function streamPaths(): ChartPath[] {
  // The stream chart as a model: a run is either new (spawned) or refused; what the chart does
  // with its children is the other charts' paths. Its own state is its value and whether it
  // holds a final run.
  const model = assistantStreamMachine.provide({
    guards: { isNewRun: () => true },
    actions: { spawnRun: () => {}, forwardToRun: () => {}, closeOpenSteps: () => {} },
  });
  const failure = (type: string) => ({ type, error: new Error(type) });
  const events = [
    { type: 'source.connected' },
    { type: 'thread.run.completed', data: makeRun({ status: 'completed' }), seq: 0 },
    { type: 'error', data: { message: 'overloaded' }, seq: 0 },
    { type: 'source.end' },
    failure('source.error'),
    failure('source.timeout'),
    failure('handler.exception'),
    failure('abort'),
  ];
  return traverse(model, undefined, events, (snapshot) => JSON.stringify([snapshot.value, (snapshot.context as { finalRun?: unknown }).finalRun !== undefined]))
    .filter((path) => ['done', 'failed', 'aborted'].includes(stateName(path.value)))
    .map((path) => {
      const steps = path.events.filter((step) => step.type !== 'source.connected').map((step) => STREAM_EVENTS[step.type]!);
      const state = stateName(path.value);
      const last = path.events.at(-1)!.type;
      const error: Record<string, string> = {
        error: 'api-error',
        'source.error': 'json',
        'source.timeout': 'idle-timeout',
        'handler.exception': 'handler',
        abort: 'aborted',
        'source.end': 'no-final-run',
      };
      return {
        chart: 'assistantStream' as const,
        description: path.states.join(' → '),
        steps,
        state,
        outcome: state === 'done' ? { finalRunStatus: 'completed' as const } : { error: error[last] ?? 'unknown' },
      };
    });
}
