import type { Migration } from './index.ts';

/**
 * Commands for a run that another server executes (several servers on one PostgreSQL):
 * cancel, tool outputs, metadata, picked up by the owner. SQLite has one server per file and
 * never writes here; the table exists so both schemas keep the same versions.
 */
export const runCommands: Migration = {
  version: 2,
  name: 'run_commands',
  sqlite: ['CREATE TABLE run_commands (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, thread_id TEXT NOT NULL, run_id TEXT NOT NULL, command TEXT NOT NULL)'],
  postgres: [
    'CREATE TABLE run_commands (id BIGSERIAL PRIMARY KEY, owner TEXT NOT NULL, thread_id TEXT NOT NULL, run_id TEXT NOT NULL, command TEXT NOT NULL)',
    'CREATE INDEX run_commands_owner ON run_commands (owner)',
  ],
};
