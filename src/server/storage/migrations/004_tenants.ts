import type { Migration } from './index.ts';

/**
 * Tenants: every object row names the tenant of its top-level object (an assistant, thread,
 * file or vector store), so a server with several keys shows each tenant only its own after a
 * restart and across servers. Rows written before have the tenant `default`: the tenant of a
 * server without keys (or with one `apiKey`), which a keys file may name to keep them.
 */
export const tenants: Migration = {
  version: 4,
  name: 'tenants',
  sqlite: ["ALTER TABLE objects ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default'"],
  postgres: ["ALTER TABLE objects ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default'"],
};
