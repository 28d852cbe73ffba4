import type { Message, Run, RunStep } from '../../wire/index.ts';
import type { ExecutorEnvironment } from '../executor/environment.ts';
import { RunExecutor } from '../executor/runExecutor.ts';
import type { FileIndexer } from '../indexing.ts';
import type { Assistant, FileObject, ThreadObject, VectorStore, VectorStoreFile, VectorStoreFileBatch } from '../objects.ts';
import { Collection, DEFAULT_TENANT, type FileBatchRecord, type Store, type ThreadRecord, type VectorStoreFileRecord, type VectorStoreRecord } from '../store.ts';
import { ApiError } from '../errors.ts';
import { StorageError, type ReceivedCommand, type RunCommand, type SharedDatabase, type StorageOp, type StoredEvent, type StoredKind, type StoredObject, type StoredState } from './engine.ts';
import type { PersistenceQueue } from './queue.ts';
import { decodeVector, encodeVector } from '../semantic/vectors.ts';

/** What a run row holds besides the run: what its executor was started with. */
interface StoredRun {
  run: Run;
  vectorStoreIds: string[];
  includeSearchContent: boolean;
  /** The server executing it (several servers on one database); absent on SQLite. */
  owner?: string;
}

/**
 * The rows durable storage keeps beside the store's (responses, conversations and their items):
 * how the writes another server committed to them reach this server.
 */
export interface OtherRows {
  put(row: StoredObject): void;
  delete(kind: StoredKind, parent: string, id: string): void;
  deleteRoot(root: string): void;
}

/** A store made durable: how changes committed by other servers and commands come in. */
export interface StoreBinding {
  /** Applies writes another server committed to this server's working set (nothing is written back). */
  applyRemote(ops: readonly StorageOp[]): void;
  /** Carries out commands for runs this server executes. */
  execute(commands: readonly ReceivedCommand[]): void;
  /** Makes a restored run one `owner` executes. */
  follow(threadId: string, executor: RunExecutor, owner: string): void;
  /** The server executing a followed run (undefined for a run this server executes). */
  ownerOf(executor: RunExecutor): string | undefined;
  /** Ends a followed run whose owner is gone, as this server's run (see `RunExecutor.endAbandoned`). */
  endAbandoned(executor: RunExecutor): void;
}

interface StoredVectorStoreFile {
  file: VectorStoreFile;
  filename: string;
  chunks: readonly string[];
  /** The chunks' embeddings (semantic search), each as base64 float32: stored with the chunks they belong to. */
  vectors?: string[];
}

function storedFile(file: VectorStoreFileRecord): StoredVectorStoreFile {
  return { file: file.file, filename: file.filename, chunks: file.chunks, ...(file.vectors === undefined ? {} : { vectors: file.vectors.map(encodeVector) }) };
}

function restoredFile(stored: StoredVectorStoreFile): VectorStoreFileRecord {
  return { file: stored.file, filename: stored.filename, chunks: stored.chunks, vectors: stored.vectors?.map(decodeVector), processing: undefined };
}

/**
 * Makes a store durable: every later change of its collections, runs and run events is
 * queued on `queue`. Objects changed in place must be set again in their collection (that
 * is what writes them).
 *
 * @example `const binding = bindStore(store, queue, environment);`
 */
