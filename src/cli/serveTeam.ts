import { readFile } from 'node:fs/promises';
import { KeysError, readKeysFile, type Limits, type ServerOptions, type TenantKey } from '../server/index.ts';
import { validMetricsToken } from '../server/operations/metricsAccess.ts';
import { optionalString, UsageError, type OptionSpec, type ParsedArgs } from './command.ts';

/** The `serve` options for running the server for a team: keys, limits, logs, shutdown, semantic search. */
export const TEAM_OPTIONS: Record<string, OptionSpec> = {
  keys: { type: 'string', value: 'FILE', description: 'API keys, each opening its tenant (JSON or lines of TENANT SHA256 [NAME]); reloaded on SIGHUP' },
  'requests-per-minute': { type: 'string', value: 'N', description: 'per key: answer 429 past N requests a minute (a key in --keys may set its own)' },
  'concurrent-runs': { type: 'string', value: 'N', description: 'per key: answer 429 to a new run while N of its runs are active' },
  log: { type: 'string', value: 'FORMAT', description: 'json: one JSON line per request, stream and error on stdout (default: none)' },
  'drain-timeout': { type: 'string', value: 'SECONDS', description: 'on SIGTERM or Ctrl+C, let open streams finish this long before ending their runs (default 10)' },
  'embedding-model': { type: 'string', value: 'NAME', description: "semantic file search: embed chunks with this model of --model-base-url's API" },
  'metrics-token-file': { type: 'string', value: 'FILE', description: 'GET /metrics answers only "Authorization: Bearer <the token in FILE>" (default: open)' },
};

/** What `serve` needs to run for a team, read from its flags. */
export interface TeamSettings {
  options: Pick<ServerOptions, 'keys' | 'limits' | 'log' | 'drainTimeoutMs' | 'embeddings' | 'metrics'>;
  /** The keys file, to read again on SIGHUP; undefined without --keys. */
  keysFile: string | undefined;
}

/**
 * `serve`'s team flags as server options: the keys file read and checked (a malformed one is
 * a usage error that says where, never a key), the limits, the JSON log on stdout, the drain
 * bound, the embedding model (which needs `--model-base-url`: it uses that API), and the token
 * `/metrics` requires (read from its file, never printed).
 *
 * @example `const team = await teamSettings(args, (line) => process.stdout.write(`${line}\n`));`
 */
export async function teamSettings(args: ParsedArgs, writeLine: (line: string) => void): Promise<TeamSettings> {
  const keysFile = optionalString(args, 'keys');
  let keys: TenantKey[] | undefined;
  if (keysFile !== undefined) {
    try {
      keys = await readKeysFile(keysFile);
    } catch (error) {
      if (error instanceof KeysError) throw new UsageError(`--keys: ${error.message}`);
      throw error;
    }
    if (keys.length === 0) throw new UsageError(`--keys: ${keysFile} lists no key (every request would be refused)`);
  }
  const limits: Limits = {};
  const perMinute = wholeNumber(args, 'requests-per-minute');
  const concurrent = wholeNumber(args, 'concurrent-runs');
  if (perMinute !== undefined) limits.requestsPerMinute = perMinute;
  if (concurrent !== undefined) limits.concurrentRuns = concurrent;
  const log = optionalString(args, 'log');
  if (log !== undefined && log !== 'json') throw new UsageError(`--log takes json, got ${JSON.stringify(log)}`);
  const drain = optionalString(args, 'drain-timeout');
  const drainSeconds = drain === undefined ? undefined : Number(drain);
  if (drainSeconds !== undefined && (!Number.isFinite(drainSeconds) || drainSeconds < 0)) throw new UsageError(`--drain-timeout takes seconds (0 or more), got ${JSON.stringify(drain)}`);
  const embeddingModel = optionalString(args, 'embedding-model');
  if (embeddingModel !== undefined && optionalString(args, 'model-base-url') === undefined) throw new UsageError('--embedding-model needs --model-base-url (the embeddings come from that API)');
  const metricsTokenFile = optionalString(args, 'metrics-token-file');
  const bearerToken = metricsTokenFile === undefined ? undefined : await readMetricsToken(metricsTokenFile);
  return {
    keysFile,
    options: {
      ...(keys === undefined ? {} : { keys }),
      ...(Object.keys(limits).length === 0 ? {} : { limits }),
      ...(log === undefined ? {} : { log: writeLine }),
      ...(drainSeconds === undefined ? {} : { drainTimeoutMs: drainSeconds * 1000 }),
      ...(embeddingModel === undefined ? {} : { embeddings: { model: embeddingModel } }),
      metrics: { processMetrics: true, ...(bearerToken === undefined ? {} : { bearerToken }) },
    },
  };
}

function wholeNumber(args: ParsedArgs, name: string): number | undefined {
  const value = optionalString(args, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} takes a whole number of at least 1, got ${JSON.stringify(value)}`);
  return Number(value);
}

// A secret's file, as Kubernetes and Prometheus keep them: the token, and perhaps a newline.
async function readMetricsToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--metrics-token-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const token = text.replace(/\r?\n$/, '');
  if (token === '') throw new UsageError(`--metrics-token-file: ${file} holds no token`);
  try {
    return validMetricsToken(token);
  } catch {
    throw new UsageError(`--metrics-token-file: the token in ${file} must be visible ASCII characters without spaces`);
  }
}
