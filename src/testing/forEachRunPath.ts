import { AssistantsClient } from '../client/index.ts';
import type { RunScript, ServerOptions } from '../server/index.ts';
import { runPaths, type RunPath } from './runPaths.ts';

/** What a user's test gets for one run path: a fresh server whose next run follows the path. */
export interface RunPathTest {
  path: RunPath;
  /** The server's base URL (`http://127.0.0.1:PORT/v1`), for any client (the official SDK too). */
  baseURL: string;
  /** Our client, pointed at it. */
  client: AssistantsClient;
}

/** Options of {@link forEachRunPath}. */
export interface ForEachRunPathOptions {
  /** The most `requires_action` rounds a path takes (default 2); ignored when `paths` is given. */
  toolRounds?: number;
  /** The paths to run (default: every {@link runPaths} path up to `toolRounds`). */
  paths?: readonly RunPath[];
  /** The rest of each run's script: its tool calls per round, its answer, its error. */
  script?: Omit<RunScript, 'statuses'>;
  /** Options of each server (default pace: no delays). Its first run follows the path; later runs, the model. */
  server?: Omit<ServerOptions, 'runScripts' | 'port'>;
  /** A test still running after this long fails on its path (default 10 s). */
  timeoutMs?: number;
  /** How many paths run at once, each with its own server (default 1). */
  concurrency?: number;
}

/** A path the user's test failed on. */
export interface RunPathFailure {
  path: RunPath;
  /** The path, readable: `queued → in_progress → requires_action → queued → … → expired`. */
  description: string;
  /** What the test threw (or the timeout's error). */
  error: unknown;
}

/** What {@link forEachRunPath} found. */
export interface RunPathReport {
  total: number;
  passed: number;
  failures: RunPathFailure[];
  /** `68/70 run paths passed`, then one line per failure: `✗ <path>: <error message>`. */
  summary: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Runs a test once per run path, each against a fresh embedded server (Node only) whose first
 * run follows the path: failed, expired, incomplete, cancelled before, during or after a tool
 * call, after up to `toolRounds` tool round trips. Reports the paths the test failed on.
 *
 * @example
 * ```ts
 * const report = await forEachRunPath({ toolRounds: 2 }, async ({ client }) => {
 *   const run = await myToolLoop(client); // your app
 *   assert.ok(['completed', 'failed', 'expired', 'incomplete', 'cancelled'].includes(run.status));
 * });
 * assert.equal(report.failures.map((failure) => failure.description), []);
 * ```
 */
export async function forEachRunPath(options: ForEachRunPathOptions, test: (context: RunPathTest) => Promise<void> | void): Promise<RunPathReport> {
  // Loaded when used: the server is Node-only, the rest of this entry is not.
  const { createServer } = await import('../server/index.ts');
  const paths = options.paths ?? runPaths({ toolRounds: options.toolRounds ?? 2 });
  const failed: Array<RunPathFailure | undefined> = [];
  const runOne = async (path: RunPath, position: number): Promise<void> => {
    const server = await createServer({
      pace: { deltaDelayMs: 0, stepDelayMs: 0 },
      ...options.server,
      runScripts: [{ ...options.script, statuses: path.statuses }],
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the test did not finish within ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([Promise.resolve().then(() => test({ path, baseURL: server.url, client: new AssistantsClient({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 }) })), timedOut]);
    } catch (error) {
      failed[position] = { path, description: path.description, error };
    } finally {
      clearTimeout(timer);
      await server.close();
    }
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const position = next++;
      await runOne(paths[position]!, position);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 1, paths.length)) }, worker));
  // In the paths' order, whatever order they finished in.
  const failures = failed.filter((failure): failure is RunPathFailure => failure !== undefined);
  const lines = failures.map(({ description, error }) => `✗ ${description}: ${error instanceof Error ? error.message : String(error)}`);
  return {
    total: paths.length,
    passed: paths.length - failures.length,
    failures,
    summary: [`${paths.length - failures.length}/${paths.length} run paths passed`, ...lines].join('\n'),
  };
}
