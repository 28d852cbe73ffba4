import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server for the polling benchmark: `GET …/runs/<id>` answers a run that is
 * `in_progress` for its first `pollsPerRun - 1` retrieves and `completed` from then on (counted
 * per run id, reset by `reset()`), so every contender makes the same retrieves.
 */
export async function servePolls(pollsPerRun: number): Promise<{ baseURL: string; reset(): number; close(): Promise<void> }> {
  let counts = new Map<string, number>();
  let total = 0;
  const server: Server = createServer((request, response) => {
    const runId = request.url!.slice(request.url!.lastIndexOf('/') + 1);
    const count = (counts.get(runId) ?? 0) + 1;
    counts.set(runId, count);
    total++;
    const body = JSON.stringify({
      id: runId,
      object: 'thread.run',
      created_at: 1,
      thread_id: 'thread_1',
      assistant_id: 'asst_1',
      status: count >= pollsPerRun ? 'completed' : 'in_progress',
      model: 'bench',
      instructions: '',
      tools: [],
      metadata: {},
    });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  // 1,000 pollers connect at once.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    reset() {
      const retrieves = total;
      counts = new Map();
      total = 0;
      return retrieves;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
