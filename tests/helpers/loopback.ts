import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query, e.g. `/v1/threads/t/runs?include%5B%5D=x`. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** `performance.now()` when the request arrived. */
  at: number;
}

/** Answers one request; `n` counts requests from 1. */
export type Responder = (request: SeenRequest, response: ServerResponse, n: number) => void | Promise<void>;

export interface Loopback {
  /** The base URL, ending in `/v1`. */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 (a free port) that answers with `respond` and records every
 * request. `close()` destroys open connections, so nothing is left running.
 */
export async function startLoopback(respond: Responder): Promise<Loopback> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const request: SeenRequest = {
      method: incoming.method ?? '',
      url: incoming.url ?? '',
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: performance.now(),
    };
    requests.push(request);
    try {
      await respond(request, response, requests.length);
    } catch (error) {
      response.destroy(error as Error);
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Sends a JSON answer. */
export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** The API's error envelope. */
export function apiError(response: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  json(response, status, { error: { message, type: 'invalid_request_error', param: null, code: null, ...extra } }, { 'x-request-id': `req_${status}`, ...headers });
}

/**
 * The timers and sockets still alive besides the ones that were alive before the tests:
 * should be empty once every test has cleaned up.
 */
export function leftoverHandles(baseline: string[]): string[] {
  const now = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind.startsWith('TCP'));
  const remaining = [...now];
  for (const kind of baseline) {
    const index = remaining.indexOf(kind);
    if (index !== -1) remaining.splice(index, 1);
  }
  return remaining;
}

/** Lets pending I/O callbacks run (no simulated time involved). */
export const drain = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * The handles still alive once closing sockets have had up to `withinMs` to finish closing
 * (a socket destroyed on one side closes on the other a few ms later): empty when clean.
 */
export async function handlesLeftAfterClose(baseline: string[], withinMs = 2000): Promise<string[]> {
  const until = performance.now() + withinMs;
  let left = leftoverHandles(baseline);
  while (left.length > 0 && performance.now() < until) {
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
    left = leftoverHandles(baseline);
  }
  return left;
}

/** `promise`, or a rejection saying what did not happen within `ms` (so a test fails, not hangs). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What `promise` rejects with; throws if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
