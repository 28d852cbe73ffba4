import type { Message, RunStep } from '../wire/index.ts';
import { notFound } from './errors.ts';
import type { Assistant, FileObject, ThreadObject, VectorStore, VectorStoreFile, VectorStoreFileBatch } from './objects.ts';

/** The tenant of objects created outside any tenant's request (an open server's, a restored row without one). */
export const DEFAULT_TENANT = 'default';

/**
 * Which tenant's objects the running code may see: undefined outside any request (background
 * work sees every tenant's). `RequestScope` (src/server/tenants/scope.ts) is the server's.
 */
export interface TenantView {
  tenant(): string | undefined;
}

/**
 * Objects of one kind by id, in creation order (the order lists paginate in). An update
 * keeps an object's place.
 *
 * A top-level collection (assistants, threads, files, vector stores, responses) is given a
 * {@link TenantView}: each object belongs to the tenant that created it, and inside a request
 * another tenant's object is exactly as absent as an id nobody created — `get` is undefined,
 * `require` the same 404, `values` leaves it out. Children (messages, runs, files of a vector
 * store) are reached only through their parent, so they need no owner of their own.
 */
export class Collection<Item> {
  readonly #items = new Map<string, Item>();
  readonly #owners = new Map<string, string>();
  readonly #view: TenantView | undefined;
  #observer: CollectionObserver<Item> | undefined;

  constructor(
    /** How a 404 names this kind of object: `No ${kind} found with id …`. */
    readonly kind: string,
    view?: TenantView,
  ) {
    this.#view = view;
  }

  get(id: string): Item | undefined {
    const item = this.#items.get(id);
    // The same work for an unknown id and another tenant's: one lookup each, no early answer.
    return this.#visible(id) ? item : undefined;
  }

  /** The object, or the API's 404 for it. */
  require(id: string): Item {
    const item = this.get(id);
    if (item === undefined) throw notFound(this.kind, id);
    return item;
  }

  /**
   * Adds or replaces an object. Setting an object again after changing it in place is how a
   * change reaches durable storage (the observer writes it). A new object belongs to `owner`,
   * else to the current request's tenant, else to {@link DEFAULT_TENANT}; a replaced one keeps
   * its owner unless `owner` says otherwise.
   */
  set(id: string, item: Item, owner?: string): Item {
    if (this.#view !== undefined && (owner !== undefined || !this.#owners.has(id))) {
      this.#owners.set(id, owner ?? this.#view.tenant() ?? DEFAULT_TENANT);
    }
    this.#items.set(id, item);
    this.#observer?.set(id, item, this.#owners.get(id));
    return item;
  }

  delete(id: string): boolean {
    if (!this.#visible(id)) return false;
    const deleted = this.#items.delete(id);
    this.#owners.delete(id);
    if (deleted) this.#observer?.delete(id);
    return deleted;
  }

  /** The tenant an object belongs to (top-level collections only), whoever asks. */
  ownerOf(id: string): string | undefined {
    return this.#owners.get(id);
  }

  #visible(id: string): boolean {
    const tenant = this.#view?.tenant();
    return tenant === undefined || this.#owners.get(id) === tenant;
  }

  /** Tells `observer` of every later `set` and `delete` (one observer: durable storage). */
  observe(observer: CollectionObserver<Item>): void {
    this.#observer = observer;
  }

  /** Every object (the current tenant's), oldest first. */
  values(): Item[] {
    const tenant = this.#view?.tenant();
    if (tenant === undefined) return [...this.#items.values()];
    const visible: Item[] = [];
    for (const [id, item] of this.#items) if (this.#owners.get(id) === tenant) visible.push(item);
    return visible;
  }

  /** The newest object (the current tenant's), if any. */
  last(): Item | undefined {
    return this.#view === undefined ? lastOf(this.#items.values()) : this.values().at(-1);
  }

  /** How many objects (the current tenant's). */
  get size(): number {
    return this.#view?.tenant() === undefined ? this.#items.size : this.values().length;
  }
}

function lastOf<Item>(items: Iterable<Item>): Item | undefined {
  let last: Item | undefined;
  for (const item of items) last = item;
  return last;
}

/** Hears the changes of a {@link Collection}: how durable storage follows the working set. */
export interface CollectionObserver<Item> {
  /** `owner`: the tenant a top-level object belongs to (undefined for children). */
  set(id: string, item: Item, owner: string | undefined): void;
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
  /** One unit-length embedding per chunk, when the server embeds (semantic search). */
  vectors?: readonly Float32Array[] | undefined;
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
 * server start from nothing. Each top-level object belongs to a tenant (see {@link Collection}).
 *
 * @example `const thread = store.threads.require(threadId).thread;`
 */
export class Store<Run extends RunHandle = RunHandle> {
  readonly assistants: Collection<Assistant>;
  readonly threads: Collection<ThreadRecord<Run>>;
  readonly files: Collection<FileRecord>;
  readonly vectorStores: Collection<VectorStoreRecord>;

  /** `view`: whose objects the running code sees (see {@link Collection}); none: everyone's. */
  constructor(view?: TenantView) {
    this.assistants = new Collection('assistant', view);
    this.threads = new Collection('thread', view);
    this.files = new Collection('file', view);
    this.vectorStores = new Collection('vector store', view);
  }

  /** The tenant of a top-level object (an assistant, thread, file or vector store), whoever asks. */
  ownerOf(id: string): string | undefined {
    return this.threads.ownerOf(id) ?? this.vectorStores.ownerOf(id) ?? this.files.ownerOf(id) ?? this.assistants.ownerOf(id);
  }

  /** The run, or a 404 naming whichever of thread and run is missing. */
  requireRun(threadId: string, runId: string): { record: ThreadRecord<Run>; run: Run } {
    const record = this.threads.require(threadId);
    return { record, run: record.runs.require(runId) };
  }
}
