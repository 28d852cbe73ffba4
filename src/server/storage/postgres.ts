import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { StorageError, type KeyClaim, type KeyEngine, type KeyRow, type ReceivedCommand, type RunCommand, type SharedDatabase, type StorageEngine, type StorageOp, type StoredKind, type StoredState } from './engine.ts';
import { insertClaimStatement, keyStatement, pruneStatements } from './keySql.ts';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations/index.ts';

// Migrations of several servers starting at once on one database take turns on this lock.
const MIGRATION_LOCK = 7_315_002;
/** The LISTEN/NOTIFY channel of committed changes, syncs and commands. */
const CHANNEL = 'assistant_machines';
// NOTIFY payloads must stay under 8,000 bytes; larger values are read back from their rows.
const PAYLOAD_LIMIT = 7_000;
const INLINE_LIMIT = 3_000;

/** One NOTIFY: a slice of a committed batch, a sync marker, or "commands for `commandsFor`". */
interface Notice {
  from: string;
  ops?: NoticeOp[];
  sync?: number;
  commandsFor?: string;
}

/** A write as a notice carries it: a value too large for a payload is `null`, read from its row. */
type NoticeOp =
  | (Omit<Extract<StorageOp, { type: 'put' }>, 'data'> & { data: string | null })
  | (Omit<Extract<StorageOp, { type: 'event' }>, 'frame'> & { frame: string | null })
  | { type: 'putBytes'; id: string }
  | Exclude<StorageOp, { type: 'put' | 'event' | 'putBytes' | 'command' | KeyOp['type'] }>;

/** Writes of remembered Idempotency-Keys: in the database only, never sent to other servers. */
type KeyOp = Extract<StorageOp, { type: 'keepKey' | 'forgetKey' }>;

/**
 * PostgreSQL through `pg`: the engine several servers share. A pool of connections; each
 * batch of writes is one transaction.
 *
 * @example `const engine = await openPostgres('postgres://127.0.0.1:5432/assistants');`
 */
export async function openPostgres(url: string): Promise<StorageEngine> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    throw new StorageError(`Cannot connect to PostgreSQL at ${redact(url)}: ${(error as Error).message}`, { cause: error });
  }
  return new PostgresEngine(pool, url);
}

/** The writes of a batch as notices, each payload under the limit. */
function noticesOf(from: string, ops: readonly StorageOp[]): Notice[] {
  const notices: Notice[] = [];
  let current: NoticeOp[] = [];
  let size = 0;
  const owners = new Set<string>();
  for (const op of ops) {
    let notice: NoticeOp;
    if (op.type === 'command') {
      owners.add(op.owner);
      continue;
    } else if (op.type === 'keepKey' || op.type === 'forgetKey') continue;
    else if (op.type === 'put') notice = op.data.length > INLINE_LIMIT ? { ...op, data: null } : op;
    else if (op.type === 'event') notice = op.frame.length > INLINE_LIMIT ? { ...op, frame: null } : op;
    else if (op.type === 'putBytes') notice = { type: 'putBytes', id: op.id };
    else notice = op;
    const length = JSON.stringify(notice).length + 1;
    if (size + length > PAYLOAD_LIMIT && current.length > 0) {
      notices.push({ from, ops: current });
      current = [];
      size = 0;
    }
    current.push(notice);
    size += length;
  }
  if (current.length > 0) notices.push({ from, ops: current });
  for (const owner of owners) notices.push({ from, commandsFor: owner });
  return notices;
}

