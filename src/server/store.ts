import type { Message, RunStep } from '../wire/index.ts';
import { notFound } from './errors.ts';
import type { Assistant, FileObject, ThreadObject, VectorStore, VectorStoreFile, VectorStoreFileBatch } from './objects.ts';

/**
 * Objects of one kind by id, in creation order (the order lists paginate in). An update
 * keeps an object's place.
 */
export class Collection<Item> {
  readonly #items = new Map<string, Item>();
  #observer: CollectionObserver<Item> | undefined;

  constructor(
    /** How a 404 names this kind of object: `No ${kind} found with id …`. */
    readonly kind: string,
  ) {}

  get(id: string): Item | undefined {
    return this.#items.get(id);
  }

  /** The object, or the API's 404 for it. */
  require(id: string): Item {
    const item = this.#items.get(id);
    if (item === undefined) throw notFound(this.kind, id);
    return item;
  }

  /**
   * Adds or replaces an object. Setting an object again after changing it in place is how a
   * change reaches durable storage (the observer writes it).
   */
  set(id: string, item: Item): Item {
    this.#items.set(id, item);
    this.#observer?.set(id, item);
    return item;
  }

  delete(id: string): boolean {
    const deleted = this.#items.delete(id);
    if (deleted) this.#observer?.delete(id);
    return deleted;
  }

  /** Tells `observer` of every later `set` and `delete` (one observer: durable storage). */
  observe(observer: CollectionObserver<Item>): void {
    this.#observer = observer;
  }

  /** Every object, oldest first. */
  values(): Item[] {
    return [...this.#items.values()];
  }

  /** The newest object, if any. */
  last(): Item | undefined {
    let last: Item | undefined;
    for (const item of this.#items.values()) last = item;
    return last;
  }

  get size(): number {
    return this.#items.size;
  }
}

/** Hears the changes of a {@link Collection}: how durable storage follows the working set. */
export interface CollectionObserver<Item> {
  set(id: string, item: Item): void;
  delete(id: string): void;
}

/** What a run exposes to the store: its id, its current object and its steps. */
export interface RunHandle {
  readonly id: string;
  readonly steps: Collection<RunStep>;
}

/** A thread with its messages and runs. */
export interface ThreadRecord<Run extends RunHandle = RunHandle> {
  thread: ThreadObject;
  messages: Collection<Message>;
  runs: Collection<Run>;
  /**
   * Set on the threads the server makes to run `/v1/responses` on: they are no client's
   * threads, so `GET /threads` leaves them out.
   */
  backsResponses?: true;
}

/** An uploaded file and its bytes. */
export interface FileRecord {
  file: FileObject;
  content: Uint8Array;
}

/** A file in a vector store: the API object and the chunks search reads. */
export interface VectorStoreFileRecord {
  file: VectorStoreFile;
  filename: string;
  chunks: readonly string[];
  /** Set while the file is being processed; cancelling a batch clears it. */
  processing: ReturnType<typeof setTimeout> | undefined;
}

/** A file batch and the ids of its files. */
export interface FileBatchRecord {
  batch: VectorStoreFileBatch;
  fileIds: string[];
}

/** A vector store with its files and batches. */
export interface VectorStoreRecord {
  store: VectorStore;
  files: Collection<VectorStoreFileRecord>;
  batches: Collection<FileBatchRecord>;
}

/**
 * Everything the server holds, in memory. One store per server: tests that start their own
 * server start from nothing.
 *
 * @example `const thread = store.threads.require(threadId).thread;`
 */
export class Store<Run extends RunHandle = RunHandle> {
  readonly assistants = new Collection<Assistant>('assistant');
  readonly threads = new Collection<ThreadRecord<Run>>('thread');
  readonly files = new Collection<FileRecord>('file');
  readonly vectorStores = new Collection<VectorStoreRecord>('vector store');

  /** The run, or a 404 naming whichever of thread and run is missing. */
  requireRun(threadId: string, runId: string): { record: ThreadRecord<Run>; run: Run } {
    const record = this.threads.require(threadId);
    return { record, run: record.runs.require(runId) };
  }
}