export function bindStore(
  store: Store<RunExecutor>,
  queue: PersistenceQueue,
  environment: ExecutorEnvironment,
  instanceId?: string,
  /** Receives what other servers commit to the rows that are not the store's. */
  others?: OtherRows,
): StoreBinding {
  // While changes another server committed are applied, nothing is written back.
  let applyingRemote = false;
  const enqueue = (op: StorageOp) => {
    if (!applyingRemote) queue.enqueue(op);
  };
  const queueWrites = { enqueue };
  // Every row carries the tenant of its top-level object (its root).
  const put = (kind: StoredKind, parent: string, id: string, root: string, data: unknown) => {
    if (!applyingRemote) queue.enqueue({ type: 'put', kind, parent, id, root, data: JSON.stringify(data), tenant: store.ownerOf(root) ?? DEFAULT_TENANT });
  };
  const bound = new WeakSet<object>();
  // Runs by id (remote steps and events name only the run), and each thread's, to forget them with it.
  const runsById = new Map<string, { threadId: string; executor: RunExecutor }>();
  const runsOfThread = new Map<string, Set<string>>();
  const owners = new WeakMap<RunExecutor, string>();
  const storedRun = (executor: RunExecutor): StoredRun => {
    const owner = owners.get(executor) ?? instanceId;
    return { run: executor.run, vectorStoreIds: [...executor.vectorStoreIds], includeSearchContent: executor.includeSearchContent, ...(owner === undefined ? {} : { owner }) };
  };

  const bindRun = (threadId: string, executor: RunExecutor, isNew = false) => {
    if (bound.has(executor)) return;
    bound.add(executor);
    runsById.set(executor.id, { threadId, executor });
    const ofThread = runsOfThread.get(threadId);
    if (ofThread === undefined) runsOfThread.set(threadId, new Set([executor.id]));
    else ofThread.add(executor.id);
    // Shared database: streams get an event once it is committed, so another server sees it too.
    if (instanceId !== undefined && !executor.isFollowed) executor.log.gate(isNew ? 0 : undefined);
    const committed = instanceId === undefined ? undefined : (position: number) => () => executor.log.release(position + 1);
    const putRun = () => put('run', threadId, executor.id, threadId, storedRun(executor));

    executor.steps.observe({
      set: (id, step) => put('step', executor.id, id, threadId, step),
      delete: (id) => queueWrites.enqueue({ type: 'delete', kind: 'step', parent: executor.id, id }),
    });
    executor.log.observe({
      appended(position, entry, data) {
        queueWrites.enqueue({
          type: 'event',
          runId: executor.id,
          root: threadId,
          position,
          event: entry.event,
          frame: entry.frame,
          endsStream: entry.endsStream,
          ...(committed === undefined ? {} : { committed: committed(position) }),
        });
        const { event } = entry;
        if (event.startsWith('thread.run.step.')) {
          if (event === 'thread.run.step.delta') return;
          const id = (data as { id: string }).id;
          const step = executor.steps.get(id);
          if (step !== undefined) put('step', executor.id, id, threadId, step);
        } else if (event.startsWith('thread.run.')) putRun();
        else if (event.startsWith('thread.message.') && event !== 'thread.message.delta') {
          const message = data as Message;
          put('message', threadId, message.id, threadId, message);
        }
      },
      compacted(position) {
        queueWrites.enqueue({ type: 'dropEvents', runId: executor.id, before: position });
      },
    });
  };

  const bindThread = (record: ThreadRecord<RunExecutor>, writeContents: boolean) => {
    if (bound.has(record)) return;
    bound.add(record);
    const threadId = record.thread.id;
    record.messages.observe({
      set: (id, message) => put('message', threadId, id, threadId, message),
      delete: (id) => queueWrites.enqueue({ type: 'delete', kind: 'message', parent: threadId, id }),
    });
    record.runs.observe({
      set(id, executor) {
        put('run', threadId, id, threadId, storedRun(executor));
        if (!bound.has(executor)) {
          bindRun(threadId, executor, true);
          for (const step of executor.steps.values()) put('step', id, step.id, threadId, step);
          for (const entry of executor.log.storedEntries()) {
            queueWrites.enqueue({
              type: 'event',
              runId: id,
              root: threadId,
              position: entry.position,
              event: entry.event,
              frame: entry.frame,
              endsStream: entry.endsStream,
              ...(instanceId === undefined ? {} : { committed: () => executor.log.release(entry.position + 1) }),
            });
          }
        }
      },
      delete: (id) => queueWrites.enqueue({ type: 'delete', kind: 'run', parent: threadId, id }),
    });
    if (writeContents) for (const message of record.messages.values()) put('message', threadId, message.id, threadId, message);
    for (const executor of record.runs.values()) bindRun(threadId, executor);
  };

  const bindVectorStore = (record: VectorStoreRecord, writeContents: boolean) => {
    if (bound.has(record)) return;
    bound.add(record);
    const storeId = record.store.id;
    const putFile = (id: string, file: VectorStoreFileRecord) =>
      put('vector_store_file', storeId, id, storeId, storedFile(file));
    const putBatch = (id: string, batch: FileBatchRecord) => put('file_batch', storeId, id, storeId, batch);
    record.files.observe({ set: putFile, delete: (id) => queueWrites.enqueue({ type: 'delete', kind: 'vector_store_file', parent: storeId, id }) });
    record.batches.observe({ set: putBatch, delete: (id) => queueWrites.enqueue({ type: 'delete', kind: 'file_batch', parent: storeId, id }) });
    if (!writeContents) return;
    for (const file of record.files.values()) putFile(file.file.id, file);
    for (const batch of record.batches.values()) putBatch(batch.batch.id, batch);
  };

  const deleteRoot = (root: string) => queueWrites.enqueue({ type: 'deleteRoot', root });
  store.assistants.observe({ set: (id, assistant) => put('assistant', '', id, id, assistant), delete: deleteRoot });
  store.files.observe({
    set(id, record) {
      put('file', '', id, id, record.file);
      queueWrites.enqueue({ type: 'putBytes', id, bytes: record.content });
    },
    delete: deleteRoot,
  });
  store.threads.observe({
    set(id, record) {
      put('thread', '', id, id, record.thread);
      bindThread(record, true);
    },
    delete(id) {
      for (const runId of runsOfThread.get(id) ?? []) runsById.delete(runId);
      runsOfThread.delete(id);
      deleteRoot(id);
    },
  });
  store.vectorStores.observe({
    set(id, record) {
      put('vector_store', '', id, id, record.store);
      bindVectorStore(record, true);
    },
    delete: deleteRoot,
  });
  for (const record of store.threads.values()) bindThread(record, false);
  for (const record of store.vectorStores.values()) bindVectorStore(record, false);

  const follow = (threadId: string, executor: RunExecutor, owner: string) => {
    owners.set(executor, owner);
    const send = (command: RunCommand) => queue.enqueue({ type: 'command', owner, threadId, runId: executor.id, command: JSON.stringify(command) });
    executor.followOwner({
      cancel: () => send({ type: 'cancel' }),
      submitToolOutputs: (outputs) => send({ type: 'submit_tool_outputs', outputs: [...outputs] }),
      setMetadata: (metadata) => send({ type: 'metadata', metadata: metadata as Record<string, string> }),
    });
  };

  const applyOne = (op: StorageOp) => {
    switch (op.type) {
      case 'put':
        return applyPut(op.kind, op.parent, op.id, op.data, op.tenant);
      case 'delete':
        if (op.kind === 'message') store.threads.get(op.parent)?.messages.delete(op.id);
        else if (op.kind === 'vector_store_file') store.vectorStores.get(op.parent)?.files.delete(op.id);
        else if (op.kind === 'file_batch') store.vectorStores.get(op.parent)?.batches.delete(op.id);
        else others?.delete(op.kind, op.parent, op.id);
        return;
      case 'deleteRoot': {
        store.assistants.delete(op.root);
        store.files.delete(op.root);
        store.vectorStores.delete(op.root);
        const thread = store.threads.get(op.root);
        if (thread !== undefined) {
          for (const run of thread.runs.values()) run.dispose();
          store.threads.delete(op.root);
        }
        others?.deleteRoot(op.root);
        return;
      }
      case 'putBytes': {
        const file = store.files.get(op.id);
        if (file !== undefined) file.content = op.bytes;
        return;
      }
      case 'event': {
        const followed = runsById.get(op.runId)?.executor;
        if (followed?.isFollowed === true) followed.log.appendFollowed(op.position, { event: op.event, frame: op.frame, endsStream: op.endsStream });
        return;
      }
      case 'dropEvents': {
        const followed = runsById.get(op.runId)?.executor;
        if (followed?.isFollowed === true) followed.log.compact();
        return;
      }
      case 'command':
        return;
    }
  };

  const applyPut = (kind: StoredKind, parent: string, id: string, data: string, tenant: string) => {
    const row = { kind, parent, id, data, tenant };
    switch (kind) {
      case 'assistant':
        store.assistants.set(id, parse<Assistant>(row), tenant);
        return;
      case 'file':
        store.files.set(id, { file: parse<FileObject>(row), content: store.files.get(id)?.content ?? new Uint8Array() }, tenant);
        return;
      case 'thread': {
        const existing = store.threads.get(id);
        if (existing !== undefined) existing.thread = parse<ThreadObject>(row);
        store.threads.set(id, existing ?? { thread: parse<ThreadObject>(row), messages: new Collection('message'), runs: new Collection('run') }, tenant);
        return;
      }
      case 'message':
        store.threads.get(parent)?.messages.set(id, parse<Message>(row));
        return;
      case 'run': {
        const record = store.threads.get(parent);
        if (record === undefined) return;
        const stored = parse<StoredRun>(row);
        const existing = record.runs.get(id);
        if (existing !== undefined) {
          existing.follow(stored.run);
          return;
        }
        const executor = new RunExecutor(
          { run: stored.run, thread: record, vectorStoreIds: stored.vectorStoreIds, scenario: undefined, includeSearchContent: stored.includeSearchContent },
          environment,
          { steps: [], events: [] },
        );
        follow(parent, executor, stored.owner ?? '');
        record.runs.set(id, executor);
        return;
      }
      case 'step': {
        const followed = runsById.get(parent)?.executor;
        if (followed?.isFollowed === true) followed.steps.set(id, parse<RunStep>(row));
        return;
      }
      case 'vector_store': {
        const existing = store.vectorStores.get(id);
        if (existing !== undefined) existing.store = parse<VectorStore>(row);
        store.vectorStores.set(id, existing ?? { store: parse<VectorStore>(row), files: new Collection('vector store file'), batches: new Collection('file batch') }, tenant);
        return;
      }
      case 'vector_store_file': {
        store.vectorStores.get(parent)?.files.set(id, restoredFile(parse<StoredVectorStoreFile>(row)));
        return;
      }
      case 'file_batch':
        store.vectorStores.get(parent)?.batches.set(id, parse<FileBatchRecord>(row));
        return;
      case 'response':
      case 'conversation':
      case 'conversation_item':
        others?.put({ ...row });
        return;
    }
  };

  return {
    follow,
    ownerOf: (executor) => (executor.isFollowed ? owners.get(executor) : undefined),
    endAbandoned(executor) {
      if (!executor.isFollowed) return;
      // From now on this server executes it: its row names this server, and its streams here get
      // its events once committed, as for the runs this server created.
      owners.delete(executor);
      executor.log.gate();
      executor.endAbandoned();
    },
    applyRemote(ops) {
      applyingRemote = true;
      try {
        for (const op of ops) applyOne(op);
      } finally {
        applyingRemote = false;
      }
    },
    execute(commands) {
      for (const { threadId, runId, command } of commands) {
        const executor = store.threads.get(threadId)?.runs.get(runId);
        if (executor === undefined || executor.isFollowed) continue;
        try {
          if (command.type === 'cancel') executor.cancel();
          else if (command.type === 'submit_tool_outputs') executor.submitToolOutputs(command.outputs);
          else {
            executor.setMetadata(command.metadata);
            store.threads.get(threadId)?.runs.set(runId, executor);
          }
        } catch (error) {
          // The run moved on before the command arrived (it finished, or another command
          // came first): the API error the requester would have had, with nobody to tell.
          if (!(error instanceof ApiError)) throw error;
        }
      }
    },
  };
}

