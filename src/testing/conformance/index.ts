import { ASSISTANTS_CHECKS } from './assistants/index.ts';
import { CONFORMANCE_PROTOCOLS, type ConformanceCheck, type ConformanceProtocol, type SharedState } from './check.ts';
import { FAULT_CHECKS } from './faults/index.ts';
import { type CheckContext, CheckFailure, NotOffered, type StartedWork } from './http.ts';
import { probeProtocols } from './probe.ts';
import type { ConformanceCheckResult, ConformanceReport } from './report.ts';
import { RESPONSES_CHECKS } from './responses/index.ts';

export { CONFORMANCE_PROTOCOLS, type ConformanceCheck, type ConformanceProtocol } from './check.ts';
export { conformanceJUnit, formatConformanceReport, type ConformanceCheckResult, type ConformanceReport } from './report.ts';
export { chartTransitionNames, transitionName } from './transitions.ts';
export type { FaultProxy, CutPlan } from './faults/proxy.ts';

/**
 * Every check, in the order they run: Assistants, then Responses, each protocol's fault checks
 * (run only with `faults`) before its last check, which follows what all the others started.
 */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [ASSISTANTS_CHECKS, RESPONSES_CHECKS].flatMap((checks) => [
  ...checks.slice(0, -1),
  ...FAULT_CHECKS.filter((check) => check.protocol === checks[0]!.protocol),
  checks.at(-1)!,
]);

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
  /** The model (deployment) the assistants and responses are created with; default `gpt-4o-mini`. */
  model?: string | undefined;
  /** Only this protocol's checks; default: every protocol the server offers (probed). */
  protocol?: ConformanceProtocol | undefined;
  /**
   * Put the suite's fault proxy between it and the server, and run the checks that cut
   * connections at chosen events and recover as documented (resume, re-attach, poll).
   */
  faults?: boolean | undefined;
  /** How long one check may take before it fails; default 60 s. */
  timeoutMs?: number | undefined;
  /** The fetch to use (a proxy-aware one); default the global fetch. */
  fetch?: typeof fetch | undefined;
  /** Only these check ids (default: all of {@link CONFORMANCE_CHECKS} that apply). */
  only?: readonly string[] | undefined;
  /** Called after each check, for progress output. */
  onResult?: ((result: ConformanceCheckResult) => void) | undefined;
}

/**
 * Runs the conformance suite against a server of the Assistants API, the Responses API or both
 * (probed): the lifecycle of runs and responses — streams read by the statecharts in strict mode,
 * `sequence_number`s, resuming, background work, cancel, tool-output turns, conversation history —
 * and the CRUD, pagination and error envelopes around them. Each check records the chart
 * transitions it drove. A capability the server refuses outright is "not offered", not failed.
 *
 * @example
 * ```ts
 * const report = await runConformance({ baseURL: server.url, apiKey: 'unused' });
 * console.log(`${report.passed}/${report.total}`, report.checks.filter((check) => check.outcome === 'failed'));
 * ```
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const baseURL = options.baseURL.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseURL)) throw new TypeError(`baseURL must be an http(s) URL (got ${JSON.stringify(options.baseURL)})`);
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new TypeError(`timeoutMs must be a positive number (got ${timeoutMs})`);
  if (options.protocol !== undefined && !CONFORMANCE_PROTOCOLS.includes(options.protocol)) {
    throw new TypeError(`protocol must be one of ${CONFORMANCE_PROTOCOLS.join(', ')} (got ${JSON.stringify(options.protocol)})`);
  }
  const unknown = (options.only ?? []).filter((id) => !CONFORMANCE_CHECKS.some((check) => check.id === id));
  if (unknown.length > 0) throw new TypeError(`unknown check ${unknown.join(', ')} (known: ${CONFORMANCE_CHECKS.map((check) => check.id).join(', ')})`);
  const faults = options.faults === true;
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const started = Date.now();
  // Imported only when asked for: the proxy needs node:http, the rest of the suite only fetch.
  const proxy = faults ? await (await import('./faults/proxy.ts')).startFaultProxy(baseURL, { fetch: fetchImpl }) : undefined;
  try {
    const started_: StartedWork = { runs: [], responses: [] };
    const contextFor = (signal: AbortSignal, warn: (message: string) => void, transitions: Set<string>): CheckContext => ({
      baseURL: proxy?.url ?? baseURL,
      apiKey: options.apiKey ?? 'unused',
      model: options.model ?? 'gpt-4o-mini',
      fetch: fetchImpl,
      apiKeyHeader: options.apiKeyHeader ?? 'authorization',
      query: options.query ?? {},
      signal,
      timeoutMs,
      warn,
      transitions,
      started: started_,
      faults: proxy !== undefined,
    });
    const probes = await probeProtocols(contextFor(AbortSignal.timeout(timeoutMs), () => {}, new Set()));
    const protocols = options.protocol === undefined ? CONFORMANCE_PROTOCOLS.filter((protocol) => probes[protocol].offered) : [options.protocol];
    const checks = CONFORMANCE_CHECKS.filter(
      (check) => protocols.includes(check.protocol) && (faults || check.faults !== true) && (options.only === undefined || options.only.includes(check.id)),
    );
    const shared: SharedState = {};
    const results: ConformanceCheckResult[] = [];
    for (const check of checks) {
      const warnings: string[] = [];
      const transitions = new Set<string>();
      const signal = AbortSignal.timeout(timeoutMs);
      const checkStarted = Date.now();
      const base = { id: check.id, protocol: check.protocol, title: check.title, warnings };
      let result: ConformanceCheckResult;
      if (!probes[check.protocol].offered) {
        result = { ...base, transitions: [], outcome: 'not offered', reason: `the ${check.protocol} API: ${probes[check.protocol].reason}`, durationMs: 0 };
      } else {
        try {
          await check.run(contextFor(signal, (message) => warnings.push(message), transitions), shared);
          result = { ...base, transitions: [...transitions].sort(), outcome: 'passed', durationMs: Date.now() - checkStarted };
        } catch (error) {
          const outcome = error instanceof NotOffered ? 'not offered' : 'failed';
          result = { ...base, transitions: [...transitions].sort(), outcome, reason: explain(error, signal, timeoutMs), durationMs: Date.now() - checkStarted };
        }
      }
      results.push(result);
      options.onResult?.(result);
    }
    const summary = (protocol: ConformanceProtocol) => {
      const offered = results.filter((result) => result.protocol === protocol && result.outcome !== 'not offered');
      return { ...probes[protocol], run: protocols.includes(protocol), passed: offered.filter((result) => result.outcome === 'passed').length, total: offered.length };
    };
    const offered = results.filter((result) => result.outcome !== 'not offered');
    const passed = offered.filter((result) => result.outcome === 'passed').length;
    return {
      baseURL,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      faults,
      protocols: { assistants: summary('assistants'), responses: summary('responses') },
      passed,
      total: offered.length,
      ok: offered.length > 0 && passed === offered.length,
      checks: results,
    };
  } finally {
    await proxy?.close();
  }
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
