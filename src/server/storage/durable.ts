import type { Message, Run, RunStep } from '../../wire/index.ts';
import type { ExecutorEnvironment } from '../executor/environment.ts';
import { RunExecutor } from '../executor/runExecutor.ts';
import type { FileIndexer } from '../indexing.ts';
import type { Assistant, FileObject, ThreadObject, VectorStore, VectorStoreFile, VectorStoreFileBatch } from '../objects.ts';
import { Collection, type FileBatchRecord, type Store, type ThreadRecord, type VectorStoreFileRecord, type VectorStoreRecord } from '../store.ts';
import { StorageError, type StoredEvent, type StoredKind, type StoredObject, type StoredState } from './engine.ts';
import type { PersistenceQueue } from './queue.ts';

/** What a run row holds besides the run: what its executor was started with. */
interface StoredRun {
  run: Run;
  vectorStoreIds: string[];
  includeSearchContent: boolean;
}

interface StoredVectorStoreFile {
  file: VectorStoreFile;
  filename: string;
  chunks: readonly string[];
}

/**
 * Makes a store durable: every later change of its collections, runs and run events is
 * queued on `queue`. Objects changed in place must be set again in their collection (that
 * is what writes them).
 *
 * @example `bindStore(store, queue);`
 */
export function bindStore(store: Store<RunExecutor>, queue: PersistenceQueue): void {
  const put = (kind: StoredKind, parent: string, id: string, root: string, data: unknown) =>
    queue.enqueue({ type: 'put', kind, parent, id, root, data: JSON.stringify(data) });
  const bound = new WeakSet<object>();

  const bindRun = (threadId: string, executor: RunExecutor) => {
    if (bound.has(executor)) return;
    bound.add(executor);
    const putRun = () => put('run', threadId, executor.id, threadId, storedRun(executor));

    executor.steps.observe({
      set: (id, step) => put('step', executor.id, id, threadId, step),
      delete: (id) => queue.enqueue({ type: 'delete', kind: 'step', parent: executor.id, id }),
    });
    executor.log.observe({
      appended(position, entry, data) {
        queue.enqueue({ type: 'event', runId: executor.id, root: threadId, position, event: entry.event, frame: entry.frame, endsStream: entry.endsStream });
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
        queue.enqueue({ type: 'dropEvents', runId: executor.id, before: position });
      },
    });
  };

  const bindThread = (record: ThreadRecord<RunExecutor>, writeContents: boolean) => {
    if (bound.has(record)) return;
    bound.add(record);
    const threadId = record.thread.id;
    record.messages.observe({
      set: (id, message) => put('message', threadId, id, threadId, message),
      delete: (id) => queue.enqueue({ type: 'delete', kind: 'message', parent: threadId, id }),
    });
    record.runs.observe({
      set(id, executor) {
        put('run', threadId, id, threadId, storedRun(executor));
        if (!bound.has(executor)) {
          bindRun(threadId, executor);
          for (const step of executor.steps.values()) put('step', id, step.id, threadId, step);
          for (const entry of executor.log.storedEntries()) {
            queue.enqueue({ type: 'event', runId: id, root: threadId, position: entry.position, event: entry.event, frame: entry.frame, endsStream: entry.endsStream });
          }
        }
      },
      delete: (id) => queue.enqueue({ type: 'delete', kind: 'run', parent: threadId, id }),
    });
    if (writeContents) for (const message of record.messages.values()) put('message', threadId, message.id, threadId, message);
    for (const executor of record.runs.values()) bindRun(threadId, executor);
  };

  const bindVectorStore = (record: VectorStoreRecord, writeContents: boolean) => {
    if (bound.has(record)) return;
    bound.add(record);
    const storeId = record.store.id;
    const putFile = (id: string, file: VectorStoreFileRecord) =>
      put('vector_store_file', storeId, id, storeId, { file: file.file, filename: file.filename, chunks: file.chunks } satisfies StoredVectorStoreFile);
    const putBatch = (id: string, batch: FileBatchRecord) => put('file_batch', storeId, id, storeId, batch);
    record.files.observe({ set: putFile, delete: (id) => queue.enqueue({ type: 'delete', kind: 'vector_store_file', parent: storeId, id }) });
    record.batches.observe({ set: putBatch, delete: (id) => queue.enqueue({ type: 'delete', kind: 'file_batch', parent: storeId, id }) });
    if (!writeContents) return;
    for (const file of record.files.values()) putFile(file.file.id, file);
    for (const batch of record.batches.values()) putBatch(batch.batch.id, batch);
  };

  const deleteRoot = (root: string) => queue.enqueue({ type: 'deleteRoot', root });
  store.assistants.observe({ set: (id, assistant) => put('assistant', '', id, id, assistant), delete: deleteRoot });
  store.files.observe({
    set(id, record) {
      put('file', '', id, id, record.file);
      queue.enqueue({ type: 'putBytes', id, bytes: record.content });
    },
    delete: deleteRoot,
  });
  store.threads.observe({
    set(id, record) {
      put('thread', '', id, id, record.thread);
      bindThread(record, true);
    },
    delete: deleteRoot,
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
}

function storedRun(executor: RunExecutor): StoredRun {
  return { run: executor.run, vectorStoreIds: [...executor.vectorStoreIds], includeSearchContent: executor.includeSearchContent };
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
        store.assistants.set(row.id, parse<Assistant>(row));
        break;
      case 'file': {
        const bytes = state.bytes.get(row.id);
        if (bytes === undefined) throw new StorageError(`The database has file ${row.id} without its bytes.`);
        store.files.set(row.id, { file: parse<FileObject>(row), content: bytes });
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
          record.runs.set(runRow.id, executor);
        }
        store.threads.set(row.id, record);
        break;
      }
      case 'vector_store': {
        const record: VectorStoreRecord = { store: parse<VectorStore>(row), files: new Collection('vector store file'), batches: new Collection('file batch') };
        for (const fileRow of childrenOf('vector_store_file', row.id)) {
          const stored = parse<StoredVectorStoreFile>(fileRow);
          const file: VectorStoreFileRecord = { file: stored.file, filename: stored.filename, chunks: stored.chunks, processing: undefined };
          record.files.set(fileRow.id, file);
          if (file.file.status === 'in_progress') resume.push({ vectorStore: record, file });
        }
        for (const batchRow of childrenOf('file_batch', row.id)) {
          const batch = parse<{ batch: VectorStoreFileBatch; fileIds: string[] }>(batchRow);
          record.batches.set(batchRow.id, batch);
        }
        store.vectorStores.set(row.id, record);
        break;
      }
      default:
        throw new StorageError(`The database has a top-level ${row.kind} row (${row.id}); only assistants, files, threads and vector stores are top-level.`);
    }
  }
  for (const { vectorStore, file } of resume) indexer.resume(vectorStore, file);
}

/**
 * Ends every restored run that was active when the server stopped (see
 * `RunExecutor.endAfterRestart`); call after {@link bindStore}, so the endings are written.
 */
export function endInterruptedRuns(store: Store<RunExecutor>): void {
  for (const record of store.threads.values()) for (const executor of record.runs.values()) executor.endAfterRestart();
}

function parse<Value>(row: StoredObject): Value {
  try {
    return JSON.parse(row.data) as Value;
  } catch (error) {
    throw new StorageError(`The database row ${row.kind} ${row.id} (under '${row.parent}') is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
