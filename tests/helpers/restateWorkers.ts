import { spawn, type ChildProcess } from 'node:child_process';
import { bundleChild } from './childBundle.ts';

const bundle = bundleChild('helpers/restate-worker.ts', 'restate-worker');

/** A worker process serving the Restate suite's services (tests/helpers/restate-worker.ts). */
export interface RestateWorker {
  /** The deployment URI to register. */
  url: string;
  port: number;
  process: ChildProcess;
  /** Resolves when the process has exited (by itself, or killed). */
  exited: Promise<void>;
  /** SIGKILL (nothing left to clean up: its state is Restate's). */
  kill(): Promise<void>;
}

/**
 * Starts a worker on 127.0.0.1 (`PORT` in `env`, or a free one) and waits until it listens.
 *
 * @example `const worker = await startWorker({ AM_BASE_URL: server.url, RECORD_FILE: file });`
 */
export async function startWorker(env: Record<string, string>): Promise<RestateWorker> {
  await bundle.ready;
  const child = spawn(process.execPath, [bundle.path], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (errors = (errors + text).slice(-10_000)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const match = /listening (\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`the worker exited before it listened:\n${errors}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
