import type { AssistantStream } from '../stream/AssistantStream.ts';
import type { Message, RunStep } from '../wire/index.ts';
import type { RunTrace } from './runTrace.ts';

/** A child run actor of a stream, as much of it as this reads. */
interface RunChart {
  getSnapshot(): RunChartSnapshot;
  subscribe(observer: (snapshot: RunChartSnapshot) => void): unknown;
}
interface RunChartSnapshot {
  value: unknown;
  context: { run: Parameters<RunTrace['run']>[0] };
}

/**
 * Feeds `run` from a stream: the stream chart's and the run chart's transitions (their actors'
 * snapshots: the stream actor and its `run:<id>` children only take lifecycle events, never
 * deltas), the steps, messages and tool calls from the public callbacks, and the end with the
 * final run or the failure. With metrics on, the message and step actors' snapshots time the
 * output chunks (once per event they take, a batch of fragments being one).
 *
 * @example `followStream(client.beta.threads.runs.stream(threadId, { assistant_id }), runTrace);`
 */
export function followStream(stream: AssistantStream, run: RunTrace): void {
  if (stream.ended) {
    run.end({ run: stream.currentRun(), response: stream.currentResponse(), error: stream.snapshot().error });
    return;
  }
  let failure: unknown;
  let streamState: string | undefined;
  const runCharts = new Set<unknown>();
  const outputCharts = new Set<unknown>();
  const timesChunks = run.timesChunks;
  const onSnapshot = (snapshot: ReturnType<AssistantStream['actor']['getSnapshot']>) => {
    const state = stateName(snapshot.value);
    if (state !== streamState) {
      streamState = state;
      run.transition('assistantStream', state);
    }
    for (const runChart of snapshot.context.runs.values()) {
      if (runCharts.has(runChart)) continue;
      runCharts.add(runChart);
      followRunChart(stream, runChart as unknown as RunChart, run);
    }
    if (!timesChunks) return;
    for (const message of snapshot.context.messages.values()) {
      if (outputCharts.has(message)) continue;
      outputCharts.add(message);
      followOutput(message as unknown as OutputChart, (context) => messageSize((context as { message: Message }).message), run);
    }
    for (const step of snapshot.context.runSteps.values()) {
      if (outputCharts.has(step)) continue;
      outputCharts.add(step);
      followOutput(step as unknown as OutputChart, (context) => stepSize((context as { step: RunStep }).step), run);
    }
  };
  onSnapshot(stream.actor.getSnapshot());
  const subscription = stream.actor.subscribe(onSnapshot);
  stream
    .on('runStepCreated', (step) => run.stepCreated(step))
    .on('runStepDone', (step) => run.stepDone(step))
    .on('messageCreated', (message) => run.message(message, 'created'))
    .on('messageDone', (message) => run.message(message, message.status))
    .on('toolCallCreated', (toolCall) => run.toolCall(stream.currentRunStepSnapshot()?.id, toolCall, 'created'))
    .on('toolCallDone', (toolCall) => run.toolCall(stream.currentRunStepSnapshot()?.id, toolCall, 'done'))
    .on('error', (error) => (failure = error))
    .on('abort', (error) => (failure = error))
    .on('end', () => {
      // The stream chart is still entering its final state as `end` runs: named from the outcome.
      subscription.unsubscribe();
      const final = failure === undefined ? 'done' : (failure as { kind?: unknown }).kind === 'aborted' ? 'aborted' : 'failed';
      if (final !== streamState) run.transition('assistantStream', final);
      run.end({ run: stream.currentRun(), response: stream.currentResponse(), error: failure });
    });
}

/** A message or run step actor of a stream, as much of it as this reads. */
interface OutputChart {
  getSnapshot(): { context: unknown };
  subscribe(observer: (snapshot: { context: unknown }) => void): unknown;
}

// A message or step actor takes each delta (a batch of text fragments, a tool call's delta):
// when what it holds grew, output arrived. Its snapshots come once per event it takes, so a
// batch of 64 text fragments is one look here, not 64.
function followOutput(chart: OutputChart, size: (context: unknown) => number, run: RunTrace): void {
  let seen = size(chart.getSnapshot().context);
  chart.subscribe((snapshot) => {
    const now = size(snapshot.context);
    if (now === seen) return;
    seen = now;
    run.chunk();
  });
}

function messageSize(message: Message): number {
  let size = 0;
  for (const block of message.content) {
    if (block.type === 'text') size += block.text.value.length + block.text.annotations.length;
    else size += 1;
  }
  return size;
}

function stepSize(step: RunStep): number {
  if (step.step_details.type !== 'tool_calls') return 0;
  let size = 0;
  for (const call of step.step_details.tool_calls) {
    if (call.type === 'function') size += call.function.arguments.length + (call.function.output?.length ?? 0);
    else if (call.type === 'code_interpreter') size += call.code_interpreter.input.length + call.code_interpreter.outputs.length;
    else size += 1;
  }
  return size;
}

// The run chart's states are the run's statuses: each one it enters is a transition of the run.
function followRunChart(stream: AssistantStream, chart: RunChart, run: RunTrace): void {
  let state: unknown;
  const report = (snapshot: RunChartSnapshot) => {
    if (snapshot.value === state) return;
    state = snapshot.value;
    const response = stream.currentResponse();
    if (response !== undefined) run.response(response);
    run.run(snapshot.context.run, String(snapshot.value));
  };
  report(chart.getSnapshot());
  chart.subscribe(report);
}

/** The top state of a snapshot value (`streaming` for `{ streaming: … }`). */
function stateName(value: unknown): string {
  return typeof value === 'string' ? value : (Object.keys(value as object)[0] ?? '');
}
