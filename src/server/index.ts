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
import { checkApiKey } from './auth.ts';
import type { RunObserver } from './executor/environment.ts';
import { Operations } from './operations/index.ts';
import { KeyLimiter, type Limits } from './operations/limits.ts';
import { ServerLog, type LogSink } from './operations/log.ts';
import { createMetrics, type MetricsOptions } from './operations/metrics.ts';
import { KeyRing, type TenantKey } from './tenants/keys.ts';
import { createEmbedder, type EmbeddingsOptions } from './semantic/embeddings.ts';
import type { UpstreamOptions } from './model/upstream.ts';
import { DEFAULT_TENANT, RequestScope } from './tenants/scope.ts';
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
import type { ServerTelemetry } from './otel/hooks.ts';
import { DEFAULT_CONNECTION_LIMITS } from './websocket/connection.ts';
import { acceptResponsesWebSockets } from './websocket/upgrade.ts';

export type { Pace } from './executor/environment.ts';
export type { RateLimitOptions } from './app.ts';
export type { Model, ModelFile, ModelCitation, ModelRequest, ModelStep, ModelToolCall, ModelAnswerEnding, ModelTextStream, ModelErrorCode } from './model/model.ts';
export { ModelError } from './model/model.ts';
export { createLiveModel, MODEL_PROTOCOLS, type LiveModelOptions, type ModelProtocol } from './model/liveModel.ts';
export { createResponsesModel, type ResponsesModelOptions } from './model/responsesModel.ts';
export { createChatModel } from './model/chatModel.ts';
export type { UpstreamOptions } from './model/upstream.ts';
export { createEmbedder, type Embedder, type EmbeddingsOptions } from './semantic/embeddings.ts';
export { hybridSearch, RRF_K } from './semantic/hybrid.ts';
export { scriptedModel } from './model/scriptedModel.ts';
export type { IdempotencyOptions } from './idempotency.ts';
export { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, type CorsOrigins } from './cors.ts';
export { SCENARIOS, SLOW_DELTA_DELAY_MS, type Scenario } from './executor/scenario.ts';
export { RunTransitionError, ENDED_BY_SHUTDOWN } from './executor/runExecutor.ts';
export { KeyRing, KeysError, hashKey, parseKeysFile, readKeysFile, type IdentifiedKey, type KeyLimits, type TenantKey } from './tenants/keys.ts';
export { DEFAULT_TENANT } from './tenants/scope.ts';
export type { Limits } from './operations/limits.ts';
export type { LogSink } from './operations/log.ts';
export type { MetricsOptions } from './operations/metrics.ts';
export type { RunObserver } from './executor/environment.ts';
export { StorageError } from './storage/engine.ts';
export { importThreads, ImportError, type ImportSummary } from './storage/importThreads.ts';
export { ABANDONED_BY_OWNER, INTERRUPTED_BY_RESTART } from './executor/runExecutor.ts';
export { RunScriptError, validateRunScript, type RunScript, type ScriptedToolCall } from './executor/runScript.ts';
export { evaluateArithmetic, formatPythonNumber, EvaluationError, type PythonNumber } from './evaluate.ts';
export type { ServerTelemetry, RunTelemetry, UpstreamTelemetry, UpstreamCallTelemetry, RequestHandler } from './otel/hooks.ts';

