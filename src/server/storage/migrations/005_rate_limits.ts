import type { Migration } from './index.ts';

/**
 * Per-key request buckets shared by the servers on one PostgreSQL: the tokens left and when
 * they were counted (milliseconds on the database's clock, so servers with skewed clocks count
 * alike), and whether the last request took one. SQLite serves one server, which counts in
 * memory: no table there.
 */
export const rateLimits: Migration = {
  version: 5,
  name: 'rate_limits',
  sqlite: [],
  postgres: ['CREATE TABLE rate_limit_buckets (key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, taken BOOLEAN NOT NULL)'],
};
