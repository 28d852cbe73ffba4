import { createClient, type Client, type InStatement } from '@libsql/client';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StorageError, type KeyClaim, type KeyEngine, type KeyRow, type StorageEngine, type StorageOp, type StoredKind, type StoredState } from './engine.ts';
import { keyStatement, pruneStatements } from './keySql.ts';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations/index.ts';

/** The database file inside a data directory. */
export const SQLITE_FILE = 'assistant-machines.db';

/**
 * SQLite through `@libsql/client` (its native binary ships inside the npm package): the
 * embedded engine, one file in `dataDir`. WAL journal, `synchronous=NORMAL`: a committed
 * write survives the process being killed (only a power loss may take the last ones).
 *
 * @example `const engine = await openSqlite('./data'); await engine.migrate();`
 */
export async function openSqlite(dataDir: string): Promise<StorageEngine> {
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new StorageError(`Cannot create the data directory ${dataDir}: ${(error as Error).message}`, { cause: error });
  }
  const path = join(resolve(dataDir), SQLITE_FILE);
  const client = createClient({ url: pathToFileURL(path).href });
  try {
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = NORMAL');
    await client.execute('PRAGMA busy_timeout = 5000');
  } catch (error) {
    client.close();
    throw new StorageError(`Cannot open the SQLite database ${path}: ${(error as Error).message}`, { cause: error });
  }
  return new SqliteEngine(client, path);
}

class SqliteEngine implements StorageEngine, KeyEngine {
  readonly name = 'sqlite';
  readonly keys: KeyEngine = this;
  readonly #client: Client;
  readonly #path: string;

  constructor(client: Client, path: string) {
    this.#client = client;
    this.#path = path;
  }

  async migrate(): Promise<void> {
    await this.#client.execute(MIGRATIONS_TABLE);
    const applied = new Set((await this.#client.execute('SELECT version FROM schema_migrations')).rows.map((row) => Number(row['version'])));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      try {
        await this.#client.batch(
          [
            ...migration.sqlite,
            { sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', args: [migration.version, migration.name, new Date().toISOString()] },
          ],
          'write',
        );
      } catch (error) {
        throw new StorageError(`Migration ${migration.version} (${migration.name}) failed on ${this.#path}: ${(error as Error).message}`, { cause: error });
      }
    }
  }

  async load(): Promise<StoredState> {
    const [objects, events, bytes] = await this.#client.batch(
      [
        'SELECT kind, parent, id, data, tenant FROM objects ORDER BY ord',
        'SELECT run_id, position, event, frame, ends_stream FROM run_events ORDER BY run_id, position',
        'SELECT id, bytes FROM file_contents',
      ],
      'read',
    );
    return {
      objects: objects!.rows.map((row) => ({
        kind: String(row['kind']) as StoredKind,
        parent: String(row['parent']),
        id: String(row['id']),
        data: String(row['data']),
        tenant: String(row['tenant']),
      })),
      events: events!.rows.map((row) => ({
        runId: String(row['run_id']),
        position: Number(row['position']),
        event: String(row['event']),
        frame: String(row['frame']),
        endsStream: Number(row['ends_stream']) === 1,
      })),
      bytes: new Map(bytes!.rows.map((row) => [String(row['id']), new Uint8Array(row['bytes'] as ArrayBuffer)])),
    };
  }

  async write(ops: readonly StorageOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.#client.batch(ops.flatMap(statementsOf), 'write');
  }

  async ping(): Promise<void> {
    await this.#client.execute('SELECT 1');
  }

  async close(): Promise<void> {
    this.#client.close();
  }

  async claimKey(claim: KeyClaim): Promise<KeyRow | undefined> {
    const prune = pruneStatements(claim, '?');
    const read = { sql: 'SELECT fingerprint, answer, owner FROM idempotency_keys WHERE key = ? AND expires_at > ? AND answer IS NOT NULL', args: [claim.key, claim.now] };
    const results = prune.length === 0 ? [await this.#client.execute(read)] : await this.#client.batch([...prune, read], 'write');
    const row = results.at(-1)!.rows[0];
    return row === undefined ? undefined : { fingerprint: String(row['fingerprint']), answer: String(row['answer']), owner: String(row['owner']) };
  }

  async takeOverKey(claim: KeyClaim, from: string): Promise<boolean> {
    const { rows } = await this.#client.execute({
      sql: 'UPDATE idempotency_keys SET fingerprint = ?, expires_at = ?, owner = ? WHERE key = ? AND answer IS NULL AND owner = ? RETURNING ord',
      args: [claim.fingerprint, claim.expiresAt, claim.owner, claim.key, from],
    });
    return rows.length === 1;
  }
}

function statementsOf(op: StorageOp): InStatement | InStatement[] {
  switch (op.type) {
    case 'put':
      return {
        sql: 'INSERT INTO objects (kind, parent, id, root, data, tenant) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, parent, id) DO UPDATE SET data = excluded.data',
        args: [op.kind, op.parent, op.id, op.root, op.data, op.tenant],
      };
    case 'delete':
      return { sql: 'DELETE FROM objects WHERE kind = ? AND parent = ? AND id = ?', args: [op.kind, op.parent, op.id] };
    case 'deleteRoot':
      return [
        { sql: 'DELETE FROM objects WHERE root = ?', args: [op.root] },
        { sql: 'DELETE FROM run_events WHERE root = ?', args: [op.root] },
        { sql: 'DELETE FROM file_contents WHERE id = ?', args: [op.root] },
      ];
    case 'putBytes':
      return { sql: 'INSERT INTO file_contents (id, bytes) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes', args: [op.id, op.bytes] };
    case 'event':
      return {
        sql: 'INSERT INTO run_events (run_id, position, root, event, frame, ends_stream) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, position) DO NOTHING',
        args: [op.runId, op.position, op.root, op.event, op.frame, op.endsStream ? 1 : 0],
      };
    case 'dropEvents':
      return { sql: 'DELETE FROM run_events WHERE run_id = ? AND position < ?', args: [op.runId, op.before] };
    case 'command':
      // One server per SQLite file: every run is its own, no command ever crosses.
      return [];
    case 'keepKey':
    case 'forgetKey':
      return keyStatement(op, '?');
  }
}
