import { context, metrics, propagation, trace, type Context, type MeterProvider, type TextMapSetter, type TracerProvider } from '@opentelemetry/api';
import type { PollActor } from '../client/poll.ts';
import { createServerTelemetry } from '../server/otel/tracing.ts';
import type { ServerTelemetry } from '../server/otel/hooks.ts';
import type { AssistantStream } from '../stream/AssistantStream.ts';
import type { RequiredActionFunctionToolCall, ResponseObject, Run } from '../wire/index.ts';
import type { AssistantRunActor } from '../workflow/createAssistantRun.ts';
import { DURABLE_RUN_TELEMETRY, type DurableRunTelemetry, type DurableRunTelemetrySource } from '../restate/telemetry.ts';
import { followAssistantRun } from './followAssistantRun.ts';
import { durableRunTelemetry } from './followDurableRun.ts';
import { followPolledRun, isResponse, POLLED_RUNS, tracePlainPoll } from './followPoll.ts';
import { followStream } from './followStream.ts';
import { createInstruments } from './instruments.ts';
import { endToolSpan, RunTrace, startToolSpan, type RunTraceSetup, type TraceDetails } from './runTrace.ts';
import { ATTR, VALUE } from './semconv.ts';

/** The instrumentation scope of every span and metric. */
export const INSTRUMENTATION_SCOPE = 'assistant-machines';

/** Options of {@link createTelemetry}. */
export interface TelemetryOptions {
  /** Where spans go; default: the global tracer provider (none registered: nothing is recorded). */
  tracerProvider?: TracerProvider | undefined;
  /** Where metrics go; default: the global meter provider (none registered: nothing is recorded). */
  meterProvider?: MeterProvider | undefined;
  /**
   * Put content on spans: the output messages (`gen_ai.output.messages`), the instructions and
   * input messages given in {@link TraceDetails}, and each function call's arguments and result.
   * Default false: spans carry ids, names, statuses, token counts and timings, never text.
   */
  captureContent?: boolean | undefined;
  /** `gen_ai.provider.name`; default `openai` (the API's flavour, whatever serves it). */
  providerName?: string | undefined;
}

/** What {@link AssistantTelemetry.trace} follows: a stream, an assistantRun actor, a poll actor, or an `*AndPoll` promise. */
export type Traceable = AssistantStream | AssistantRunActor | PollActor | PromiseLike<Run | ResponseObject>;

/** What the function form of {@link AssistantTelemetry.trace} gets: the new span's context, and its `traceparent` headers. */
export interface TraceStart {
  /** The run's span as the active context: what `context.with` would make current. */
  context: Context;
  /**
   * `traceparent` (and `tracestate`) of the run's span, from the registered propagator: pass
   * them as a call's `headers` where no context manager carries the span to `telemetry.fetch()`.
   */
  headers: Record<string, string>;
}

/**
 * The OpenTelemetry bridge of {@link createTelemetry}. It is also what
 * `createAssistantThreadObject({ telemetry })` (`assistant-machines/restate`) takes to trace durable
 * runs: it carries their tracing under `DURABLE_RUN_TELEMETRY`.
 */
export interface AssistantTelemetry extends DurableRunTelemetrySource {
  /**
   * Traces one run — an {@link AssistantStream}, an assistantRun actor, a poll actor, or the
   * promise of a `*AndPoll` helper — and returns it. Given a function, starts the run's span
   * first and calls it with the span active, so the requests it makes carry the span's
   * `traceparent` (through {@link fetch}, or the `headers` it is given) and the server's spans
   * are its children.
   *
   * @example
   * ```ts
   * const stream = telemetry.trace(() => client.beta.threads.runs.stream(threadId, { assistant_id }), { agentName: 'Travel helper' });
   * const actor = telemetry.trace(() => createActor(createAssistantRun({ client, tools }), { input }).start());
   * ```
   */
  trace<T extends Traceable>(target: T | ((start: TraceStart) => T), details?: TraceDetails): T;
  /**
   * Runs a function tool in an `execute_tool {name}` span (a child of the active span): for
   * code that answers a run's tool calls itself. A throw marks the span and is rethrown.
   *
   * @example `const output = await telemetry.executeTool(call, () => getWeather(JSON.parse(call.function.arguments)));`
   */
  executeTool<T>(toolCall: RequiredActionFunctionToolCall, work: () => T | PromiseLike<T>): Promise<T>;
  /**
   * A `fetch` that sends the active trace context (`traceparent`) with every request, through
   * the registered propagator: give it to the client (`new AssistantsClient({ fetch })`).
   *
   * @example `const client = new AssistantsClient({ baseURL, apiKey, fetch: telemetry.fetch() });`
   */
  fetch(inner?: typeof fetch): typeof fetch;
  /** The embedded server's side: `createServer({ telemetry: telemetry.server })`. */
  readonly server: ServerTelemetry;
}

/** A target {@link AssistantTelemetry.trace} cannot follow. */
export class TelemetryTargetError extends TypeError {
  override readonly name = 'TelemetryTargetError';
  readonly kind = 'unsupported-target';
}

const HEADERS_SETTER: TextMapSetter<Headers> = { set: (headers, key, value) => headers.set(key, value) };

