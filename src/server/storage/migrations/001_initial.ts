import type { Migration } from './index.ts';

/**
 * The first schema: API objects as JSON rows (kind, parent, id) in creation order (`ord`),
 * each under its top-level object (`root`) so deleting a thread or vector store deletes what
 * it holds; run events by run and position; file bytes.
 */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sqlite: [
    `CREATE TABLE objects (
      ord INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL, parent TEXT NOT NULL, id TEXT NOT NULL, root TEXT NOT NULL,
      data TEXT NOT NULL,
      UNIQUE (kind, parent, id))`,
    'CREATE INDEX objects_root ON objects (root)',
    `CREATE TABLE run_events (
      run_id TEXT NOT NULL, position INTEGER NOT NULL, root TEXT NOT NULL,
      event TEXT NOT NULL, frame TEXT NOT NULL, ends_stream INTEGER NOT NULL,
      PRIMARY KEY (run_id, position))`,
    'CREATE INDEX run_events_root ON run_events (root)',
    'CREATE TABLE file_contents (id TEXT PRIMARY KEY, bytes BLOB NOT NULL)',
  ],
  postgres: [
    `CREATE TABLE objects (
      ord BIGSERIAL PRIMARY KEY,
      kind TEXT NOT NULL, parent TEXT NOT NULL, id TEXT NOT NULL, root TEXT NOT NULL,
      data TEXT NOT NULL,
      UNIQUE (kind, parent, id))`,
    'CREATE INDEX objects_root ON objects (root)',
    `CREATE TABLE run_events (
      run_id TEXT NOT NULL, position INTEGER NOT NULL, root TEXT NOT NULL,
      event TEXT NOT NULL, frame TEXT NOT NULL, ends_stream BOOLEAN NOT NULL,
      PRIMARY KEY (run_id, position))`,
    'CREATE INDEX run_events_root ON run_events (root)',
    'CREATE TABLE file_contents (id TEXT PRIMARY KEY, bytes BYTEA NOT NULL)',
  ],
};
