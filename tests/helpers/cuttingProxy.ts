import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A submission of tool outputs, as the proxy saw it pass. */
export interface SeenSubmission {
  threadId: string;
  runId: string;
  status: number;
}

/**
 * A loopback proxy that can cut a connection after the k-th server-sent event it forwarded for
 * a thread (counted across that thread's streams), so runs on several threads can be cut at
 * once, each at its own position.
 */
export interface CuttingProxy {
  /** The base URL, ending in `/v1`. */
  url: string;
  /** Cut the connection right after the `k`-th SSE event of `threadId`'s streams; once. */
  cutAfter(threadId: string, k: number): void;
  /** SSE events forwarded for `threadId`. */
  eventsForwarded(threadId: string): number;
  /** Whether the cut armed for `threadId` happened. */
  wasCut(threadId: string): boolean;
  /** Every tool-outputs submission and the status the server answered it with. */
  readonly submissions: SeenSubmission[];
  close(): Promise<void>;
}

const SUBMIT_PATH = /^\/threads\/([^/]+)\/runs\/([^/]+)\/submit_tool_outputs$/;
const THREAD_PATH = /^\/threads\/([^/?]+)/;

interface ThreadCounter {
  cutAt: number;
  forwarded: number;
  cut: boolean;
}

/**
 * Starts a proxy on 127.0.0.1 in front of `upstream` (a base URL ending in `/v1`). Requests
 * and answers pass unchanged, SSE answers event by event, until an armed cut: then the socket
 * is destroyed right after the k-th event, as a dropped connection would be.
 */
export async function startCuttingProxy(upstream: string): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  const submissions: SeenSubmission[] = [];
  const counters = new Map<string, ThreadCounter>();
  const counterOf = (threadId: string) => {
    const counter = counters.get(threadId) ?? { cutAt: Number.POSITIVE_INFINITY, forwarded: 0, cut: false };
    counters.set(threadId, counter);
    return counter;
  };

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    void forward(incoming, outgoing).catch(() => outgoing.destroy());
  });

  async function forward(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && name !== 'host' && name !== 'connection' && name !== 'content-length') headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const path = (incoming.url ?? '').replace(/^\/v1/, '');
    const method = incoming.method ?? 'GET';
    const answer = await fetch(`${upstream}${path}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? null : new Uint8Array(Buffer.concat(chunks)) });
    const submitted = SUBMIT_PATH.exec(path.split('?')[0]!);
    if (submitted !== null && method === 'POST') submissions.push({ threadId: submitted[1]!, runId: submitted[2]!, status: answer.status });
    const counter = counterOf(THREAD_PATH.exec(path)?.[1] ?? '');
    const responseHeaders: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'content-encoding') responseHeaders[name] = value;
    });
    outgoing.writeHead(answer.status, responseHeaders);
    if (answer.body === null) return void outgoing.end();
    if (!(answer.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      outgoing.end(Buffer.from(await answer.arrayBuffer()));
      return;
    }
    // Forward whole events only, so a cut falls exactly between two events.
    const decoder = new TextDecoder();
    let buffered = '';
    const reader = answer.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffered += decoder.decode(read.value, { stream: true });
      for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
        const event = buffered.slice(0, end + 2);
        buffered = buffered.slice(end + 2);
        outgoing.write(event);
        counter.forwarded++;
        if (!counter.cut && counter.forwarded >= counter.cutAt) {
          counter.cut = true;
          // The event is flushed, then the connection closes without ending the response.
          outgoing.socket?.destroySoon();
          await reader.cancel().catch(() => {});
          return;
        }
      }
    }
    outgoing.end(buffered);
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    cutAfter(threadId, k) {
      counterOf(threadId).cutAt = k;
    },
    eventsForwarded: (threadId) => counterOf(threadId).forwarded,
    wasCut: (threadId) => counterOf(threadId).cut,
    submissions,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
