/**
 * The storage interface of the server: how its working set (the objects in memory that the
 * routes read and change) reaches a database and comes back after a restart. Two engines
 * implement it: SQLite through `@libsql/client` (embedded, `--data-dir`) and PostgreSQL
 * through `pg` (`--database-url`).
 */

/** The kinds of object rows; each is one API object as JSON (see docs/design.md). */
export type StoredKind = 'assistant' | 'thread' | 'message' | 'run' | 'step' | 'file' | 'vector_store' | 'vector_store_file' | 'file_batch';

/** One write; a batch of them is applied in one transaction, in order. */
export type StorageOp =
  /** Insert or replace an object; a replaced object keeps its place in creation order. */
  | { type: 'put'; kind: StoredKind; parent: string; id: string; root: string; data: string }
  /** Delete one object that has no children (a message, a vector store file). */
  | { type: 'delete'; kind: StoredKind; parent: string; id: string }
  /** Delete a top-level object and everything under it (its `root`): rows, run events, file bytes. */
  | { type: 'deleteRoot'; root: string }
  | { type: 'putBytes'; id: string; bytes: Uint8Array }
  /** A run event at its log position (the SSE id). */
  | { type: 'event'; runId: string; root: string; position: number; event: string; frame: string; endsStream: boolean }
  /** Drop a run's events before `position` (the log was compacted). */
  | { type: 'dropEvents'; runId: string; before: number };

/** An object row read back, in creation order. */
export interface StoredObject {
  kind: StoredKind;
  parent: string;
  id: string;
  data: string;
}

/** A run event read back. */
export interface StoredEvent {
  runId: string;
  position: number;
  event: string;
  frame: string;
  endsStream: boolean;
}

/** Everything a database holds, as the server loads it at start. */
export interface StoredState {
  objects: StoredObject[];
  events: StoredEvent[];
  bytes: Map<string, Uint8Array>;
}

/** A database behind the server. */
export interface StorageEngine {
  /** Which engine: in reports and errors. */
  readonly name: 'sqlite' | 'postgres';
  /** Applies the migrations this database has not seen yet. */
  migrate(): Promise<void>;
  /** Reads everything back. */
  load(): Promise<StoredState>;
  /** Applies `ops` in one transaction, in order. */
  write(ops: readonly StorageOp[]): Promise<void>;
  close(): Promise<void>;
}

/** A database could not be opened, migrated, read or written: says which and why. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
