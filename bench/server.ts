import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server that answers every POST with the same SSE body, in 64 KiB writes (as a
 * real server flushes), so every contender reads the same bytes the same way.
 */
export async function serveSSE(body: string): Promise<{ baseURL: string; close(): Promise<void> }> {
  const bytes = Buffer.from(body, 'utf8');
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (let offset = 0; offset < bytes.length; offset += 65_536) response.write(bytes.subarray(offset, offset + 65_536));
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
