/**
 * `assistant-machines/restate`: the run actor on Restate. A virtual object per thread whose
 * exclusive `run` handler runs `createAssistantRun`'s chart with every request, tool call and wait
 * a journaled step (docs/restate.md). Needs `@restatedev/restate-sdk` (an optional peer dependency).
 */
export { createAssistantThreadObject, DEFAULT_THREAD_OBJECT_NAME, type AssistantThreadObject, type AssistantThreadObjectOptions } from './threadObject.ts';
export { toolOutputsSignal, type DurableRunCommand, type DurableRunInput, type DurableRunState } from './protocol.ts';
export { FAILURE_CODES, ReplayedStepError, type RecordedError } from './failures.ts';
export type { DurableRunEventListener } from './actors.ts';
export {
  DURABLE_RUN_TELEMETRY,
  type DurableAttemptEnding,
  type DurableAttemptStart,
  type DurableAttemptTrace,
  type DurableRunTelemetry,
  type DurableRunTelemetrySource,
  type DurableToolResult,
} from './telemetry.ts';
