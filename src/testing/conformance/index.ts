import { type CheckContext, CheckFailure, NotOffered } from './http.ts';
import { CONFORMANCE_CHECKS, type SharedState } from './checks.ts';

export { CONFORMANCE_CHECKS, type ConformanceCheck } from './checks.ts';

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** The server's base URL, ending in `/v1` (or whatever prefix its paths have). */
  baseURL: string;
  /** Sent as `Authorization: Bearer …`; any string for a server without authentication. */
  apiKey?: string | undefined;
  /** The header the key goes in: `authorization` (as `Bearer KEY`, default) or e.g. Azure's `api-key`. */
  apiKeyHeader?: string | undefined;
  /** Query parameters added to every request, e.g. `{ 'api-version': '2024-05-01-preview' }` for Azure. */
  query?: Readonly<Record<string, string>> | undefined;
  /** The model (deployment) the assistants are created with; default `gpt-4o-mini`. */
  model?: string | undefined;
  /** How long one check may take before it fails; default 60 s. */
  timeoutMs?: number | undefined;
  /** The fetch to use (a proxy-aware one); default the global fetch. */
  fetch?: typeof fetch | undefined;
  /** Only these check ids (default: all of {@link CONFORMANCE_CHECKS}). */
  only?: readonly string[] | undefined;
  /** Called after each check, for progress output. */
  onResult?: ((result: ConformanceCheckResult) => void) | undefined;
}

/** One check's outcome. */
export interface ConformanceCheckResult {
  id: string;
  title: string;
  status: 'passed' | 'failed' | 'not offered';
  /** Why it failed, or what is not offered. */
  detail?: string;
  /** Deviations that do not fail it (a skipped status, a missing poll header). */
  warnings: string[];
  durationMs: number;
}

/** The whole report, as `--json` writes it. */
export interface ConformanceReport {
  baseURL: string;
  startedAt: string;
  durationMs: number;
  /** Offered checks that passed. */
  passed: number;
  /** Offered checks (not-offered ones excluded). */
  total: number;
  /** Every offered check passed. */
  ok: boolean;
  checks: ConformanceCheckResult[];
}

/**
 * Runs the conformance suite against any Assistants-compatible server: CRUD and error
 * envelopes, pagination, streaming event order read by the statecharts in strict mode,
 * polling, function tools and the requires_action round trip, code interpreter, vector stores,
 * file search with citations, cancel. A capability the server refuses outright (a 404/400 when
 * creating it) is reported "not offered", not failed.
 *
 * @example
 * ```ts
 * const report = await runConformance({ baseURL: server.url, apiKey: 'unused' });
 * console.log(`${report.passed}/${report.total}`, report.checks.filter((check) => check.status === 'failed'));
 * ```
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const baseURL = options.baseURL.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseURL)) throw new TypeError(`baseURL must be an http(s) URL (got ${JSON.stringify(options.baseURL)})`);
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new TypeError(`timeoutMs must be a positive number (got ${timeoutMs})`);
  const checks = options.only === undefined ? CONFORMANCE_CHECKS : CONFORMANCE_CHECKS.filter((check) => options.only!.includes(check.id));
  const unknown = (options.only ?? []).filter((id) => !CONFORMANCE_CHECKS.some((check) => check.id === id));
  if (unknown.length > 0) throw new TypeError(`unknown check ${unknown.join(', ')} (known: ${CONFORMANCE_CHECKS.map((check) => check.id).join(', ')})`);
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const started = Date.now();
  const shared: SharedState = {};
  const results: ConformanceCheckResult[] = [];
  for (const check of checks) {
    const warnings: string[] = [];
    const signal = AbortSignal.timeout(timeoutMs);
    const ctx: CheckContext = { baseURL, apiKey: options.apiKey ?? 'unused', model: options.model ?? 'gpt-4o-mini', fetch: fetchImpl, apiKeyHeader: options.apiKeyHeader ?? 'authorization', query: options.query ?? {}, signal, warn: (message) => warnings.push(message) };
    const checkStarted = Date.now();
    let result: ConformanceCheckResult;
    try {
      await check.run(ctx, shared);
      result = { id: check.id, title: check.title, status: 'passed', warnings, durationMs: Date.now() - checkStarted };
    } catch (error) {
      const status = error instanceof NotOffered ? 'not offered' : 'failed';
      result = { id: check.id, title: check.title, status, detail: explain(error, signal, timeoutMs), warnings, durationMs: Date.now() - checkStarted };
    }
    results.push(result);
    options.onResult?.(result);
  }
  const offered = results.filter((result) => result.status !== 'not offered');
  const passed = offered.filter((result) => result.status === 'passed').length;
  return { baseURL, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, passed, total: offered.length, ok: passed === offered.length, checks: results };
}

function explain(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (error instanceof CheckFailure || error instanceof NotOffered) return error.message;
  if (signal.aborted) return `no answer within ${timeoutMs} ms`;
  if (error instanceof Error) {
    // fetch's own message ("fetch failed") says nothing; its cause says what (ECONNREFUSED …).
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

/**
 * The report as a table, one line per check with what failed and why, ending with
 * `conformance: P/T checks passed`.
 *
 * @example `process.stdout.write(formatConformanceReport(report))`
 */
export function formatConformanceReport(report: ConformanceReport): string {
  const width = Math.max(...report.checks.map((check) => check.id.length), 5);
  const lines = [`${'check'.padEnd(width)}  ${'result'.padEnd(11)}  detail`];
  for (const check of report.checks) {
    lines.push(`${check.id.padEnd(width)}  ${check.status.padEnd(11)}  ${check.detail ?? check.title}`);
    for (const warning of check.warnings) lines.push(`${''.padEnd(width)}  ${'warning'.padEnd(11)}  ${warning}`);
  }
  lines.push(`conformance: ${report.passed}/${report.total} checks passed`);
  return `${lines.join('\n')}\n`;
}
