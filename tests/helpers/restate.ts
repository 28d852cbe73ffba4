// The real restate-server for the Restate suite (tests/*.restate.ts) and the bench: installed from
// npm into a cache directory when missing (the binary is 225 MB, so it is not a dependency of the
// package and `npm install` never fetches it), started on loopback with every listener bound to
// 127.0.0.1 on a free port, and killed or stopped by the test.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The restate-server version the suite runs (the SDK's 1.17 speaks to 1.7). */
export const RESTATE_SERVER_VERSION = '1.7';
const CACHE = resolve('node_modules/.cache/restate-server');
const BINARY = join(CACHE, 'node_modules/@restatedev/restate-server-linux-x64/bin/restate-server');

/**
 * The path of the restate-server binary: `RESTATE_SERVER_BIN`, else the cached npm package,
 * installed (`npm install --no-save` into node_modules/.cache/restate-server) when missing.
 */
export function restateServerBinary(): string {
  const given = process.env['RESTATE_SERVER_BIN'];
  if (given !== undefined && given !== '') return given;
  if (!existsSync(BINARY)) {
    mkdirSync(CACHE, { recursive: true });
    if (!existsSync(join(CACHE, 'package.json'))) writeFileSync(join(CACHE, 'package.json'), '{"private":true}\n');
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `@restatedev/restate-server@${RESTATE_SERVER_VERSION}`], { cwd: CACHE, stdio: 'inherit' });
  }
  return BINARY;
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** A running restate-server. */
export interface RestateServer {
  ingressUrl: string;
  adminUrl: string;
  baseDir: string;
  /** SIGKILL: nothing flushed, nothing drained. */
  kill(): Promise<void>;
  /** Starts it again on the same base directory and ports (after `kill` or `stop`). */
  restart(): Promise<void>;
  /** SIGTERM, then removes the base directory. */
  stop(): Promise<void>;
  /** Registers (or re-registers) the service deployment at `uri`; `http1` registers it for HTTP/1.1 request-response. */
  register(uri: string, options?: { http1?: boolean }): Promise<void>;
  /** Runs a query on the admin API's SQL introspection (`sys_journal`, `sys_invocation`, `state`). */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
}

/**
 * Starts restate-server with a temporary base directory, its ingress, admin and node-to-node
 * listeners on 127.0.0.1 (free ports, TCP only), telemetry off, and retry waits short enough for
 * tests (100 ms, at most 500 ms: a worker that is back is used within half a second).
 *
 * @example `const restate = await startRestate(); … await restate.register(worker.url); … await restate.stop();`
 */
export async function startRestate(): Promise<RestateServer> {
  const binary = restateServerBinary();
  const baseDir = mkdtempSync(join(tmpdir(), 'restate-'));
  const [ingress, admin, fabric] = [await freePort(), await freePort(), await freePort()];
  const config = join(baseDir, 'restate.toml');
  writeFileSync(
    config,
    [
      'listen-mode = "tcp"',
      `bind-address = "127.0.0.1:${fabric}"`,
      `advertised-address = "http://127.0.0.1:${fabric}/"`,
      'disable-telemetry = true',
      'default-num-partitions = 4',
      'log-filter = "warn"',
      '[default-retry-policy]',
      'initial-interval = "100ms"',
      'exponentiation-factor = 2.0',
      'max-interval = "500ms"',
      'max-attempts = 2000',
      'on-max-attempts = "pause"',
      '[admin]',
      `bind-address = "127.0.0.1:${admin}"`,
      '[ingress]',
      `bind-address = "127.0.0.1:${ingress}"`,
      '',
    ].join('\n'),
  );
  const ingressUrl = `http://127.0.0.1:${ingress}`;
  const adminUrl = `http://127.0.0.1:${admin}`;
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async () => {
    child = spawn(binary, ['--base-dir', baseDir, '--config-file', config, '--no-logo'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
    child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`restate-server exited (${child.exitCode}) while starting:\n${output}`);
      const healthy = await Promise.all([`${adminUrl}/health`, `${ingressUrl}/restate/health`].map((url) => fetch(url).then((answer) => answer.ok, () => false)));
      if (healthy.every(Boolean)) return;
      if (Date.now() - started > 30_000) throw new Error(`restate-server did not answer /health within 30 s:\n${output}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  };
  const ended = (signal: NodeJS.Signals) =>
    new Promise<void>((done) => {
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill(signal);
    });

  await launch();
  return {
    ingressUrl,
    adminUrl,
    baseDir,
    kill: () => ended('SIGKILL'),
    restart: launch,
    async stop() {
      await ended('SIGTERM');
      rmSync(baseDir, { recursive: true, force: true });
    },
    async register(uri, options = {}) {
      const answer = await fetch(`${adminUrl}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uri, force: true, ...(options.http1 ? { use_http_11: true } : {}) }),
      });
      if (!answer.ok) throw new Error(`registering ${uri}: ${answer.status} ${await answer.text()}`);
    },
    async query(sql) {
      const answer = await fetch(`${adminUrl}/query`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: sql }) });
      if (!answer.ok) throw new Error(`query ${sql}: ${answer.status} ${await answer.text()}`);
      return ((await answer.json()) as { rows: never[] }).rows;
    },
  };
}
