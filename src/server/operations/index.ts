import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ApiError } from '../errors.ts';
import { newRequestInfo, type RequestScope } from '../tenants/scope.ts';
import { checkReadiness, type ReadinessSources } from './health.ts';
import type { ServerLog } from './log.ts';
import type { ServerMetrics } from './metrics.ts';
import { bearerMatches, metricsTokenRequired } from './metricsAccess.ts';
import { newRequestId, withHeader } from './requestIds.ts';

/** What {@link Operations} needs from the server. */
export interface OperationsOptions {
  scope: RequestScope;
  /** Whether requests must carry a key (then a request has no tenant until its key is checked). */
  keysRequired: () => boolean;
  metrics: ServerMetrics | undefined;
  log: ServerLog | undefined;
  readiness: Omit<ReadinessSources, 'draining'>;
}

type Fetch = (request: Request) => Response | Promise<Response>;

/** The paths answered at the server's root, outside `/v1` and without a key (probes and scrapers carry none). */
export const OPERATIONS_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

/**
 * Everything around the API that running it for a team needs, as the outermost layer of the
 * server's fetch: an `x-request-id` on every answer (and in every log line of its request), the
 * request in the {@link RequestScope} (so each tenant sees only its own), a JSON log line and
 * metrics per request (and per stream, when it ends), `/healthz`, `/readyz` and `/metrics` at the
 * root, and the graceful shutdown's bookkeeping: requests in flight, 503 once draining.
 *
 * @example
 * ```ts
 * const operations = new Operations({ scope, keysRequired: () => false, metrics, log, readiness });
 * const server = createAdaptorServer({ fetch: operations.fetch(app.fetch) });
 * operations.track(server);
 * ```
 */
export class Operations {
  readonly #options: OperationsOptions;
  #draining = false;
  #inFlight = 0;
  readonly #idleWaiters = new Set<() => void>();

  constructor(options: OperationsOptions) {
    this.#options = options;
  }

  /** Whether a graceful shutdown has begun (`/readyz` answers 503, new requests too). */
  get draining(): boolean {
    return this.#draining;
  }

  /** Requests (streams included) being answered now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Starts refusing new requests with 503 (`/healthz` still answers: the process is alive). */
  startDraining(): void {
    this.#draining = true;
  }

  /** Counts the requests `server` answers, from arrival to their answer's last byte (or the client leaving). */
  track(server: Server): void {
    server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
      this.#inFlight += 1;
      response.once('close', () => {
        this.#inFlight -= 1;
        if (this.#inFlight === 0) for (const resolve of this.#idleWaiters) resolve();
      });
    });
  }

  /** Resolves true once no request is in flight, or false after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.#idleWaiters.delete(onIdle);
        resolve(idle);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#idleWaiters.add(onIdle);
    });
  }

  /** The server's fetch: `inner` (the API) wrapped in request ids, scope, logs, metrics, probes and draining. */
  fetch(inner: Fetch): (request: Request) => Promise<Response> {
    const { scope, metrics, log, keysRequired } = this.#options;
    return async (request) => {
      const started = performance.now();
      const id = newRequestId();
      const path = pathOf(request.url);
      if ((OPERATIONS_PATHS as readonly string[]).includes(path)) return withRequestId(await this.#answerProbe(request, path), id);
      if (this.#draining) {
        const error = new ApiError(503, 'The server is shutting down and takes no new requests; retry, another instance will answer.', { type: 'server_error', code: 'server_shutting_down' });
        return withRequestId(Response.json(error.toEnvelope(), { status: 503, headers: { connection: 'close', 'retry-after': '1' } }), id);
      }
      const info = newRequestInfo(id, keysRequired());
      const response = withRequestId(await scope.run(info, () => inner(request)), id);
      const route = info.route ?? 'unmatched';
      const seconds = (performance.now() - started) / 1000;
      metrics?.request(request.method, route, response.status, seconds);
      const fields = { method: request.method, path, route, status: response.status, duration_ms: Math.round(seconds * 10_000) / 10 };
      const streaming = response.body !== null && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
      if (!streaming) {
        scope.run(info, () => log?.info('request', fields));
        return response;
      }
      scope.run(info, () => log?.info('stream started', fields));
      metrics?.streamOpened();
      const body = observeEnd(response.body!, (ended) => {
        metrics?.streamClosed();
        scope.run(info, () => log?.info('stream ended', { method: request.method, path, route, ended, duration_ms: Math.round(performance.now() - started) }));
      });
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    };
  }

  async #answerProbe(request: Request, path: string): Promise<Response> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const error = new ApiError(405, `Method ${request.method} is not allowed for ${path}; use GET.`);
      return Response.json(error.toEnvelope(), { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    if (path === '/healthz') return Response.json({ status: 'ok' });
    if (path === '/readyz') {
      const readiness = await checkReadiness({ ...this.#options.readiness, draining: () => this.#draining });
      return Response.json({ status: readiness.ready ? 'ready' : 'not_ready', checks: readiness.checks }, { status: readiness.ready ? 200 : 503 });
    }
    const metrics = this.#options.metrics;
    if (metrics === undefined) return Response.json(new ApiError(404, 'Metrics are off on this server (metrics: false).').toEnvelope(), { status: 404 });
    if (metrics.bearerToken !== undefined && !bearerMatches(request.headers.get('authorization'), metrics.bearerToken)) return metricsTokenRequired();
    return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } });
  }
}

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  const end = url.indexOf('?', start);
  return end === -1 ? url.slice(start) : url.slice(start, end);
}

function withRequestId(response: Response, id: string): Response {
  return withHeader(response, 'x-request-id', id);
}

/** `body`, telling `onEnd` once how it ended: read to its end, cancelled by the client, or failed. */
function observeEnd(body: ReadableStream<Uint8Array>, onEnd: (ended: 'completed' | 'cancelled' | 'errored') => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = (how: 'completed' | 'cancelled' | 'errored') => {
    if (ended) return;
    ended = true;
    onEnd(how);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          end('completed');
        } else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        end('errored');
      }
    },
    cancel(reason) {
      end('cancelled');
      return reader.cancel(reason);
    },
  });
}
