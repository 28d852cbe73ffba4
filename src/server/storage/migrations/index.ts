import { initial } from './001_initial.ts';
import { runCommands } from './002_run_commands.ts';
import { durableKeys } from './003_idempotency_keys.ts';
import { tenants } from './004_tenants.ts';
import { rateLimits } from './005_rate_limits.ts';

/**
 * One step of the schema, for each engine. Applied once, in version order, each in its own
 * transaction with its row in `schema_migrations`; a released migration is never edited —
 * a change is a new file with the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: readonly string[];
  postgres: readonly string[];
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [initial, runCommands, durableKeys, tenants, rateLimits];

/** The table that records which migrations a database has. */
export const MIGRATIONS_TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';