/** Options of {@link createServer}; every one has a default. */
export interface ServerOptions {
  /** The port to listen on; default: a free one (read it from `url`). */
  port?: number;
  /** The address to listen on; default `127.0.0.1` (loopback only). */
  host?: string;
  /**
   * Require `Authorization: Bearer <apiKey>` on every request (401 `invalid_api_key` in the
   * API's envelope otherwise, compared in constant time); default: any key or none is accepted.
   * The key opens the tenant `default` (one more key of {@link keys}).
   */
  apiKey?: string;
  /**
   * Several API keys, each opening its tenant's namespace: a key sees and touches only its
   * tenant's assistants, threads, files, vector stores and responses; another tenant's id is a
   * 404 exactly like an unknown one. Each is `{ tenant, key }` (hashed at once, never kept) or
   * `{ tenant, sha256 }` (what a keys file lists), with an optional `name` for logs and metrics
   * and its own `limits`. {@link AssistantsServer.setKeys} replaces them while running.
   */
  keys?: readonly TenantKey[];
  /**
   * Limits every key gets unless its own entry says otherwise: `requestsPerMinute` and
   * `concurrentRuns` (runs and responses active at once), answered with 429, `retry-after` and
   * the API's envelope. Default: none.
   */
  limits?: Limits;
  /** Where JSON log lines go (one call per line): a line per request and per stream, errors, shutdown. Default: none. */
  log?: LogSink;
  /**
   * `GET /metrics` (Prometheus): on by default; `false` turns it off, `{ processMetrics: true }`
   * adds the process's CPU, memory and event loop metrics, `{ bearerToken }` makes it answer only
   * `Authorization: Bearer <token>` (a 401 otherwise).
   */
  metrics?: boolean | MetricsOptions;
  /** How long {@link AssistantsServer.drain} lets open streams finish before it ends the runs still going; default 10,000 ms. */
  drainTimeoutMs?: number;
  /**
   * Semantic file search: each file's chunks are embedded through an OpenAI-compatible
   * `POST /embeddings` with this `model` (`baseURL` and `apiKey` default to the live model's),
   * the vectors kept with the chunks, and a search ranks by words and meaning together
   * (reciprocal rank fusion, see docs/server.md). Default: none, file_search ranks by words (BM25).
   */
  embeddings?: Partial<EmbeddingsOptions> & { model: string };
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
   * How long (whole seconds) a run may wait in `requires_action` for its tool outputs before it
   * ends `expired` (its `expires_at`); default the API's 600. Short ones test clients' handling.
   */
  runExpirySeconds?: number;
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
   * How long a WebSocket connection to `/v1/responses` takes new responses: later ones are
   * refused with `websocket_connection_limit_reached` (open a new connection). Default 60
   * minutes, as on the API.
   */
  webSocketMaxAgeMs?: number;
  /**
   * With `databaseUrl`: how often (ms) this server checks that the servers executing the runs it
   * follows still run. The active runs of one that stopped are ended `failed` (`last_error`:
   * `ABANDONED_BY_OWNER`) by one of the servers still running. Default 5000.
   */
  ownerCheckIntervalMs?: number;
  /**
   * Trace what the server does (OpenTelemetry): a SERVER span per request continuing the
   * caller's `traceparent`, a span per run's execution with its steps and hosted tools, and a
   * span per call to a live model. Pass `createTelemetry().server` from `assistant-machines/otel`;
   * default: nothing is traced, and no OpenTelemetry package is needed.
   */
  telemetry?: ServerTelemetry;
}

/** A running server. */
export interface AssistantsServer {
  /** The base URL to give a client, ending in `/v1`: `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The URL of WebSocket mode (`ws://127.0.0.1:PORT/v1/responses`): `response.create` messages, the events back. */
  readonly responsesWebSocketURL: string;
  /** Ends every open stream, stops every run and timer, and frees the port. */
  close(): Promise<void>;
  /**
   * A graceful shutdown (what `serve` does on SIGTERM): stops accepting connections (`/readyz`
   * and new requests on open connections answer 503), lets open streams finish for up to
   * `drainTimeoutMs`, then ends the runs still going `failed` ({@link ENDED_BY_SHUTDOWN}: their
   * streams end with `thread.run.failed` or `response.failed`, then `[DONE]`), writes
   * everything, and closes.
   */
  drain(): Promise<void>;
  /**
   * Replaces the keys (a reloaded keys file): the next request is checked against the new ones,
   * so a removed key is refused from then on. Throws {@link KeysError} (keeping the old keys)
   * when one is malformed; a server started without keys cannot start requiring them.
   */
  setKeys(keys: readonly TenantKey[]): void;
}

