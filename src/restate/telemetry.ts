// What the thread object and the OpenTelemetry bridge agree on to trace a durable run. Plain
// types and one registered symbol, nothing imported: the restate entry point never loads
// `@opentelemetry/api` (an optional peer dependency), and the otel entry point never loads
// Restate's SDK. `createTelemetry()`'s bridge carries the implementation under the symbol.
import type { AssistantStreamEvent, RequiredActionFunctionToolCall, Run, UnknownStreamEvent } from '../wire/index.ts';
import type { AssistantRunActor } from '../workflow/createAssistantRun.ts';

/**
 * The key under which a telemetry bridge offers durable-run tracing. `Symbol.for`, so the ESM and
 * CommonJS builds of each entry point (each with its own copy of this module) agree on it.
 */
export const DURABLE_RUN_TELEMETRY: unique symbol = Symbol.for('assistant-machines.durableRunTelemetry') as never;

/**
 * What `createAssistantThreadObject({ telemetry })` takes: the bridge `createTelemetry()` returns
 * (from `assistant-machines/otel`), or anything else offering {@link DurableRunTelemetry}.
 */
export interface DurableRunTelemetrySource {
  readonly [DURABLE_RUN_TELEMETRY]: DurableRunTelemetry;
}

/** Starts the trace of one attempt of a durable run: one execution of its `run` handler. */
export interface DurableRunTelemetry {
  startAttempt(attempt: DurableAttemptStart): DurableAttemptTrace;
}

/** What an attempt's trace starts from. */
export interface DurableAttemptStart {
  /** The invocation (the same on every attempt). */
  invocationId: string;
  /** The object's name and key (the thread, or the key of a conversation). */
  object: string;
  key: string;
  /** `gen_ai.agent.name`, when the object was given one. */
  agentName: string | undefined;
  /** `gen_ai.conversation.id`: the thread, or on the Responses API the key's conversation. */
  conversationId: string | undefined;
  /** The API's base URL (`server.address`, `server.port`). */
  baseURL: string | undefined;
  /** The headers the invocation was sent to Restate's ingress with (a caller's `traceparent`). */
  requestHeaders: ReadonlyMap<string, string>;
  /** The headers restate-server sent this attempt with (its own `traceparent`, when it traces). */
  attemptHeaders: ReadonlyMap<string, string | string[] | undefined>;
  /** Whether the handler is replaying its journal now (steps recorded by an earlier attempt). */
  replaying(): boolean;
}

/** How an attempt ended, as its handler saw it. */
export type DurableAttemptEnding =
  /** The handler returned the run's output. */
  | { outcome: 'returned'; run: Run }
  /** The run failed: the invocation ends with a terminal error. */
  | { outcome: 'failed'; error: unknown }
  /** The handler threw a retryable error: Restate runs another attempt. */
  | { outcome: 'retrying'; error: unknown }
  /** The attempt completed without the handler (Restate suspended or aborted it). */
  | { outcome: 'abandoned' };

/** A function tool's output, and what it threw when the output is the error string the model reads. */
export interface DurableToolResult {
  output: string;
  error?: unknown;
}

/** The trace of one attempt, fed by the handler and its durable actors. */
export interface DurableAttemptTrace {
  /** Follows the chart's actor: its transitions (marked when replayed) and the run's statuses. */
  follow(actor: AssistantRunActor): void;
  /** A stream event this attempt read from the server (live: never one replayed from the journal). */
  event(event: AssistantStreamEvent | UnknownStreamEvent): void;
  /** Runs a journaled step's work with the attempt's span active: the requests it makes carry its `traceparent`. */
  within<T>(work: () => T): T;
  /** Runs one function tool this attempt executes (not one whose result the journal replays) in its `execute_tool` span. */
  tool(toolCall: RequiredActionFunctionToolCall, work: () => Promise<DurableToolResult>): Promise<DurableToolResult>;
  /** Ends the attempt's span (once). */
  end(ending: DurableAttemptEnding): void;
}
