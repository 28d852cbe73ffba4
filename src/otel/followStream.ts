import type { AssistantStream } from '../stream/AssistantStream.ts';
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
 * final run or the failure. Deltas are listened to only when metrics time output chunks.
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
      const final = failure === undefined ? 'done' : stream.aborted || (failure as { kind?: unknown }).kind === 'aborted' ? 'aborted' : 'failed';
      if (final !== streamState) run.transition('assistantStream', final);
      run.end({ run: stream.currentRun(), response: stream.currentResponse(), error: failure });
    });
  if (run.timesChunks) {
    const chunk = () => run.chunk();
    stream.on('messageDelta', chunk).on('runStepDelta', chunk);
  }
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