/**
 * The OpenTelemetry bridge: spans and metrics from the statecharts' lifecycle (GenAI semantic
 * conventions v1.41), for the client's runs and the embedded server's. With no provider given
 * or registered, it records nothing and costs next to nothing.
 *
 * @example
 * ```ts
 * import { createTelemetry } from 'assistant-machines/otel';
 * const telemetry = createTelemetry({ tracerProvider, meterProvider });
 * const server = await createServer({ telemetry: telemetry.server });
 * const client = new AssistantsClient({ baseURL: server.url, apiKey: 'local', fetch: telemetry.fetch() });
 * const run = await telemetry.trace(() => client.beta.threads.runs.stream(threadId, { assistant_id })).finalRun();
 * ```
 */
export function createTelemetry(options: TelemetryOptions = {}): AssistantTelemetry {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  const setup: RunTraceSetup = {
    tracer,
    instruments: createInstruments(meter),
    captureContent: options.captureContent === true,
    providerName: options.providerName ?? VALUE.openai,
  };
  return {
    trace: <T extends Traceable>(target: T | ((start: TraceStart) => T), details: TraceDetails = {}): T => {
      const parent = context.active();
      if (typeof target !== 'function') {
        if (isPollActor(target) && !POLLED_RUNS.has(target.getSnapshot().context.target.resource)) {
          tracePlainPoll(tracer, target, parent);
          return target;
        }
        // An assistantRun actor streams every run it makes (its create and its tool outputs).
        follow(target, new RunTrace(setup, details, parent, { streaming: isStream(target) || isAssistantRunActor(target) }));
        return target;
      }
      const run = new RunTrace(setup, details, parent, { streaming: false });
      const headers: Record<string, string> = {};
      propagation.inject(run.context, headers);
      let started: T;
      try {
        started = context.with(run.context, () => target({ context: run.context, headers }));
      } catch (error) {
        run.end({ error });
        throw error;
      }
      if (isPollActor(started) && !POLLED_RUNS.has(started.getSnapshot().context.target.resource)) {
        run.end({ error: new TelemetryTargetError('a poll of a vector store file or batch is not a run: trace the poll actor itself') });
        throw new TelemetryTargetError('trace(() => poll) takes polls of runs and responses; trace a poll of a vector store file or batch as trace(actor)');
      }
      if (isStream(started) || isAssistantRunActor(started)) run.span.setAttribute(ATTR.requestStream, true);
      follow(started, run);
      return started;
    },
    async executeTool<T>(toolCall: RequiredActionFunctionToolCall, work: () => T | PromiseLike<T>): Promise<T> {
      const parent = context.active();
      const span = startToolSpan(setup, toolCall, parent);
      try {
        const result = await context.with(trace.setSpan(parent, span), work);
        endToolSpan(setup, span, typeof result === 'string' ? result : (JSON.stringify(result) ?? ''));
        return result;
      } catch (error) {
        endToolSpan(setup, span, '', error);
        throw error;
      }
    },
    fetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
      return (input, init) => {
        const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
        propagation.inject(context.active(), headers, HEADERS_SETTER);
        return inner(input, { ...init, headers });
      };
    },
    server: createServerTelemetry(setup),
    [DURABLE_RUN_TELEMETRY]: durableRunTelemetry(setup) satisfies DurableRunTelemetry,
  };
}

function follow(target: Traceable, run: RunTrace): void {
  // Nothing records (no provider): the run's span is a no-op one, and nothing is listened to.
  if (!run.span.isRecording() && !run.timesChunks) return;
  if (isStream(target)) followStream(target, run);
  else if (isAssistantRunActor(target)) followAssistantRun(target, run);
  else if (isPollActor(target)) followPolledRun(target, run);
  else if (isPromiseLike(target)) {
    target.then(
      (object) => run.end(isResponse(object) ? { response: object } : { run: object }),
      (error: unknown) => run.end({ error }),
    );
  } else {
    run.end({ error: new TelemetryTargetError('not a traceable target') });
    throw new TelemetryTargetError('trace() takes an AssistantStream, an assistantRun actor, a poll actor or the promise of an *AndPoll helper');
  }
}

// Told apart by shape, not class: the CommonJS build of each entry point has its own copy of
// the classes, so `instanceof` would fail across entry points.
function isStream(target: unknown): target is AssistantStream {
  return typeof target === 'object' && target !== null && typeof (target as AssistantStream).currentRun === 'function' && typeof (target as AssistantStream).on === 'function';
}

function machineIdOf(target: unknown): string | undefined {
  const logic = typeof target === 'object' && target !== null ? (target as { logic?: { id?: unknown } }).logic : undefined;
  return typeof logic?.id === 'string' ? logic.id : undefined;
}

function isAssistantRunActor(target: unknown): target is AssistantRunActor {
  return machineIdOf(target) === 'assistantRun';
}

function isPollActor(target: unknown): target is PollActor {
  return machineIdOf(target) === 'poll';
}

function isPromiseLike(target: unknown): target is PromiseLike<Run | ResponseObject> {
  return typeof (target as PromiseLike<unknown> | undefined)?.then === 'function';
}
