/**
 * An Assistants v2 compatible server, embedded: the official `openai` package (or our own
 * client), pointed at its URL, works for every Assistants call it makes — with no network and
 * no API key. Runs are executed by the `run` statechart, with a deterministic scripted model
 * by default. Node only.
 *
 * @packageDocumentation
 */
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type RateLimitOptions } from './app.ts';
import { withRequestIds } from './operations/requestIds.ts';
import { checkApiKey } from './auth.ts';
import { originPolicy, type CorsOrigins } from './cors.ts';
import { DEFAULT_IDEMPOTENCY, type IdempotencyOptions } from './idempotency.ts';
import type { ServerContext } from './context.ts';
import type { Pace } from './executor/environment.ts';
import type { RunExecutor } from './executor/runExecutor.ts';
import { FileIndexer } from './indexing.ts';
import type { Model } from './model/model.ts';
import { scriptedModel } from './model/scriptedModel.ts';
import { validateRunScript, type RunScript } from './executor/runScript.ts';
import { createLiveModel, isModel, type LiveModelOptions } from './model/liveModel.ts';
import { openStorage, type DurableStorage } from './storage/open.ts';
import { openStreamReference } from './storage/keys.ts';
import { Collection, Store } from './store.ts';

export type { Pace } from './executor/environment.ts';
export type { RateLimitOptions } from './app.ts';
export type { Model, ModelCitation, ModelRequest, ModelStep, ModelToolCall, ModelAnswerEnding, ModelTextStream, ModelErrorCode } from './model/model.ts';
export { ModelError } from './model/model.ts';
export { createLiveModel, MODEL_PROTOCOLS, type LiveModelOptions, type ModelProtocol } from './model/liveModel.ts';
export { createResponsesModel, type ResponsesModelOptions } from './model/responsesModel.ts';
export { createChatModel } from './model/chatModel.ts';
export type { UpstreamOptions } from './model/upstream.ts';
export { scriptedModel } from './model/scriptedModel.ts';
export type { IdempotencyOptions } from './idempotency.ts';
export { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, type CorsOrigins } from './cors.ts';
export { SCENARIOS, SLOW_DELTA_DELAY_MS, type Scenario } from './executor/scenario.ts';
export { RunTransitionError } from './executor/runExecutor.ts';
export { StorageError } from './storage/engine.ts';
export { importThreads, ImportError, type ImportSummary } from './storage/importThreads.ts';
export { ABANDONED_BY_OWNER, INTERRUPTED_BY_RESTART } from './executor/runExecutor.ts';
export { RunScriptError, validateRunScript, type RunScript, type ScriptedToolCall } from './executor/runScript.ts';
export { evaluateArithmetic, formatPythonNumber, EvaluationError, type PythonNumber } from './evaluate.ts';

