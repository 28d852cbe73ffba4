/**
 * `assistant-machines/otel`: the statecharts' lifecycle as OpenTelemetry spans and metrics, per
 * the GenAI semantic conventions (v1.41) — for the client's streams, polls and assistantRun
 * actors, and the embedded server's requests, runs and model calls, joined in one trace by
 * `traceparent`. Needs `@opentelemetry/api` (an optional peer dependency); bring your own SDK
 * and exporter. See docs/otel.md.
 *
 * @packageDocumentation
 */
export {
  createTelemetry,
  INSTRUMENTATION_SCOPE,
  TelemetryTargetError,
  type AssistantTelemetry,
  type TelemetryOptions,
  type Traceable,
  type TraceStart,
} from './telemetry.ts';
export type { TraceDetails } from './runTrace.ts';
export { ATTR, GEN_AI_CONVENTIONS_VERSION, METRIC, VALUE } from './semconv.ts';
export { errorType, finishReason, runErrorType } from './outcome.ts';
export { routeOf } from '../server/otel/tracing.ts';
export type { ServerTelemetry } from '../server/otel/hooks.ts';
