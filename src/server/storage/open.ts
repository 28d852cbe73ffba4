import type { ExecutorEnvironment } from '../executor/environment.ts';
import type { RunExecutor } from '../executor/runExecutor.ts';
import type { FileIndexer } from '../indexing.ts';
import type { DurableKeys } from '../idempotency.ts';
import type { ConversationRecord } from '../conversations/record.ts';
import type { ResponseRecord } from '../responses/record.ts';
import type { StreamReference } from '../streaming.ts';
import type { Collection, Store } from '../store.ts';
import { bindConversations, restoreConversations } from './durableConversations.ts';
import { bindResponses, restoreResponses } from './durableResponses.ts';
import { durableKeys } from './keys.ts';
import { bindStore, endAbandonedRuns, endInterruptedRuns, restoreStore, type StoreBinding } from './durable.ts';
import { StorageError, type StorageEngine } from './engine.ts';
import { PersistenceQueue } from './queue.ts';

/** Where a server keeps its state: nowhere (in memory), a SQLite data directory, or PostgreSQL. */
export interface StorageOptions {
  /** A directory for the SQLite database (created if missing). */
  dataDir?: string | undefined;
  /** A `postgres://` URL: several servers may share it. */
  databaseUrl?: string | undefined;
  /**
   * On a shared database: how often (ms) this server checks that the servers executing the runs
   * it follows still run; the runs of one that stopped are ended `failed` by one survivor.
   * Default {@link DEFAULT_OWNER_CHECK_INTERVAL_MS}.
   */
  ownerCheckIntervalMs?: number | undefined;
}

/** How often a server on a shared database checks that the owners of the runs it follows still run. */
export const DEFAULT_OWNER_CHECK_INTERVAL_MS = 5_000;

/** A server's durable storage, once its state is loaded. */
export interface DurableStorage {
  readonly engine: StorageEngine;
  /** Resolves when every change made so far is committed. */
  flushed(): Promise<void>;
  /** On a shared database: resolves once every change other servers committed so far is applied here. */
  synced: (() => Promise<void>) | undefined;
  /** Stops the background checks (call before disposing the runs: nothing ends one after this). */
  stopChecks(): void;
  /** Waits for the last writes, then closes the database. */
  close(): Promise<void>;
  /** Rejects unless the database answers now (readiness). */
  ping(): Promise<void>;
  /** The `Idempotency-Key`s kept in this database, bounded by `maxKeys`; `open` re-opens a kept stream. */
  keys(maxKeys: number, open: (reference: StreamReference) => Response | undefined): DurableKeys | undefined;
}

/** What a server keeps besides its store: the `/v1/responses` and `/v1/conversations` objects. */
export interface DurableCollections {
  responses: Collection<ResponseRecord>;
  conversations: Collection<ConversationRecord>;
}

/**
 * Opens the engine the options name (or none: `undefined`, the in-memory server), migrates it,
 * loads its state into `store` (and the `/v1/responses` and `/v1/conversations` objects into
 * `collections`), ends the runs a stop interrupted, and from then on writes every change through
 * an ordered queue.
 *
 * @example `const storage = await openStorage({ dataDir: './data' }, store, environment, indexer, context);`
 */
export async function openStorage(
  options: StorageOptions,
  store: Store<RunExecutor>,
  environment: ExecutorEnvironment,
  indexer: FileIndexer,
  collections?: DurableCollections,
): Promise<DurableStorage | undefined> {
  if (options.dataDir !== undefined && options.databaseUrl !== undefined) {
    throw new StorageError('Give either dataDir (SQLite) or databaseUrl (PostgreSQL), not both.');
  }
  let engine: StorageEngine;
  if (options.dataDir !== undefined) {
    const { openSqlite } = await import('./sqlite.ts');
    engine = await openSqlite(options.dataDir);
  } else if (options.databaseUrl !== undefined) {
    const { openPostgres } = await import('./postgres.ts');
    engine = await openPostgres(options.databaseUrl);
  } else return undefined;
  let releaseHeard: ((binding: StoreBinding) => void) | undefined;
  try {
    await engine.migrate();
    if (engine.shared !== undefined) {
      // Listen before loading, so nothing committed in between is missed (applying is idempotent).
      const ready = new Promise<StoreBinding>((resolve) => {
        releaseHeard = resolve;
      });
      const shared = engine.shared;
      await shared.listen(
        async (ops) => {
          try {
            (await ready).applyRemote(ops);
          } catch (error) {
            environment.onInternalError(error);
          }
        },
        () =>
          void ready
            .then(async (binding) => binding.execute(await shared.takeCommands()))
            .catch(environment.onInternalError),
      );
    }
    const state = await engine.load();
    restoreStore(store, state, environment, indexer);
    if (collections !== undefined) {
      restoreResponses(collections.responses, store, state.objects);
      restoreConversations(collections.conversations, state.objects);
    }
  } catch (error) {
    await engine.close();
    throw error;
  }
  const queue = new PersistenceQueue(engine, environment.onInternalError);
  const shared = engine.shared;
  const responsesBinding = collections === undefined ? undefined : bindResponses(collections.responses, store, queue);
  const conversationsBinding = collections === undefined ? undefined : bindConversations(collections.conversations, queue);
  const binding = bindStore(store, queue, environment, shared?.instanceId, {
    put(row) {
      if (row.kind === 'response') responsesBinding?.applyRemote(row);
      else conversationsBinding?.applyPut(row);
    },
    delete: (kind, parent, id) => {
      if (kind === 'response') responsesBinding?.applyDelete(id);
      else conversationsBinding?.applyDelete(kind, parent, id);
    },
    deleteRoot: (root) => conversationsBinding?.applyDeleteRoot(root),
  });
  await endInterruptedRuns(store, binding, shared);
  await queue.flushed();
  // Writes others committed while this server loaded were held back; now they apply.
  releaseHeard?.(binding);
  const ownerCheck = shared === undefined ? undefined : checkOwners(store, binding, shared, options.ownerCheckIntervalMs ?? DEFAULT_OWNER_CHECK_INTERVAL_MS, environment.onInternalError);
  return {
    engine,
    flushed: () => queue.flushed(),
    ping: () => engine.ping(),
    synced: shared === undefined ? undefined : () => shared.sync(),
    stopChecks: () => ownerCheck?.stop(),
    keys(maxKeys, open) {
      if (engine.keys === undefined) return undefined;
      return durableKeys(engine.keys, queue, { owner: shared?.instanceId ?? 'sqlite', maxKeys, shared, open });
    },
    async close() {
      ownerCheck?.stop();
      await ownerCheck?.idle();
      await queue.flushed().catch(() => {});
      await engine.close();
    },
  };
}

// A server that stops (crashed, or closed) while others share its database leaves its active
// runs to them: every interval, the runs this server follows are checked against their owners'
// liveness locks (one check at a time).
function checkOwners(store: Store<RunExecutor>, binding: StoreBinding, shared: NonNullable<StorageEngine['shared']>, intervalMs: number, onError: (error: unknown) => void) {
  const claimed = new Set<string>();
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = endAbandonedRuns(store, binding, shared, claimed)
      .then(() => undefined, onError)
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer), idle: () => running };
}