const DEFAULT_PACE: Pace = { deltaDelayMs: 20, stepDelayMs: 50 };
const NO_PACE: Pace = { deltaDelayMs: 0, stepDelayMs: 0 };
const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_POLL_AFTER_MS = 250;
const CLOSE_GRACE_MS = 100;
const DEFAULT_EVENT_LOG_RETENTION_MS = 10 * 60 * 1000;
const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
// After a drain ends the runs still going, how long their streams get to write the ending.
const DRAIN_ENDING_GRACE_MS = 2_000;
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
  const keyRingOf = (keys: readonly TenantKey[]) =>
    KeyRing.from([...(options.apiKey === undefined ? [] : [{ tenant: DEFAULT_TENANT, name: 'api-key', key: options.apiKey }]), ...keys], 'options.keys');
  const keysRequired = options.apiKey !== undefined || options.keys !== undefined;
  let keyRing = keysRequired ? keyRingOf(options.keys ?? []) : undefined;
  const scope = new RequestScope();
  const log = options.log === undefined ? undefined : new ServerLog(options.log, scope);
  const metrics = options.metrics === false ? undefined : createMetrics(options.metrics === true || options.metrics === undefined ? {} : options.metrics);
  const limiter = options.limits === undefined && !(options.keys ?? []).some((key) => key.limits !== undefined) ? undefined : new KeyLimiter(options.limits ?? {}, scope);
  const observers = [metrics?.runObserver, limiter?.runObserver].filter((observer) => observer !== undefined);
  if (options.cors !== undefined) originPolicy(options.cors);
  if (options.webSocketMaxAgeMs !== undefined && !(options.webSocketMaxAgeMs >= 0)) {
    throw new TypeError(`options.webSocketMaxAgeMs must be a number of milliseconds, 0 or more (got ${String(options.webSocketMaxAgeMs)})`);
  }
  if (options.runExpirySeconds !== undefined && !(Number.isInteger(options.runExpirySeconds) && options.runExpirySeconds > 0)) {
    throw new TypeError(`options.runExpirySeconds must be a positive whole number of seconds, got ${String(options.runExpirySeconds)}`);
  }
  const runScripts = [...(options.runScripts ?? [])];
  for (const [index, script] of runScripts.entries()) validateRunScript(script, `runScripts[${index}]`);
  // A live model sets its own pace: the server adds no pauses of its own.
  const live = options.model !== undefined && !isModel(options.model);
  const pace: Pace = { ...(live ? NO_PACE : DEFAULT_PACE), ...options.pace };
  const onInternalError =
    options.onInternalError ?? (log === undefined ? (error: unknown) => console.error('assistant-machines server:', error) : (error: unknown) => log.error('internal error', error));
  const store = new Store<RunExecutor>(scope);
  const onAnswer: UpstreamOptions['onAnswer'] = metrics === undefined ? undefined : (path, status, ms) => metrics.upstream(upstreamOperation(path), status, ms / 1000);
  const embedder = embedderOf(options, onAnswer);
  const indexer = new FileIndexer(store, pace.stepDelayMs, embedder, (error) =>
    log === undefined ? onInternalError(error) : log.warn('query not embedded: ranked by words alone', { error_message: error instanceof Error ? error.message : String(error) }),
  );
  const context: ServerContext = {
    store,
    responses: new Collection('response', scope),
    unstored: new Set(),
    conversations: new Collection('conversation', scope),
    indexer,
    pollAfterMs: options.pollAfterMs ?? DEFAULT_POLL_AFTER_MS,
    runExpirySeconds: options.runExpirySeconds,
    runScripts,
    environment: {
      model: options.model === undefined ? scriptedModel : isModel(options.model) ? options.model : createLiveModel({ onAnswer, ...options.model, telemetry: options.model.telemetry ?? options.telemetry?.upstream }),
      pace,
      searchVectorStores: (ids, query, searchOptions) => indexer.search(ids, query, searchOptions),
      onInternalError,
      eventLogRetentionMs: options.eventLogRetentionMs ?? DEFAULT_EVENT_LOG_RETENTION_MS,
      runObserver: observers.length === 0 ? undefined : fanOut(observers),
      readFile: (fileId) => {
        const file = store.files.get(fileId);
        return file === undefined ? undefined : { filename: file.file.filename, bytes: file.content };
      },
      telemetry: options.telemetry,
    },
  };
  const storage = await openStorage(
    { dataDir: options.dataDir, databaseUrl: options.databaseUrl, ownerCheckIntervalMs: options.ownerCheckIntervalMs },
    store,
    context.environment,
    indexer,
    context,
  );
  // Servers sharing a database (PostgreSQL) count each key's requests per minute there, once.
  const shared = storage?.engine.shared;
  if (shared !== undefined) limiter?.useSharedBuckets((key, perMinute) => shared.takeRequestToken(key, perMinute));
  const idempotencyOptions = { ...DEFAULT_IDEMPOTENCY, ...options.idempotency };
  const app = createApp(context, {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    idempotency: idempotencyOptions,
    durableKeys: storage?.keys(idempotencyOptions.maxKeys, (reference) => openStreamReference(context, reference)),
    rateLimit: options.rateLimit,
    onInternalError,
    cors: options.cors,
    keys: keyRing === undefined ? undefined : () => keyRing!,
    scope,
    limits: limiter?.middleware((limit) => metrics?.rateLimited(limit)),
  });
  const operations = new Operations({
    scope,
    keysRequired: () => keysRequired,
    metrics,
    log,
    readiness: { ping: storage === undefined ? undefined : () => storage.ping(), model: describeModel(options.model), embeddings: embedder === undefined ? 'none' : `embeddings ${embedder.model}` },
  });
  const fetch = operations.fetch(storage === undefined ? app.fetch : durableFetch(app.fetch, storage, onInternalError));
  const host = options.host ?? '127.0.0.1';

  const { server: listening, port } = await new Promise<{ server: Server; port: number }>((resolve, reject) => {
    // Our own process's globals stay as they are: the server must not swap the Request and
    // Response classes of the application embedding it.
    // Telemetry outermost: the request's span covers the whole answer, its id included, and sees the node response's end.
    const started = createAdaptorServer({ fetch: options.telemetry?.traceRequests(fetch) ?? fetch, overrideGlobalObjects: false }) as Server;
    operations.track(started);
    started.once('error', reject);
    started.listen({ port: options.port ?? 0, host, backlog: options.listenBacklog ?? DEFAULT_LISTEN_BACKLOG }, () =>
      resolve({ server: started, port: (started.address() as AddressInfo).port }),
    );
  });

  const webSocket = acceptResponsesWebSockets(listening, context, {
    limits: { ...DEFAULT_CONNECTION_LIMITS, ...(options.webSocketMaxAgeMs === undefined ? {} : { maxAgeMs: options.webSocketMaxAgeMs }) },
    keys: () => keyRing,
    scope,
    keyLimiter: limiter,
    draining: () => operations.draining,
    maxPayload: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    onInternalError,
    storage,
  });
  log?.info('server started', { port, host, storage: options.databaseUrl !== undefined ? 'postgres' : options.dataDir !== undefined ? 'sqlite' : 'memory', tenants: keyRing?.tenants.length ?? 0 });
  let closing: Promise<void> | undefined;
  let draining: Promise<void> | undefined;
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const server: AssistantsServer = {
    url: `http://${authority}/v1`,
    responsesWebSocketURL: `ws://${authority}/v1/responses`,
    port,
    setKeys(keys) {
      if (keyRing === undefined) throw new TypeError('This server was started without keys (open to any key); start it with keys or apiKey to require them.');
      keyRing = keyRingOf(keys);
      log?.info('keys replaced', { keys: keyRing.size, tenants: keyRing.tenants.length });
    },
    drain() {
      draining ??= (async () => {
        operations.startDraining();
        listening.close();
        listening.closeIdleConnections();
        log?.info('draining', { open_requests: operations.inFlight, timeout_ms: drainTimeoutMs });
        const idle = await operations.whenIdle(drainTimeoutMs);
        // What the bound did not see finish ends `failed`, its streams with the run's ending; a
        // run waiting for tool outputs too, so storage holds no run that will never move on.
        const ended = endRunsForShutdown(store);
        if (!idle || ended > 0) await operations.whenIdle(DRAIN_ENDING_GRACE_MS);
        log?.info('drained', { runs_ended: ended, open_requests: operations.inFlight });
        await server.close();
      })();
      return draining;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        // Ending the runs ends their streams gracefully; connections that are still busy a
        // moment later (a client that never reads) are cut.
        storage?.stopChecks();
        webSocket.close();
        for (const thread of store.threads.values()) for (const run of thread.runs.values()) run.dispose();
        for (const record of context.unstored) record.executor.dispose();
        indexer.dispose();
        const cut = setTimeout(() => listening.closeAllConnections(), CLOSE_GRACE_MS);
        const closed = (error?: Error) => {
          clearTimeout(cut);
          const stored = storage === undefined ? Promise.resolve() : storage.close();
          stored.then(() => (error === undefined || isNotRunning(error) ? resolve() : reject(error)), reject);
        };
        listening.close(closed);
        listening.closeIdleConnections();
      });
      return closing;
    },
  };
  return server;
}

