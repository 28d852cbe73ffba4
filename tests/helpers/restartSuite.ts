import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import type { ServerOptions } from '../../src/server/index.ts';
import { startTestServer, type TestServer } from './server.ts';

/**
 * A uvu suite for servers that stop and start again on SQLite data directories: `serverOn(dir)`
 * starts a server on `dir` (in memory without one), `dataDir(dirs)` makes a fresh directory.
 * After the suite every server is closed — a failed assertion must not leave one holding the
 * process open — and every directory removed.
 *
 * @example `const { test, serverOn, dataDir } = restartSuite('durable state (SQLite)');`
 */
export function restartSuite(name: string) {
  const test = suite<{ dirs: string[] }>(name);
  const opened: TestServer[] = [];
  test.before((context) => {
    context.dirs = [];
  });
  test.after(async ({ dirs }) => {
    for (const server of opened) await server.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  return {
    test,
    async serverOn(dataDir?: string, options: ServerOptions = {}): Promise<TestServer> {
      const server = await startTestServer({ ...(dataDir === undefined ? {} : { dataDir }), ...options });
      opened.push(server);
      return server;
    },
    async dataDir(dirs: string[]): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'assistant-machines-durable-'));
      dirs.push(dir);
      return dir;
    },
  };
}
