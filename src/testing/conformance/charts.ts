import { AssistantStream } from '../../stream/AssistantStream.ts';
import type { AssistantStreamError, Message, ResponseObject, Run, RunStep } from '../../wire/index.ts';
import { type CheckContext, CheckFailure } from './http.ts';
import { createTransitionRecorder } from './transitions.ts';

/** A stream as our charts read it: the final run, its messages and steps, the event names. */
export interface ChartReading {
  run: Run;
  messages: Message[];
  steps: RunStep[];
  /** The events as the charts received them (a Responses stream's, translated). */
  events: string[];
  /** The final response of a Responses stream. */
  response?: ResponseObject | undefined;
}

/** Options of {@link readThroughCharts}. */
export interface ChartReadingOptions {
  protocol: 'assistants' | 'responses';
  /** The run a Responses continuation belongs to (its chain's first response id). */
  runId?: string | undefined;
}

/**
 * Replays a whole event stream (SSE text) through `AssistantStream` in **strict** mode, recording
 * the chart transitions it takes in the check's context. A stream only the tolerant charts accept
 * passes with a warning naming the skipped status; one neither accepts fails the check with the
 * charts' error (what, and at which event).
 *
 * @example `const { run, messages } = await readThroughCharts(ctx, sse, { protocol: 'assistants' });`
 */
export async function readThroughCharts(ctx: CheckContext, sse: string, options: ChartReadingOptions): Promise<ChartReading> {
  const strict = await read(sse, 'strict', options);
  if (strict.error === undefined) return keep(ctx, strict);
  if (strict.error.kind === 'lifecycle') {
    const tolerant = await read(sse, 'tolerant', options);
    if (tolerant.error === undefined) {
      ctx.warn(`skips a status the charts draw (strict: ${strict.error.message}, at ${strict.error.eventName} #${strict.error.eventIndex})`);
      return keep(ctx, tolerant);
    }
  }
  for (const name of strict.transitions) ctx.transitions.add(name);
  throw new CheckFailure(`the event stream is invalid: ${strict.error.message}${strict.error.eventName === undefined ? '' : ` (${strict.error.eventName}, event #${strict.error.eventIndex})`}`);
}

interface Attempt {
  result?: ChartReading;
  error?: AssistantStreamError;
  transitions: string[];
}

function keep(ctx: CheckContext, attempt: Attempt): ChartReading {
  for (const name of attempt.transitions) ctx.transitions.add(name);
  return attempt.result!;
}

async function read(sse: string, lifecycle: 'strict' | 'tolerant', options: ChartReadingOptions): Promise<Attempt> {
  const recorder = createTransitionRecorder();
  const stream = AssistantStream.fromSSE(
    (async function* () {
      yield sse;
    })(),
    { lifecycle, protocol: options.protocol, inspect: recorder.inspect, ...(options.runId === undefined ? {} : { runId: options.runId }) },
  );
  const events: string[] = [];
  stream.on('event', (event) => events.push(event.event));
  try {
    const run = await stream.finalRun();
    const response = options.protocol === 'responses' ? await stream.finalResponse() : undefined;
    return { result: { run, messages: await stream.finalMessages(), steps: await stream.finalRunSteps(), events, response }, transitions: recorder.names() };
  } catch (error) {
    return { error: error as AssistantStreamError, transitions: recorder.names() };
  }
}
