import pg from 'pg';
import { StorageError, type StorageEngine, type StorageOp, type StoredKind, type StoredState } from './engine.ts';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations/index.ts';

// Migrations of several servers starting at once on one database take turns on this lock.
const MIGRATION_LOCK = 7_315_002;

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

class PostgresEngine implements StorageEngine {
  readonly name = 'postgres';
  readonly pool: pg.Pool;
  readonly #url: string;

  constructor(pool: pg.Pool, url: string) {
    this.pool = pool;
    this.#url = url;
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
    const objects = await this.pool.query<{ kind: StoredKind; parent: string; id: string; data: string }>('SELECT kind, parent, id, data FROM objects ORDER BY ord');
    const events = await this.pool.query<{ run_id: string; position: number; event: string; frame: string; ends_stream: boolean }>(
      'SELECT run_id, position, event, frame, ends_stream FROM run_events ORDER BY run_id, position',
    );
    const bytes = await this.pool.query<{ id: string; bytes: Buffer }>('SELECT id, bytes FROM file_contents');
    return {
      objects: objects.rows.map(({ kind, parent, id, data }) => ({ kind, parent, id, data })),
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
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function statementsOf(op: StorageOp): Array<[string, unknown[]]> {
  switch (op.type) {
    case 'put':
      return [
        [
          'INSERT INTO objects (kind, parent, id, root, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, parent, id) DO UPDATE SET data = excluded.data',
          [op.kind, op.parent, op.id, op.root, op.data],
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
  }
}
