// The server's telemetry seam: the shape of the hooks it calls, and nothing else. The server
// never imports OpenTelemetry: `assistant-machines/otel` implements these hooks (src/server/otel/
// tracing.ts, loaded only through that entry point), and a server given none calls nothing.
import type { Run, RunEventName, RunStep, RunStepEventName } from '../../wire/index.ts';

/** The app's request handler, as the node adapter calls it (`env` carries its `incoming`/`outgoing`). */
export type RequestHandler = (request: Request, env?: unknown) => Response | Promise<Response>;

/**
 * What the embedded server reports when `createServer({ telemetry })` is given one (from
 * `createTelemetry().server` in `assistant-machines/otel`).
 */
export interface ServerTelemetry {
  /** Wraps the request handler: each request in a span that continues the caller's trace (`traceparent`). */
  traceRequests(handler: RequestHandler): RequestHandler;
  /** The trace of one run's execution, from `queued` to its end; called as the run is created, inside its request. */
  traceRun(run: Run): RunTelemetry;
  /** What the live model's connection reports of each call to the model API. */
  readonly upstream: UpstreamTelemetry;
}

/** One run's execution, as the executor reports it: its status changes and steps (lifecycle events, never deltas). */
export interface RunTelemetry {
  /** Runs `work` (the run's execution) in the run's trace context: what it calls (the model) is its child. */
  within<T>(work: () => T): T;
  /** A status change of the run; a terminal one ends its span. */
  runEvent(type: RunEventName, run: Run): void;
  /** A step's creation or ending (never its deltas). */
  stepEvent(type: Exclude<RunStepEventName, 'thread.run.step.delta'>, step: RunStep): void;
  /** A hosted tool the server runs itself (code_interpreter, file_search): ended with `end`. */
  hostedTool(call: { id: string; type: 'code_interpreter' | 'file_search' }): { end(error?: unknown): void };
  /** The server stops before the run ended. */
  abandon(): void;
}

/** What the connection to a live model API reports. */
export interface UpstreamTelemetry {
  /** One call to the model API (`POST {baseURL}{path}` and its streamed answer). */
  call(request: { baseURL: string; path: string; body: unknown }): UpstreamCallTelemetry;
}

/** One call to a model API, from the request to the end of its answer. */
export interface UpstreamCallTelemetry {
  /** Headers the request carries (`traceparent`: the model API continues the trace). */
  headers(): Record<string, string>;
  /** An event of the streamed answer (its ids, model, usage and finish reason are read from the last ones). */
  event(event: { event: string | undefined; data: unknown }): void;
  /** The answer ended, or the call failed with `error`. */
  end(error?: unknown): void;
}

/** The hooks of a run nobody traces: each does nothing. */
export const UNTRACED_RUN: RunTelemetry = {
  within: (work) => work(),
  runEvent: () => {},
  stepEvent: () => {},
  hostedTool: () => ({ end: () => {} }),
  abandon: () => {},
};