/** Options of {@link createServer}; every one has a default. */
export interface ServerOptions {
  /** The port to listen on; default: a free one (read it from `url`). */
  port?: number;
  /** The address to listen on; default `127.0.0.1` (loopback only). */
  host?: string;
  /**
   * Require `Authorization: Bearer <apiKey>` on every request (401 `invalid_api_key` in the
   * API's envelope otherwise, compared in constant time); default: any key or none is accepted.
   */
  apiKey?: string;
  /**
   * Let web pages on these origins call the server (CORS: preflights, the clients' headers,
   * SSE included): origins like `'http://localhost:5173'`, `'*'` for any, or a function that
   * decides per origin. Default: off, so browsers refuse cross-origin calls.
   */
  cors?: CorsOrigins;
  /**
   * What decides each run's steps: a {@link Model}, or a live model API to put behind the
   * server (`{ baseURL, apiKey, protocol: 'responses' | 'chat' }`, see {@link createLiveModel}).
   * Default {@link scriptedModel}.
   */
  model?: Model | LiveModelOptions;
  /**
   * How fast runs and file processing go: `deltaDelayMs` before each text or argument delta,
   * `stepDelayMs` before each step, status change, tool result or processed file. Default
   * `{ deltaDelayMs: 20, stepDelayMs: 50 }` (a visible pace for demos), none with a live
   * model's options (it sets its own); tests use 0.
   */
  pace?: Partial<Pace>;
  /** Bodies larger than this are refused with 413; default 32 MiB. */
  maxBodyBytes?: number;
  /** How many `Idempotency-Key`s are remembered (default 10,000) and for how long (default 24 h). */
  idempotency?: Partial<IdempotencyOptions>;
  /** How long a finished run keeps every event for re-attaching streams, then only its last; default 10 minutes. */
  eventLogRetentionMs?: number;
  /** The listen backlog: connections the kernel queues before the server accepts them; default 16,384 (capped by the system's somaxconn). */
  listenBacklog?: number;
  /** Answer every `every`-th request with 429 and `Retry-After` (for clients' retry tests); default off. */
  rateLimit?: RateLimitOptions;
  /**
   * Lifecycles for the next runs to follow instead of the model's, one per run created
   * (`POST /threads/{id}/runs`, `POST /threads/runs`), in order; later runs go back to the
   * model. Each is checked against the strict run chart here ({@link RunScriptError}).
   * `forEachRunPath` from `assistant-machines/testing` builds them from the run chart.
   */
  runScripts?: readonly RunScript[];
  /** The `openai-poll-after-ms` header on runs, vector store files and batches; default 250. */
  pollAfterMs?: number;
  /**
   * Called with every server bug (a status change the run statechart refuses, a throw in a
   * route or the executor); the request gets a 500 or the run fails. Default: `console.error`.
   */
  onInternalError?: (error: unknown) => void;
  /**
   * Keep state in SQLite in this directory (created if missing): assistants, threads,
   * messages, runs with their event logs, files and vector stores survive a restart. Default:
   * in memory only.
   */
  dataDir?: string;
  /** Keep state in PostgreSQL at this `postgres://` URL (several servers may share it); not with `dataDir`. */
  databaseUrl?: string;
  /**
   * With `databaseUrl`: how often (ms) this server checks that the servers executing the runs it
   * follows still run. The active runs of one that stopped are ended `failed` (`last_error`:
   * `ABANDONED_BY_OWNER`) by one of the servers still running. Default 5000.
   */
  ownerCheckIntervalMs?: number;
}

/** A running server. */
export interface AssistantsServer {
  /** The base URL to give a client, ending in `/v1`: `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Ends every open stream, stops every run and timer, and frees the port. */
  close(): Promise<void>;
}

const DEFAULT_PACE: Pace = { deltaDelayMs: 20, stepDelayMs: 50 };
const NO_PACE: Pace = { deltaDelayMs: 0, stepDelayMs: 0 };
const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_POLL_AFTER_MS = 250;
const CLOSE_GRACE_MS = 100;
const DEFAULT_EVENT_LOG_RETENTION_MS = 10 * 60 * 1000;
// Node's default backlog (511) reset connections past about 2,000 simultaneous connects.
const DEFAULT_LISTEN_BACKLOG = 16_384;

/**
 * Starts an Assistants-compatible server on the loopback interface.
 *
 * @example
 * ```ts
 * import OpenAI from 'openai';
 * import { createServer } from 'assistant-machines/server';
 *
 * const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
 * const openai = new OpenAI({ baseURL: server.url, apiKey: 'unused' });
 * const assistant = await openai.beta.assistants.create({ model: 'scripted' });
 * const run = await openai.beta.threads.createAndRunPoll({
 *   assistant_id: assistant.id,
 *   thread: { messages: [{ role: 'user', content: 'Hello!' }] },
 * });
 * console.log(run.status); // 'completed'
 * await server.close();
 * ```
 */
