import type { ResponseObject } from '../../wire/index.ts';
import type { RunExecutor } from '../executor/runExecutor.ts';
import { ResponseRecord, type LoggedResponseEvent, type StoredInputItem } from '../responses/record.ts';
import { DEFAULT_TENANT, type Collection, type Store } from '../store.ts';
import { StorageError, type StoredObject } from './engine.ts';
import type { PersistenceQueue } from './queue.ts';

/**
 * What a `response` row holds: the response as created and where its events come from (its
 * thread, run and log position), so it is rebuilt from the run's persisted log — the same
 * events, the same final object. Once ended, also its final object and last event: all that is
 * left once the run's log has been compacted.
 */
interface StoredResponse {
  response: ResponseObject;
  inputItems: StoredInputItem[];
  threadId: string;
  runId: string;
  from: number;
  query: string;
  /** Absent in rows written before delta events carried `obfuscation` (they did not). */
  obfuscate?: boolean;
  final?: { response: ResponseObject; last: LoggedResponseEvent };
}

/** How the `/v1/responses` objects reach durable storage and come back. */
export interface ResponsesBinding {
  /** Adds a response another server committed (several servers on one database); nothing is written back. */
  applyRemote(row: StoredObject): void;
  /** Forgets a response another server deleted; nothing is written back. */
  applyDelete(id: string): void;
}

/**
 * Makes `responses` durable: each response is written when created (a `response` row under its
 * thread, so deleting the thread deletes it) and again with its final object when it ends on the
 * server executing its run; a deleted response's row is deleted.
 *
 * @example `const binding = bindResponses(context.responses, store, queue);`
 */
export function bindResponses(responses: Collection<ResponseRecord>, store: Store<RunExecutor>, queue: PersistenceQueue): ResponsesBinding {
  // Responses restored or heard from another server are set (or deleted) without being written back.
  let quiet = false;
  // The thread each response's row is under: a delete names the row by it, and the record is
  // gone from the collection by the time the observer hears of the delete.
  const threadOf = new Map<string, string>();
  for (const record of responses.values()) threadOf.set(record.response.id, record.thread.thread.id);
  const put = (record: ResponseRecord) => {
    const threadId = record.thread.thread.id;
    threadOf.set(record.response.id, threadId);
    const last = record.ended ? record.lastEvent : undefined;
    const stored: StoredResponse = {
      response: record.initial,
      inputItems: record.inputItems,
      threadId,
      runId: record.executor.id,
      from: record.from,
      query: record.query,
      obfuscate: record.obfuscate,
      ...(last === undefined ? {} : { final: { response: record.response, last } }),
    };
    const tenant = store.threads.ownerOf(threadId) ?? DEFAULT_TENANT;
    queue.enqueue({ type: 'put', kind: 'response', parent: threadId, id: record.response.id, root: threadId, data: JSON.stringify(stored), tenant });
  };
  // The server executing the run writes how the response ended (a restarted server too: the
  // responses of the runs it ended after the restart end with them).
  const putWhenEnded = (record: ResponseRecord) => {
    if (!record.deferred && !record.ended) void record.finished.then(() => record.ended && !record.executor.isFollowed && put(record));
  };
  for (const record of responses.values()) putWhenEnded(record);
  responses.observe({
    set(id, record) {
      threadOf.set(id, record.thread.thread.id);
      if (!quiet) put(record);
      putWhenEnded(record);
    },
    delete(id) {
      const threadId = threadOf.get(id);
      threadOf.delete(id);
      if (!quiet && threadId !== undefined) queue.enqueue({ type: 'delete', kind: 'response', parent: threadId, id });
    },
  });
  const quietly = (change: () => void) => {
    quiet = true;
    try {
      change();
    } finally {
      quiet = false;
    }
  };
  return {
    applyRemote(row) {
      if (responses.get(row.id) !== undefined) return;
      const record = recordOf(store, row);
      if (record !== undefined) quietly(() => responses.set(row.id, record, row.tenant));
    },
    applyDelete(id) {
      quietly(() => responses.delete(id));
    },
  };
}

/**
 * Fills `responses` with the rows of kind `response` in `objects` (creation order), each rebuilt
 * from its run's restored log; call after the store is restored and before the interrupted runs
 * are ended, so a response whose run was active ends as its run does.
 *
 * @example `restoreResponses(context.responses, store, state.objects);`
 */
export function restoreResponses(responses: Collection<ResponseRecord>, store: Store<RunExecutor>, objects: readonly StoredObject[]): void {
  for (const row of objects) {
    if (row.kind !== 'response') continue;
    const record = recordOf(store, row);
    if (record !== undefined) responses.set(row.id, record, row.tenant);
  }
}

function recordOf(store: Store<RunExecutor>, row: StoredObject): ResponseRecord | undefined {
  let stored: StoredResponse;
  try {
    stored = JSON.parse(row.data) as StoredResponse;
  } catch (error) {
    throw new StorageError(`The database row response ${row.id} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const thread = store.threads.get(stored.threadId);
  const executor = thread?.runs.get(stored.runId);
  if (thread === undefined || executor === undefined) return undefined;
  // The thread was made for responses: no client's thread (`GET /threads` leaves it out).
  thread.backsResponses = true;
  // One that had ended is rebuilt when first asked for (from its final event if its run's log
  // was compacted); one still going follows its run's log at once, to end as the run does.
  return new ResponseRecord({
    response: structuredClone(stored.response),
    inputItems: stored.inputItems,
    thread,
    executor,
    from: stored.from,
    query: stored.query,
    obfuscate: stored.obfuscate ?? false,
    ...(stored.final === undefined ? {} : { final: stored.final, deferred: true }),
  });
}
