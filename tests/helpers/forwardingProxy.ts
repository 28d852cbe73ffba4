import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running {@link startForwardingProxy}. */
export interface ForwardingProxy {
  /** The base URL, ending in `/v1`. */
  url: string;
  close(): Promise<void>;
}

/**
 * A loopback proxy that forwards every request to the server at `upstreamURL()` (read per
 * request, so a test may restart the server behind it) and streams the answer back. `intercept`
 * sees each answer first, with the request's path under `/v1`: when it resolves true it has dealt
 * with the client's connection itself (dropped it, say) and the answer is not forwarded.
 *
 * @example `const proxy = await startForwardingProxy(() => server.url, async (path, upstream, client) => { … });`
 */
export async function startForwardingProxy(
  upstreamURL: () => string,
  intercept: (path: string, upstream: Response, client: ServerResponse, request: { method: string; headers: IncomingHttpHeaders; body: string }) => Promise<boolean>,
): Promise<ForwardingProxy> {
  const proxy = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const path = incoming.url!.replace(/^\/v1/, '');
    const upstream = await fetch(`${upstreamURL()}${path}`, {
      method: incoming.method!,
      headers: Object.fromEntries(Object.entries(incoming.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name))) as Record<string, string>,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    if (await intercept(path, upstream, outgoing, { method: incoming.method!, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') })) return;
    outgoing.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    if (upstream.body) for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) outgoing.write(chunk);
    outgoing.end();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
