import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createParser } from 'eventsource-parser';

/** A request as the relay received it (the body read whole). */
export interface RelayedRequest {
  method: string;
  /** Path and query below the relay's base, e.g. `/responses/resp_1?stream=true`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One SSE frame passing through. */
export interface RelayedFrame {
  event?: string | undefined;
  id?: string | undefined;
  data: string;
}

/** What to do with one frame: send these instead, break the connection before it, or send and then break it. */
export type FrameDecision = RelayedFrame[] | 'cut' | { send: RelayedFrame[]; cut: true };

/** What a relay does to the traffic it carries. Every hook is optional: without them it only forwards. */
export interface RelayHooks {
  /** Rewrites a request before it is forwarded (its path, headers or body). */
  request?(request: RelayedRequest): RelayedRequest;
  /** Rewrites a whole answer that is not an event stream. */
  answer?(request: RelayedRequest, answer: { status: number; body: string }): { status: number; body: string };
  /**
   * Decides each frame of an event stream: the frames to send in its place (itself: `[frame]`,
   * none, or more); `'cut'` breaks the connection before it, `{ send, cut: true }` right after
   * sending `send` (a transport failure: the client sees the stream end without a terminal event).
   */
  frame?(request: RelayedRequest, frame: RelayedFrame, index: number): FrameDecision;
  /** Break the connection once the server's answer has arrived, before sending any of it. */
  dropAnswer?(request: RelayedRequest): boolean;
}

/** A running relay. */
export interface Relay {
  /** Its base URL: the target's path on the relay's origin (`http://127.0.0.1:PORT/v1`). */
  url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'accept-encoding']);
const ANSWER_DROPPED = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * An HTTP relay on 127.0.0.1 (a free port) in front of `target` (a base URL): it forwards every
 * request and streams every answer back, event streams frame by frame through `hooks.frame`.
 * The fault proxy cuts connections with it; tests build servers that break one rule with it.
 * `close()` destroys open connections.
 *
 * @example `const relay = await startRelay(server.url, { frame: (request, frame) => [frame] });`
 */
export async function startRelay(target: string, hooks: RelayHooks = {}, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<Relay> {
  const base = new URL(target);
  const prefix = base.pathname.replace(/\/+$/, '');
  const sockets = new Set<Socket>();
  const upstreams = new Set<AbortController>();
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const url = incoming.url ?? '/';
    let request: RelayedRequest = {
      method: incoming.method ?? 'GET',
      path: url.startsWith(prefix) ? url.slice(prefix.length) : url,
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    if (hooks.request !== undefined) request = hooks.request(request);
    const upstream = new AbortController();
    upstreams.add(upstream);
    try {
      await relay(request, response, upstream.signal);
    } catch {
      response.destroy();
    } finally {
      upstreams.delete(upstream);
      upstream.abort();
    }
  });

  async function relay(request: RelayedRequest, response: ServerResponse, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string' && !HOP_BY_HOP.has(name)) headers[name] = value;
    const answer = await fetchImpl(`${base.origin}${prefix}${request.path}`, {
      method: request.method,
      headers,
      body: ['GET', 'HEAD'].includes(request.method) ? null : request.body,
      signal,
    });
    if (hooks.dropAnswer?.(request) === true) {
      response.destroy();
      return;
    }
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!ANSWER_DROPPED.has(name)) out[name] = value;
    });
    if (!(answer.headers.get('content-type') ?? '').includes('text/event-stream') || answer.body === null) {
      const whole = { status: answer.status, body: await answer.text() };
      const rewritten = hooks.answer?.(request, whole) ?? whole;
      response.writeHead(rewritten.status, out);
      response.end(rewritten.body);
      return;
    }
    response.writeHead(answer.status, out);
    response.flushHeaders();
    let index = 0;
    let cut = false;
    const pending: RelayedFrame[] = [];
    const parser = createParser({
      onEvent: (message) => {
        if (cut) return;
        const frame: RelayedFrame = { event: message.event, id: message.id, data: message.data };
        const decision = hooks.frame?.(request, frame, index++) ?? [frame];
        pending.push(...(decision === 'cut' ? [] : Array.isArray(decision) ? decision : decision.send));
        if (!Array.isArray(decision)) cut = true;
      },
    });
    const reader = answer.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      const frames = pending.splice(0);
      if (frames.length > 0) await write(response, frames.map(formatFrame).join(''));
      if (cut) {
        // What was sent before the cut reached the socket (the write's callback); now break it.
        response.destroy();
        await reader.cancel().catch(() => {});
        return;
      }
    }
    response.end();
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const upstream of upstreams) upstream.abort();
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function write(response: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => response.write(text, () => resolve()));
}

function formatFrame(frame: RelayedFrame): string {
  return `${frame.id === undefined ? '' : `id: ${frame.id}\n`}${frame.event === undefined ? '' : `event: ${frame.event}\n`}${frame.data
    .split('\n')
    .map((line) => `data: ${line}\n`)
    .join('')}\n`;
}
