// A throwaway PostgreSQL cluster for the scale-out tests: Debian's binaries, initdb in a
// temporary directory, a free loopback port, trust auth; run as the `postgres` user when
// the tests run as root (the server refuses root). Stopped and deleted by `stop`.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running cluster: its URL and how to stop it. */
export interface TestCluster {
  url: string;
  stop(): Promise<void>;
}

/** Where Debian installs the server binaries (the newest version present), or PG_BIN. */
export function postgresBinaries(): string {
  const root = '/usr/lib/postgresql';
  const newest = existsSync(root) ? readdirSync(root).filter((version) => /^\d+$/.test(version)).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  return process.env['PG_BIN'] ?? join(root, newest ?? '15', 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a fresh cluster and creates the database `assistants` in it. */
export async function startCluster(): Promise<TestCluster> {
  const bin = postgresBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'assistant-machines-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await chmod(dir, 0o700);
  }
  const as = (command: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : run(join(bin, command), args));
  const data = join(dir, 'data');
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  await as('pg_ctl', ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`, '-l', join(dir, 'log'), '-w', 'start']);
  await as('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'assistants']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/assistants`,
    async stop() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
