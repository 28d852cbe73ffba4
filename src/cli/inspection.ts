import { spawn } from 'node:child_process';
import type { InspectionEvent } from 'xstate';
import { createFrameSender, createInspector, type Inspector } from '../../inspect/index.ts';
import { UsageError, type OptionSpec } from './command.ts';
import type { Terminal } from './terminal.ts';

/** The `--inspect [WS_URL]` option of `demo`, `run` and `replay`. */
export const INSPECT_OPTION: OptionSpec = {
  type: 'string',
  value: 'WS_URL',
  description: 'watch it in the inspector: start one (its URL is printed), or send to a running one at WS_URL',
  optionalValue: (candidate) => /^wss?:\/\//i.test(candidate),
};

/** Where a command's streams are inspected, and how it ends. */
export interface Inspection {
  /** Feed for the streams' `inspect` option. */
  inspect: (event: InspectionEvent) => void;
  /** After the command: sends what is left, and keeps a started inspector open until Ctrl+C. */
  finish(signal: AbortSignal | undefined): Promise<void>;
}

/**
 * Starts what `--inspect` asks for: `''` starts an inspector in this process and prints its
 * URL; a `ws://` URL sends the frames to an inspector that is already running; undefined
 * inspects nothing.
 *
 * @example `const inspection = await startInspection(optionalString(args, 'inspect'), term);`
 */
export async function startInspection(value: string | undefined, term: Terminal): Promise<Inspection | undefined> {
  if (value === undefined) return undefined;
  if (value === '') {
    const inspector = await createInspector();
    printInspectorUrls(term, inspector);
    return {
      inspect: inspector.inspect,
      async finish(signal) {
        term.line(term.colors.dim(`the inspector keeps serving at ${inspector.url} — Ctrl+C stops it`));
        await untilAborted(signal);
        await inspector.close();
      },
    };
  }
  if (!/^wss?:\/\/[^/]/i.test(value)) throw new UsageError(`--inspect takes a ws:// URL (what 'inspect' printed), got ${JSON.stringify(value)}`);
  const sender = createFrameSender(value, { onError: (error) => term.error(`inspector at ${value.replace(/token=[^&]*/, 'token=…')}: ${error.message}`) });
  term.line(term.colors.dim('sending inspection frames to the inspector at the given WebSocket URL'));
  return { inspect: sender.inspect, finish: () => sender.close() };
}

/**
 * The two lines scripts read: the UI's URL, then the WebSocket URL, each alone on its line.
 *
 * @example `printInspectorUrls(term, await createInspector());`
 */
export function printInspectorUrls(term: Terminal, inspector: Pick<Inspector, 'url' | 'wsUrl'>): void {
  term.line(`${term.colors.bold('inspector')} ${term.colors.dim('(open the first URL; XState apps send frames to the second)')}`);
  term.line(inspector.url);
  term.line(inspector.wsUrl);
}

/**
 * Opens a URL in the desktop's browser, if there is one; silently does nothing otherwise.
 *
 * @example `openInBrowser(inspector.url);`
 */
export function openInBrowser(url: string): void {
  const [command, ...args] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  try {
    const child = spawn(command!, args, { stdio: 'ignore', detached: true });
    child.once('error', () => {});
    child.unref();
  } catch {
    // No opener on this machine: the URL is printed anyway.
  }
}

/** Resolves when `signal` fires (never without one, as a server should). */
export function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Both observers at once: the command's own (its state journal) and the inspector's.
 *
 * @example `inspect: both(journal.inspect, inspection?.inspect)`
 */
export function both(first: ((event: InspectionEvent) => void) | undefined, second: ((event: InspectionEvent) => void) | undefined): ((event: InspectionEvent) => void) | undefined {
  if (first === undefined) return second;
  if (second === undefined) return first;
  return (event) => {
    first(event);
    second(event);
  };
}
