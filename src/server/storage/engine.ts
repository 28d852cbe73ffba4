/**
 * The storage interface of the server: how its working set (the objects in memory that the
 * routes read and change) reaches a database and comes back after a restart. Two engines
 * implement it: SQLite through `@libsql/client` (embedded, `--data-dir`) and PostgreSQL
 * through `pg` (`--database-url`).
 */

/** The kinds of object rows; each is one API object as JSON (see docs/design.md). */
export type StoredKind =
  | 'assistant'
  | 'thread'
  | 'message'
  | 'run'
  | 'step'
  | 'file'
  | 'vector_store'
  | 'vector_store_file'
  | 'file_batch'
  | 'response'
  | 'conversation'
  | 'conversation_item';

/** One write; a batch of them is applied in one transaction, in order. */
export type StorageOp =
  /**
   * Insert or replace an object; a replaced object keeps its place in creation order, and its
   * tenant (the tenant of its top-level object, `root`: set once, on insert).
   */
  | { type: 'put'; kind: StoredKind; parent: string; id: string; root: string; data: string; tenant: string }
  /** Delete one object that has no children (a message, a vector store file). */
  | { type: 'delete'; kind: StoredKind; parent: string; id: string }
  /** Delete a top-level object and everything under it (its `root`): rows, run events, file bytes. */
  | { type: 'deleteRoot'; root: string }
  | { type: 'putBytes'; id: string; bytes: Uint8Array }
  /** A run event at its log position (the SSE id). */
  | { type: 'event'; runId: string; root: string; position: number; event: string; frame: string; endsStream: boolean; committed?: () => void }
  /** Drop a run's events before `position` (the log was compacted). */
  | { type: 'dropEvents'; runId: string; before: number }
  /** A command (JSON of a {@link RunCommand}) for the server that executes a run. */
  | { type: 'command'; owner: string; threadId: string; runId: string; command: string }
  /** Keep the answer (JSON of a `KeptAnswer`) of an `Idempotency-Key`, claimed by `owner`. */
  | { type: 'keepKey'; key: string; fingerprint: string; expiresAt: number; owner: string; answer: string }
  /** Forget a key `owner` claimed (its request failed and may run again). */
  | { type: 'forgetKey'; key: string; owner: string };

/** What a server asks when it claims an `Idempotency-Key`. */
export interface KeyClaim {
  key: string;
  fingerprint: string;
  /** Now, in ms since the epoch: keys expired by then are forgotten first. */
  now: number;
  expiresAt: number;
  /** The server claiming it. */
  owner: string;
  /** Forget the oldest keys so that at most this many remain with the new one; undefined: not this time. */
  pruneTo: number | undefined;
}

/** The `Idempotency-Key` table of a database. */
export interface KeyEngine {
  /**
   * Claims an `Idempotency-Key`: undefined when this request has it now, else the row of the
   * request that has it. On PostgreSQL the insert of a unique key decides between racing
   * servers. On SQLite (one server per file, whose own in-memory keys decide between its
   * concurrent requests) it is a read: only answered keys are written, and a key without an
   * answer — its server stopped before answering — counts as free.
   */
  claimKey(claim: KeyClaim): Promise<KeyRow | undefined>;
  /** Takes over a key still without answer from `from` (a server that is gone); whether it did. */
  takeOverKey(claim: KeyClaim, from: string): Promise<boolean>;
}

/** A key another request claimed, read back. */
export interface KeyRow {
  fingerprint: string;
  /** JSON of its `KeptAnswer`, or null while that request is being answered. */
  answer: string | null;
  owner: string;
}

/** What one server asks of the server executing a run (several servers on one database). */
export type RunCommand =
  | { type: 'cancel' }
  | { type: 'submit_tool_outputs'; outputs: Array<{ tool_call_id?: string | undefined; output?: string | undefined }> }
  | { type: 'metadata'; metadata: Record<string, string> };

/** A command picked up by the server it was for. */
export interface ReceivedCommand {
  threadId: string;
  runId: string;
  command: RunCommand;
}

/**
 * A database several servers share: each hears the changes the others commit, in commit
 * order, and the commands for the runs it executes.
 */
export interface SharedDatabase {
  /** This server's id: the owner recorded on the runs it executes. */
  readonly instanceId: string;
  /**
   * Starts hearing others' committed writes (complete, in commit order: the next batch is
   * passed once the previous one's promise settled) and the arrival of commands for this server.
   */
  listen(onWrites: (ops: StorageOp[]) => Promise<void> | void, onCommands: () => void): Promise<void>;
  /** Resolves once every write others committed before this call has been passed to `onWrites`. */
  sync(): Promise<void>;
  /** Whether the server with this id is running (holds its session). */
  isAlive(instanceId: string): Promise<boolean>;
  /**
   * Takes the liveness lock of a server that is gone, and keeps it while this server runs: true
   * for the one server that got it, so only that one ends the runs the gone server executed.
   * False while that server runs, or once another took its lock.
   */
  claimIfGone(instanceId: string): Promise<boolean>;
  /** The commands waiting for this server, removed from the database. */
  takeCommands(): Promise<ReceivedCommand[]>;
  /**
   * Takes a token from `key`'s request bucket, shared by every server on this database (a
   * minute's worth, `perMinute`, refilled continuously on the database's clock): the tokens left,
   * and whether one was taken.
   */
  takeRequestToken(key: string, perMinute: number): Promise<{ tokens: number; taken: boolean }>;
}

/** An object row read back, in creation order. */
export interface StoredObject {
  kind: StoredKind;
  parent: string;
  id: string;
  data: string;
  /** The tenant of its top-level object (`default` for rows written before tenants). */
  tenant: string;
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
  /** Rejects unless the database answers a trivial query now (a readiness probe). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Where the remembered `Idempotency-Key`s are (both engines have them). */
  readonly keys?: KeyEngine;
  /** Set when several servers may share this database (PostgreSQL). */
  readonly shared?: SharedDatabase;
}

/** A database could not be opened, migrated, read or written: says which and why. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
