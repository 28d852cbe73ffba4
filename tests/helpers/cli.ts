import { spawn } from 'node:child_process';
import type { CliIO } from '../../src/cli/terminal.ts';
import { bundleChild } from './childBundle.ts';

/** A CliIO that keeps what was written; `tty: true` makes stdout claim to be a terminal. */
export interface CapturedIO extends CliIO {
  out(): string;
  err(): string;
}

export function captureIO(env: Record<string, string | undefined> = {}, tty = false): CapturedIO {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: tty },
    stderr: { write: (text: string) => (err += text) },
    env,
    out: () => out,
    err: () => err,
  };
}

/** What a CLI process did. */
export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The CLI's current source, bundled as scripts/build.mjs bundles the bin: a child starts in a
// fraction of the time `--import tsx` takes. It sits two folders below the repository, like
// dist/esm/cli.js, so the demo finds its document the same way.
let cliBundle: ReturnType<typeof bundleChild> | undefined;

async function bundleCli(): Promise<string> {
  cliBundle ??= bundleChild('../src/cli/main.ts', 'cli');
  await cliBundle.ready;
  return cliBundle.path;
}

/**
 * Runs the CLI (its current source) in a child process with piped (non-TTY) output and `env` on top of
 * a clean environment (no OPENAI_* variables leak in from the developer's shell).
 */
export async function spawnCli(args: string[], env: Record<string, string> = {}, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<ProcessResult> {
  const bundle = await bundleCli();
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPENAI_') && name !== 'NO_COLOR' && name !== 'FORCE_COLOR'));
  const child = spawn(process.execPath, [bundle, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    onStdout?.(stdout, child);
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The text without the footer's timing (`· 0.3 s`), which differs between two runs of anything. */
export function withoutTimes(text: string): string {
  return text.replace(/ · \d+\.\d s/g, ' · (time)');
}

/**
 * Starts `serve --port 0 --fast` with `args` in this process; `listening` resolves with its URL
 * once it listens (or rejects with its output if it exits first), `stop` ends it as Ctrl+C does.
 */
export function startServe(args: string[], env: Record<string, string>) {
  const stop = new AbortController();
  let out = '';
  let announce: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => (announce = resolve));
  const io: CliIO = {
    stdout: {
      write: (text: string) => {
        out += text;
        const url = /listening on (http:\S+)/.exec(out)?.[1];
        if (url !== undefined) announce(url);
      },
      isTTY: false,
    },
    stderr: { write: (text: string) => (out += text) },
    env,
    signal: stop.signal,
  };
  // Imported here: most files that use these helpers never run the CLI in their own process.
  const exit = import('../../src/cli/main.ts').then(({ runCli }) => runCli(['serve', '--port', '0', '--fast', ...args], io));
  return { listening: Promise.race([listening, exit.then((code) => Promise.reject(new Error(`serve exited ${code}: ${out}`)))]), exit, stop: () => stop.abort(), output: () => out };
}
