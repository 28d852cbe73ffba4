import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A byte-for-byte TCP proxy in front of a loopback port whose connections a test can drop. */
export interface TcpProxy {
  /** The proxy's port (same host, 127.0.0.1). */
  port: number;
  /** Connections opened through it so far. */
  readonly connections: number;
  /** Drops every open connection at once, both sides, as a network failure would. */
  cut(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 that pipes each connection to `targetPort` unchanged (HTTP,
 * WebSocket upgrades and frames alike), until {@link TcpProxy.cut}.
 *
 * @example `const proxy = await startTcpProxy(server.port); … proxy.cut();`
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    cut,
    close: () =>
      new Promise<void>((resolve, reject) => {
        cut();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
