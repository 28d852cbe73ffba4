import { context, propagation, ROOT_CONTEXT, trace, type Attributes, type Context, type TextMapGetter } from '@opentelemetry/api';
import type { DurableAttemptEnding, DurableAttemptStart, DurableAttemptTrace, DurableRunTelemetry, DurableToolResult } from '../restate/telemetry.ts';
import type { AssistantStreamEvent, RequiredActionFunctionToolCall, Run, UnknownStreamEvent } from '../wire/index.ts';
import type { AssistantRunActor } from '../workflow/createAssistantRun.ts';
import { feedRunEvent, markRunStates } from './followAssistantRun.ts';
import { RunTrace, type RunTraceSetup } from './runTrace.ts';
import { ATTR } from './semconv.ts';

const REPLAYED: Attributes = { [ATTR.restateReplayed]: true };

const MAP_GETTER: TextMapGetter<ReadonlyMap<string, string | string[] | undefined>> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key) ?? carrier.get(key.toLowerCase()),
};

/**
 * Durable-run tracing on `setup`: what `createTelemetry()` offers the thread object of
 * `assistant-machines/restate` (under `DURABLE_RUN_TELEMETRY`). Each attempt of a run is an
 * `invoke_agent` span with the in-process run's attributes, spans for the work that attempt did
 * (its steps, the tools it executed), and the chart's transitions as events, marked when replayed.
 *
 * @example `const durable = durableRunTelemetry(setup); const attempt = durable.startAttempt({ invocationId, … });`
 */
export function durableRunTelemetry(setup: RunTraceSetup): DurableRunTelemetry {
  return { startAttempt: (attempt) => new DurableAttempt(setup, attempt) };
}

class DurableAttempt implements DurableAttemptTrace {
  readonly #run: RunTrace;
  readonly #live: boolean;
  #following = false;

  constructor(setup: RunTraceSetup, attempt: DurableAttemptStart) {
    const run = new RunTrace(setup, { agentName: attempt.agentName, conversationId: attempt.conversationId, baseURL: attempt.baseURL }, parentOf(attempt), { streaming: true }); // its runs are streamed
    run.span.setAttributes({ [ATTR.restateInvocationId]: attempt.invocationId, [ATTR.restateReplayed]: attempt.replaying() });
    run.transitionAttributes = () => (attempt.replaying() ? REPLAYED : undefined);
    this.#run = run;
    // Nothing records (no provider): nothing is listened to, as for an in-process run.
    this.#live = run.span.isRecording() || run.timesChunks;
  }

  follow(actor: AssistantRunActor): void {
    if (!this.#live || this.#following) return;
    this.#following = true;
    const run = this.#run;
    const { params } = actor.getSnapshot().context;
    run.input(params?.instructions, params?.additionalMessages as ReadonlyArray<{ role: string; content: unknown }> | null | undefined);
    // The statuses the chart takes (from a stream's first event, its recorded end, a retrieve):
    // replayed ones too, which the transitions mark.
    actor.on('assistantRun.status', ({ run: current }) => run.run(current));
    markRunStates(actor, run, {});
  }

  event(event: AssistantStreamEvent | UnknownStreamEvent): void {
    if (!this.#live) return;
    const name = event.event;
    // The run's statuses the stream carried between a step's start and its recorded end: live.
    if (name.startsWith('thread.run.') && !name.startsWith('thread.run.step.')) this.#run.run(event.data as Run);
    else feedRunEvent(this.#run, event);
  }

  within<T>(work: () => T): T {
    return context.with(this.#run.context, work);
  }

  async tool(toolCall: RequiredActionFunctionToolCall, work: () => Promise<DurableToolResult>): Promise<DurableToolResult> {
    const toolContext = this.#live ? this.#run.toolStarted(toolCall) : undefined;
    try {
      const result = await context.with(toolContext ?? this.#run.context, work);
      this.#run.toolEnded(toolCall, result.output, result.error);
      return result;
    } catch (error) {
      this.#run.toolEnded(toolCall, '', error);
      throw error;
    }
  }

  end(ending: DurableAttemptEnding): void {
    const run = this.#run;
    if (run.ended) return;
    run.span.setAttribute(ATTR.restateAttemptOutcome, ending.outcome);
    if (ending.outcome === 'returned') run.end({ run: ending.run });
    else if (ending.outcome === 'failed') run.end({ error: ending.error });
    // The run goes on in another attempt: its metrics are that attempt's to record.
    else if (ending.outcome === 'retrying') run.end({ error: ending.error, recordMetrics: false });
    else run.end({ recordMetrics: false });
  }
}

/**
 * The attempt's parent: the active span when one is (an HTTP instrumentation on the worker that
 * continued the request), else restate-server's own trace context for this attempt (sent when it
 * traces), else the `traceparent` the invocation reached the ingress with, else none.
 */
function parentOf(attempt: DurableAttemptStart): Context {
  const active = context.active();
  if (trace.getSpanContext(active) !== undefined) return active;
  for (const headers of [attempt.attemptHeaders, attempt.requestHeaders]) {
    const extracted = propagation.extract(ROOT_CONTEXT, headers, MAP_GETTER);
    if (trace.getSpanContext(extracted) !== undefined) return extracted;
  }
  return active;
}
