import type { Run, RunEventName, Usage } from '../../wire/index.ts';
import type { Model, ModelFile } from '../model/model.ts';
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
  searchVectorStores(vectorStoreIds: readonly string[], query: string, options: { maxResults: number; scoreThreshold: number }): SearchHit[] | Promise<SearchHit[]>;
  /** A server bug (a refused status change, a throw in the executor): the run fails, this reports it. */
  onInternalError(error: unknown): void;
  /** How long a terminal run keeps its whole event log for re-attaching streams; then only its last event. */
  eventLogRetentionMs: number;
  /** Reads an uploaded file (images, code interpreter files) for a model; within a request, only its tenant's. */
  readFile?: ((fileId: string) => ModelFile | undefined) | undefined;
  /** Hears the runs this server executes (metrics, per-key limits); none by default. */
  runObserver?: RunObserver | undefined;
  /** Where each run's execution is traced (`createServer({ telemetry })`); undefined: nowhere. */
  telemetry?: ServerTelemetry | undefined;
}

/**
 * What the server's operations hear of the runs it executes (not those it only follows):
 * each status change, the first output, the tokens a live model's backend counted. Called
 * synchronously from the executor, inside the request that started the run; must not throw.
 */
export interface RunObserver {
  /** The run changed status (`thread.run.created` first, a final status last). */
  status(run: Run, event: RunEventName): void;
  /** The run's first streamed output: a text delta or a tool call's first fragment. */
  firstOutput(run: Run): void;
  /** Tokens the model's backend reported for one step. */
  usage(usage: Usage): void;
}