export async function createServer(options: ServerOptions = {}): Promise<AssistantsServer> {
  // Bad options fail here, before anything listens, with a message that never shows the key.
  if (options.apiKey !== undefined) checkApiKey(options.apiKey);
  if (options.cors !== undefined) originPolicy(options.cors);
  const runScripts = [...(options.runScripts ?? [])];
  for (const [index, script] of runScripts.entries()) validateRunScript(script, `runScripts[${index}]`);
  // A live model sets its own pace: the server adds no pauses of its own.
  const live = options.model !== undefined && !isModel(options.model);
  const pace: Pace = { ...(live ? NO_PACE : DEFAULT_PACE), ...options.pace };
  const onInternalError = options.onInternalError ?? ((error: unknown) => console.error('assistant-machines server:', error));
  const store = new Store<RunExecutor>();
  const indexer = new FileIndexer(store, pace.stepDelayMs);
  const context: ServerContext = {
    store,
    responses: new Collection('response'),
    unstored: new Set(),
    conversations: new Collection('conversation'),
    indexer,
    pollAfterMs: options.pollAfterMs ?? DEFAULT_POLL_AFTER_MS,
    runScripts,
    environment: {
      model: options.model === undefined ? scriptedModel : isModel(options.model) ? options.model : createLiveModel(options.model),
      pace,
      searchVectorStores: (ids, query, searchOptions) => indexer.search(ids, query, searchOptions),
      onInternalError,
      eventLogRetentionMs: options.eventLogRetentionMs ?? DEFAULT_EVENT_LOG_RETENTION_MS,
    },
  };
  const storage = await openStorage(
    { dataDir: options.dataDir, databaseUrl: options.databaseUrl, ownerCheckIntervalMs: options.ownerCheckIntervalMs },
    store,
    context.environment,
    indexer,
    context,
  );
  const idempotencyOptions = { ...DEFAULT_IDEMPOTENCY, ...options.idempotency };
  const app = createApp(context, {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    idempotency: idempotencyOptions,
    durableKeys: storage?.keys(idempotencyOptions.maxKeys, (reference) => openStreamReference(context, reference)),
    rateLimit: options.rateLimit,
    onInternalError,
    cors: options.cors,
    apiKey: options.apiKey,
  });
  const host = options.host ?? '127.0.0.1';

  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    // Our own process's globals stay as they are: the server must not swap the Request and
    // Response classes of the application embedding it.
    const answer = storage === undefined ? app.fetch : durableFetch(app.fetch, storage, onInternalError);
    const started = createAdaptorServer({ fetch: withRequestIds(answer), overrideGlobalObjects: false }) as Server;
    started.once('error', reject);
    started.listen({ port: options.port ?? 0, host, backlog: options.listenBacklog ?? DEFAULT_LISTEN_BACKLOG }, () =>
      resolve({ server: started, port: (started.address() as AddressInfo).port }),
    );
  });

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        // Ending the runs ends their streams gracefully; connections that are still busy a
        // moment later (a client that never reads) are cut.
        storage?.stopChecks();
        for (const thread of store.threads.values()) for (const run of thread.runs.values()) run.dispose();
        for (const record of context.unstored) record.executor.dispose();
        indexer.dispose();
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close((error) => {
          clearTimeout(cut);
          const closed = storage === undefined ? Promise.resolve() : storage.close();
          closed.then(() => (error === undefined ? resolve() : reject(error)), reject);
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/**
 * The app's fetch on durable storage, answering a request that may have changed something (any method but GET
 * and HEAD) only once its changes are committed: what a client was told exists, survives.
 */
function durableFetch(fetch: (request: Request) => Response | Promise<Response>, storage: DurableStorage, onInternalError: (error: unknown) => void) {
  return async (request: Request): Promise<Response> => {
    // On a shared database, what another server committed before this request is seen by it.
    if (storage.synced !== undefined) await storage.synced();
    const response = await fetch(request);
    // Alone on its database, a server may answer a read from memory at once; sharing one, it
    // answers once what it shows is committed, so the next request to another server sees it.
    if ((request.method === 'GET' || request.method === 'HEAD') && storage.synced === undefined) return response;
    try {
      await storage.flushed();
    } catch (error) {
      onInternalError(error);
      void response.body?.cancel().catch(() => {});
      return Response.json(
        { error: { message: 'The server could not save this change.', type: 'server_error', param: null, code: null } },
        { status: 500 },
      );
    }
    return response;
  };
}