/**
 * Fills an empty store with what a database holds: every object in its creation order, runs
 * with their steps and event logs (not driven: see {@link endInterruptedRuns}), vector store
 * files that were still being processed processed again.
 *
 * @example `restoreStore(store, await engine.load(), environment, indexer);`
 */
export function restoreStore(store: Store<RunExecutor>, state: StoredState, environment: ExecutorEnvironment, indexer: FileIndexer): void {
  const children = new Map<string, StoredObject[]>();
  for (const row of state.objects) {
    if (row.parent === '') continue;
    const key = `${row.kind}\u0000${row.parent}`;
    const list = children.get(key);
    if (list === undefined) children.set(key, [row]);
    else list.push(row);
  }
  const childrenOf = (kind: StoredKind, parent: string) => children.get(`${kind}\u0000${parent}`) ?? [];
  const eventsByRun = new Map<string, StoredEvent[]>();
  for (const event of state.events) {
    const list = eventsByRun.get(event.runId);
    if (list === undefined) eventsByRun.set(event.runId, [event]);
    else list.push(event);
  }
  const resume: Array<{ vectorStore: VectorStoreRecord; file: VectorStoreFileRecord }> = [];

  for (const row of state.objects) {
    if (row.parent !== '') continue;
    switch (row.kind) {
      case 'assistant':
        store.assistants.set(row.id, parse<Assistant>(row), row.tenant);
        break;
      case 'file': {
        const bytes = state.bytes.get(row.id);
        if (bytes === undefined) throw new StorageError(`The database has file ${row.id} without its bytes.`);
        store.files.set(row.id, { file: parse<FileObject>(row), content: bytes }, row.tenant);
        break;
      }
      case 'thread': {
        const record: ThreadRecord<RunExecutor> = { thread: parse<ThreadObject>(row), messages: new Collection('message'), runs: new Collection('run') };
        for (const message of childrenOf('message', row.id)) record.messages.set(message.id, parse<Message>(message));
        for (const runRow of childrenOf('run', row.id)) {
          const stored = parse<StoredRun>(runRow);
          const executor = new RunExecutor(
            { run: stored.run, thread: record, vectorStoreIds: stored.vectorStoreIds, scenario: undefined, includeSearchContent: stored.includeSearchContent },
            environment,
            { steps: childrenOf('step', runRow.id).map((step) => parse<RunStep>(step)), events: eventsByRun.get(runRow.id) ?? [] },
          );
          if (stored.owner !== undefined) ownerOf.set(executor, stored.owner);
          record.runs.set(runRow.id, executor);
        }
        store.threads.set(row.id, record, row.tenant);
        break;
      }
      case 'vector_store': {
        const record: VectorStoreRecord = { store: parse<VectorStore>(row), files: new Collection('vector store file'), batches: new Collection('file batch') };
        for (const fileRow of childrenOf('vector_store_file', row.id)) {
          const file = restoredFile(parse<StoredVectorStoreFile>(fileRow));
          record.files.set(fileRow.id, file);
          if (file.file.status === 'in_progress') resume.push({ vectorStore: record, file });
        }
        for (const batchRow of childrenOf('file_batch', row.id)) {
          const batch = parse<{ batch: VectorStoreFileBatch; fileIds: string[] }>(batchRow);
          record.batches.set(batchRow.id, batch);
        }
        store.vectorStores.set(row.id, record, row.tenant);
        break;
      }
      case 'conversation':
        break; // restored with their items by restoreConversations
      default:
        throw new StorageError(
          `The database has a top-level ${row.kind} row (${row.id}); only assistants, files, threads, vector stores and conversations are top-level.`,
        );
    }
  }
  for (const { vectorStore, file } of resume) indexer.resume(vectorStore, file);
}

