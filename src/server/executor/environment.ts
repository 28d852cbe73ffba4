import type { Model } from '../model/model.ts';
import type { ServerTelemetry } from '../otel/hooks.ts';
import type { SearchHit } from '../search.ts';

/**
 * The pace of the work the server does in the background: the pause before each delta of text
 * or arguments, and before each step, status change or file processed. Zero still yields to
 * the event loop between two events.
 */
export interface Pace {
  deltaDelayMs: number;
  stepDelayMs: number;
}

/** What every run executor of a server shares. */
export interface ExecutorEnvironment {
  model: Model;
  pace: Pace;
  /** Ranks the chunks of the completed files of these vector stores against `query`. */
  searchVectorStores(vectorStoreIds: readonly string[], query: string, options: { maxResults: number; scoreThreshold: number }): SearchHit[];
  /** A server bug (a refused status change, a throw in the executor): the run fails, this reports it. */
  onInternalError(error: unknown): void;
  /** How long a terminal run keeps its whole event log for re-attaching streams; then only its last event. */
  eventLogRetentionMs: number;
  /** Where each run's execution is traced (`createServer({ telemetry })`); undefined: nowhere. */
  telemetry?: ServerTelemetry | undefined;
}