// A drain already stopped listening: closing again is not an error.
function isNotRunning(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_SERVER_NOT_RUNNING';
}

/** Ends every active run this server executes (a drain's bound passed); how many it ended. */
function endRunsForShutdown(store: Store<RunExecutor>): number {
  let ended = 0;
  for (const thread of store.threads.values()) {
    for (const run of thread.runs.values()) {
      if (!run.isActive || run.isFollowed) continue;
      run.endForShutdown();
      ended += 1;
    }
  }
  return ended;
}

function fanOut(observers: readonly RunObserver[]): RunObserver {
  return {
    status: (run, event) => {
      for (const observer of observers) observer.status(run, event);
    },
    firstOutput: (run) => {
      for (const observer of observers) observer.firstOutput(run);
    },
    usage: (usage) => {
      for (const observer of observers) observer.usage(usage);
    },
  };
}

// The embedder the options ask for: its API defaults to the live model's.
function embedderOf(options: ServerOptions, onAnswer: UpstreamOptions['onAnswer']) {
  if (options.embeddings === undefined) return undefined;
  const live = options.model !== undefined && !isModel(options.model) ? options.model : undefined;
  const baseURL = options.embeddings.baseURL ?? live?.baseURL;
  if (baseURL === undefined) throw new TypeError('options.embeddings needs a baseURL (or a live model, whose API it then uses)');
  return createEmbedder({ onAnswer, ...options.embeddings, baseURL, apiKey: options.embeddings.apiKey ?? live?.apiKey });
}

// The metrics' name for a request to the model API, by its path.
function upstreamOperation(path: string): string {
  return path.replace(/^\//, '').replace(/\//g, '_') || 'root';
}

function describeModel(model: ServerOptions['model']): string {
  if (model === undefined) return 'scripted';
  if (isModel(model)) return model === scriptedModel ? 'scripted' : 'custom';
  try {
    const url = new URL(model.baseURL);
    return `live ${url.origin}${url.pathname}`;
  } catch {
    return 'live';
  }
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