/** The URL without its password, for errors. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.href;
  } catch {
    return '(an unparsable URL)';
  }
}

// One statement, so that racing servers each see the bucket the other left (ON CONFLICT locks
// the row): refilled for the time since it was counted, on the database's clock, then a token
// taken when one is whole. A new key starts with a full bucket, less the token it takes.
const REFILLED = 'LEAST($2::double precision, b.tokens + GREATEST(0, excluded.updated_at - b.updated_at) * $2::double precision / 60000.0)';
const TAKE_REQUEST_TOKEN = `INSERT INTO rate_limit_buckets AS b (key, tokens, updated_at, taken)
  VALUES ($1, $2::double precision - 1, extract(epoch FROM clock_timestamp()) * 1000, true)
  ON CONFLICT (key) DO UPDATE SET
    tokens = CASE WHEN ${REFILLED} >= 1 THEN ${REFILLED} - 1 ELSE ${REFILLED} END,
    taken = ${REFILLED} >= 1,
    updated_at = excluded.updated_at
  RETURNING tokens, taken`;

class PostgresEngine implements StorageEngine, SharedDatabase, KeyEngine {
  readonly name = 'postgres';
  readonly keys: KeyEngine = this;
  readonly pool: pg.Pool;
  readonly instanceId = randomUUID();
  readonly #url: string;
  #listener: pg.Client | undefined;
  #chain: Promise<void> = Promise.resolve();
  #syncs = 0;
  readonly #syncWaiters = new Map<number, () => void>();

  constructor(pool: pg.Pool, url: string) {
    this.pool = pool;
    this.#url = url;
  }

  get shared(): SharedDatabase {
    return this;
  }

  async listen(onWrites: (ops: StorageOp[]) => Promise<void> | void, onCommands: () => void): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url });
    await client.connect();
    this.#listener = client;
    client.on('error', () => {});
    // While this session lives, this server is alive: others find the lock taken.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [this.instanceId]);
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || message.payload === undefined) return;
      const notice = JSON.parse(message.payload) as Notice;
      // One at a time, in commit order: a batch is applied before the next is read.
      this.#chain = this.#chain.then(async () => {
        if (notice.sync !== undefined && notice.from === this.instanceId) {
          this.#syncWaiters.get(notice.sync)?.();
          this.#syncWaiters.delete(notice.sync);
        } else if (notice.commandsFor === this.instanceId) onCommands();
        else if (notice.ops !== undefined && notice.from !== this.instanceId) await onWrites(await this.#complete(notice.ops));
      }).catch(() => {});
    });
    await client.query(`LISTEN ${CHANNEL}`);
  }

  async sync(): Promise<void> {
    this.#syncs += 1;
    const sync = this.#syncs;
    const heard = new Promise<void>((resolve) => this.#syncWaiters.set(sync, resolve));
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ from: this.instanceId, sync } satisfies Notice)]);
    await heard;
  }

  async isAlive(instanceId: string): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS free', [instanceId]);
      if (rows[0]?.free !== true) return true;
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [instanceId]);
      return false;
    } finally {
      client.release();
    }
  }

  async claimIfGone(instanceId: string): Promise<boolean> {
    // On the listening session, which lives as long as this server: the claim lasts as long too.
    const listener = this.#listener;
    if (listener === undefined || instanceId === this.instanceId) return false;
    const { rows } = await listener.query<{ got: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS got', [instanceId]);
    return rows[0]?.got === true;
  }

  async takeCommands(): Promise<ReceivedCommand[]> {
    const { rows } = await this.pool.query<{ id: string; thread_id: string; run_id: string; command: string }>(
      'DELETE FROM run_commands WHERE owner = $1 RETURNING id, thread_id, run_id, command',
      [this.instanceId],
    );
    return rows
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((row) => ({ threadId: row.thread_id, runId: row.run_id, command: JSON.parse(row.command) as RunCommand }));
  }

  async takeRequestToken(key: string, perMinute: number): Promise<{ tokens: number; taken: boolean }> {
    const { rows } = await this.pool.query<{ tokens: number; taken: boolean }>(TAKE_REQUEST_TOKEN, [key, perMinute]);
    const row = rows[0]!;
    return { tokens: Number(row.tokens), taken: row.taken };
  }

  // A notice's writes with the values it left out read back from their rows.
  async #complete(ops: readonly NoticeOp[]): Promise<StorageOp[]> {
    const complete: StorageOp[] = [];
    for (const op of ops) {
      if (op.type === 'put' && op.data === null) {
        const { rows } = await this.pool.query<{ data: string }>('SELECT data FROM objects WHERE kind = $1 AND parent = $2 AND id = $3', [op.kind, op.parent, op.id]);
        if (rows[0] !== undefined) complete.push({ ...op, data: rows[0].data });
      } else if (op.type === 'event' && op.frame === null) {
        const { rows } = await this.pool.query<{ frame: string }>('SELECT frame FROM run_events WHERE run_id = $1 AND position = $2', [op.runId, op.position]);
        if (rows[0] !== undefined) complete.push({ ...op, frame: rows[0].frame });
      } else if (op.type === 'putBytes') {
        const { rows } = await this.pool.query<{ bytes: Buffer }>('SELECT bytes FROM file_contents WHERE id = $1', [op.id]);
        if (rows[0] !== undefined) complete.push({ type: 'putBytes', id: op.id, bytes: new Uint8Array(rows[0].bytes) });
      } else complete.push(op as StorageOp);
    }
    return complete;
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(MIGRATIONS_TABLE);
      const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => Number(row.version)));
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        try {
          await client.query('BEGIN');
          for (const sql of migration.postgres) await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new StorageError(`Migration ${migration.version} (${migration.name}) failed on ${redact(this.#url)}: ${(error as Error).message}`, { cause: error });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      client.release();
    }
  }

  async load(): Promise<StoredState> {
    const objects = await this.pool.query<{ kind: StoredKind; parent: string; id: string; data: string; tenant: string }>(
      'SELECT kind, parent, id, data, tenant FROM objects ORDER BY ord',
    );
    const events = await this.pool.query<{ run_id: string; position: number; event: string; frame: string; ends_stream: boolean }>(
      'SELECT run_id, position, event, frame, ends_stream FROM run_events ORDER BY run_id, position',
    );
    const bytes = await this.pool.query<{ id: string; bytes: Buffer }>('SELECT id, bytes FROM file_contents');
    return {
      objects: objects.rows.map(({ kind, parent, id, data, tenant }) => ({ kind, parent, id, data, tenant })),
      events: events.rows.map((row) => ({ runId: row.run_id, position: row.position, event: row.event, frame: row.frame, endsStream: row.ends_stream })),
      bytes: new Map(bytes.rows.map((row) => [row.id, new Uint8Array(row.bytes)])),
    };
  }

  async write(ops: readonly StorageOp[]): Promise<void> {
    if (ops.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const op of ops) for (const [sql, args] of statementsOf(op)) await client.query(sql, args);
      // Delivered to the listening servers when (and only if) the transaction commits, in commit order.
      for (const notice of noticesOf(this.instanceId, ops)) await client.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(notice)]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async claimKey(claim: KeyClaim): Promise<KeyRow | undefined> {
    // Each statement on its own (no transaction: two servers pruning at once must not deadlock);
    // the insert alone decides, waiting for a racing insert of the same key to commit.
    for (let attempt = 0; ; attempt += 1) {
      for (const { sql, args } of pruneStatements(claim, '$')) await this.pool.query(sql, args);
      const { sql, args } = insertClaimStatement(claim, '$');
      if ((await this.pool.query(sql, args)).rowCount === 1) return undefined;
      const { rows } = await this.pool.query<KeyRow>('SELECT fingerprint, answer, owner FROM idempotency_keys WHERE key = $1', [claim.key]);
      if (rows[0] !== undefined) return rows[0];
      // Pruned or expired between the insert and the read: claim it again.
      if (attempt === 2) throw new StorageError(`Could not claim the Idempotency-Key ${JSON.stringify(claim.key)}: it kept disappearing.`);
    }
  }

  async takeOverKey(claim: KeyClaim, from: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE idempotency_keys SET fingerprint = $1, expires_at = $2, owner = $3 WHERE key = $4 AND answer IS NULL AND owner = $5',
      [claim.fingerprint, claim.expiresAt, claim.owner, claim.key, from],
    );
    return rowCount === 1;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#chain;
    await this.#listener?.end().catch(() => {});
    await this.pool.end();
  }
}

function statementsOf(op: StorageOp): Array<[string, unknown[]]> {
  switch (op.type) {
    case 'put':
      return [
        [
          'INSERT INTO objects (kind, parent, id, root, data, tenant) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, parent, id) DO UPDATE SET data = excluded.data',
          [op.kind, op.parent, op.id, op.root, op.data, op.tenant],
        ],
      ];
    case 'delete':
      return [['DELETE FROM objects WHERE kind = $1 AND parent = $2 AND id = $3', [op.kind, op.parent, op.id]]];
    case 'deleteRoot':
      return [
        ['DELETE FROM objects WHERE root = $1', [op.root]],
        ['DELETE FROM run_events WHERE root = $1', [op.root]],
        ['DELETE FROM file_contents WHERE id = $1', [op.root]],
      ];
    case 'putBytes':
      return [['INSERT INTO file_contents (id, bytes) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes', [op.id, Buffer.from(op.bytes)]]];
    case 'event':
      return [
        [
          'INSERT INTO run_events (run_id, position, root, event, frame, ends_stream) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (run_id, position) DO NOTHING',
          [op.runId, op.position, op.root, op.event, op.frame, op.endsStream],
        ],
      ];
    case 'dropEvents':
      return [['DELETE FROM run_events WHERE run_id = $1 AND position < $2', [op.runId, op.before]]];
    case 'command':
      return [['INSERT INTO run_commands (owner, thread_id, run_id, command) VALUES ($1, $2, $3, $4)', [op.owner, op.threadId, op.runId, op.command]]];
    case 'keepKey':
    case 'forgetKey': {
      const { sql, args } = keyStatement(op, '$');
      return [[sql, args]];
    }
  }
}
