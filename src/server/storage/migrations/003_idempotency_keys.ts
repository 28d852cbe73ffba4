import type { Migration } from './index.ts';

/**
 * Remembered `Idempotency-Key`s: one row per key (unique: the database decides which request a
 * key belongs to when two servers race on it), the request's fingerprint, when it expires, the
 * server answering it, and once answered the kept answer as JSON (NULL while in progress).
 * `ord` orders keys by first use, so the oldest are pruned past `maxKeys`. (`/v1/responses`
 * objects need no table of their own: they are `objects` rows of kind `response`.)
 */
export const durableKeys: Migration = {
  version: 3,
  name: 'idempotency_keys',
  sqlite: [
    `CREATE TABLE idempotency_keys (
      ord INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL UNIQUE, fingerprint TEXT NOT NULL, expires_at INTEGER NOT NULL,
      owner TEXT NOT NULL, answer TEXT)`,
    'CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at)',
  ],
  postgres: [
    `CREATE TABLE idempotency_keys (
      ord BIGSERIAL PRIMARY KEY,
      key TEXT NOT NULL UNIQUE, fingerprint TEXT NOT NULL, expires_at BIGINT NOT NULL,
      owner TEXT NOT NULL, answer TEXT)`,
    'CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at)',
  ],
};