/**
 * Ends every restored run that was active when its server stopped (see
 * `RunExecutor.endAfterRestart`); call after {@link bindStore}, so the endings are written. On
 * a shared database, a run whose server is still running is followed instead.
 */
export async function endInterruptedRuns(store: Store<RunExecutor>, binding: StoreBinding, shared: SharedDatabase | undefined): Promise<void> {
  const alive = new Map<string, Promise<boolean>>();
  for (const record of store.threads.values()) {
    for (const executor of record.runs.values()) {
      if (!executor.isActive) continue;
      const owner = ownerOf.get(executor);
      if (shared !== undefined && owner !== undefined) {
        if (!alive.has(owner)) alive.set(owner, shared.isAlive(owner));
        // Another running server executes it: follow it.
        if (await alive.get(owner)) {
          binding.follow(record.thread.id, executor, owner);
          continue;
        }
      }
      executor.endAfterRestart();
    }
  }
}

/**
 * Ends the active runs this server follows whose owner is gone (several servers on one
 * database), once each: an owner's runs are ended by the one server that claims its lock.
 * `claimed` remembers the owners this server claimed, across calls.
 */
export async function endAbandonedRuns(store: Store<RunExecutor>, binding: StoreBinding, shared: SharedDatabase, claimed: Set<string>): Promise<number> {
  const byOwner = new Map<string, RunExecutor[]>();
  for (const record of store.threads.values()) {
    for (const executor of record.runs.values()) {
      const owner = executor.isActive ? binding.ownerOf(executor) : undefined;
      if (owner === undefined) continue;
      const runs = byOwner.get(owner);
      if (runs === undefined) byOwner.set(owner, [executor]);
      else runs.push(executor);
    }
  }
  let ended = 0;
  for (const [owner, runs] of byOwner) {
    if (!claimed.has(owner)) {
      if (!(await shared.claimIfGone(owner))) continue;
      claimed.add(owner);
    }
    for (const executor of runs) {
      binding.endAbandoned(executor);
      ended += 1;
    }
  }
  return ended;
}

// The owner a restored run's row names (several servers on one database).
const ownerOf = new WeakMap<RunExecutor, string>();

function parse<Value>(row: StoredObject): Value {
  try {
    return JSON.parse(row.data) as Value;
  } catch (error) {
    throw new StorageError(`The database row ${row.kind} ${row.id} (under '${row.parent}') is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
