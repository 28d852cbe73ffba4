import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RUN_TERMINAL_STATUSES, type Run, type RunEventName, type Usage } from '../../wire/index.ts';
import type { RunObserver } from '../executor/environment.ts';
import { validMetricsToken } from './metricsAccess.ts';

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /**
   * Also export prom-client's process metrics (CPU, memory, event loop lag, GC). Off by
   * default for an embedded server (each one would start its own event loop monitor); on for
   * `serve`.
   */
  processMetrics?: boolean | undefined;
  /**
   * When set, `GET /metrics` answers only a request with `Authorization: Bearer <token>` (what
   * Prometheus sends with `authorization: { credentials }` or `bearer_token_file`); any other
   * gets a 401. Visible ASCII, no spaces. Unset, `/metrics` is open, like the probes.
   */
  bearerToken?: string | undefined;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The server's Prometheus metrics, in a registry of its own (several servers in one process
 * each count their own): requests by route and status, open streams, runs by final status,
 * each run's time to its first output, the live model API's latency and tokens, and requests
 * refused by the per-key limits. Built on prom-client, the Node client Prometheus lists.
 *
 * @example
 * ```ts
 * const metrics = createMetrics();
 * metrics.request('POST', '/v1/threads/runs', 200, 0.012);
 * const text = await metrics.registry.metrics(); // the Prometheus text format
 * ```
 */
export function createMetrics(options: MetricsOptions = {}) {
  const bearerToken = options.bearerToken === undefined ? undefined : validMetricsToken(options.bearerToken);
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry, prefix: 'assistant_machines_' });
  const requests = new Counter({
    name: 'assistant_machines_http_requests_total',
    help: 'HTTP requests answered, by method, route (the pattern, not the ids) and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: 'assistant_machines_http_request_duration_seconds',
    help: 'Time from a request to its answer (for a stream: to its headers), by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const openStreams = new Gauge({ name: 'assistant_machines_open_streams', help: 'Server-sent event streams being written now.', registers });
  const activeRuns = new Gauge({ name: 'assistant_machines_active_runs', help: 'Runs this server executes that are not final yet.', registers });
  const runs = new Counter({
    name: 'assistant_machines_runs_total',
    help: 'Runs this server executed to a final status (responses included), by that status.',
    labelNames: ['status'] as const,
    registers,
  });
  const firstEvent = new Histogram({
    name: 'assistant_machines_run_time_to_first_event_seconds',
    help: "Time from a run's creation to its first streamed output (a text delta or a tool call's first fragment).",
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const upstreamSeconds = new Histogram({
    name: 'assistant_machines_upstream_request_duration_seconds',
    help: "Time from a request to the live model API until its answer's headers, by operation and status code ('error' when unreachable).",
    labelNames: ['operation', 'status'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const upstreamTokens = new Counter({
    name: 'assistant_machines_upstream_tokens_total',
    help: "Tokens the live model API reported, by kind (prompt, completion).",
    labelNames: ['kind'] as const,
    registers,
  });
  const limited = new Counter({
    name: 'assistant_machines_rate_limited_total',
    help: 'Requests answered 429 by the per-key limits, by limit (requests, concurrent_runs).',
    labelNames: ['limit'] as const,
    registers,
  });

  const createdAt = new Map<string, number>();
  const runObserver: RunObserver = {
    status(run: Run, event: RunEventName) {
      if (event === 'thread.run.created') {
        createdAt.set(run.id, performance.now());
        activeRuns.inc();
      } else if ((RUN_TERMINAL_STATUSES as readonly string[]).includes(run.status) && createdAt.has(run.id)) {
        createdAt.delete(run.id);
        activeRuns.dec();
        runs.inc({ status: run.status });
      }
    },
    firstOutput(run: Run) {
      const started = createdAt.get(run.id);
      if (started !== undefined) firstEvent.observe((performance.now() - started) / 1000);
    },
    usage(usage: Usage) {
      upstreamTokens.inc({ kind: 'prompt' }, usage.prompt_tokens);
      upstreamTokens.inc({ kind: 'completion' }, usage.completion_tokens);
    },
  };

  return {
    /** The token `/metrics` requires (`Authorization: Bearer …`), when one was given. */
    bearerToken,
    registry,
    runObserver,
    /** One answered request. */
    request(method: string, route: string, status: number, seconds: number): void {
      requests.inc({ method, route, status: String(status) });
      requestSeconds.observe({ method, route }, seconds);
    },
    streamOpened: () => openStreams.inc(),
    streamClosed: () => openStreams.dec(),
    /** One request to the live model API, answered (`status`) or not (`undefined`). */
    upstream(operation: string, status: number | undefined, seconds: number): void {
      upstreamSeconds.observe({ operation, status: status === undefined ? 'error' : String(status) }, seconds);
    },
    rateLimited: (limit: 'requests' | 'concurrent_runs') => limited.inc({ limit }),
  };
}

/** A server's metrics (see {@link createMetrics}). */
export type ServerMetrics = ReturnType<typeof createMetrics>;
