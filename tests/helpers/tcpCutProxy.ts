import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A TCP proxy on loopback that cuts its first connection once, mid-stream. */
export interface TcpCutProxy {
  /** Where to connect instead of the target (`127.0.0.1:PORT`). */
  host: string;
  /** Resolves when the cut happened. */
  cut: Promise<void>;
  /** Where connections go: set once the target listens (it must allow `host` as its Host). */
  target(port: number): void;
  close(): Promise<void>;
}

/**
 * Forwards every connection to the target's port; the first one is destroyed (both sides, no close
 * handshake: like a network that drops) once `cutAfterBytes` went from client to server, so a
 * message is likely cut halfway. Later connections pass untouched.
 */
export async function startTcpCutProxy(cutAfterBytes: number): Promise<TcpCutProxy> {
  let targetPort = 0;
  let cutDone: () => void = () => {};
  const cut = new Promise<void>((resolve) => (cutDone = resolve));
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections += 1;
    const first = connections === 1;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    let forwarded = 0;
    client.on('data', (chunk: Buffer) => {
      if (first && forwarded < cutAfterBytes && forwarded + chunk.length >= cutAfterBytes) {
        upstream.write(chunk.subarray(0, cutAfterBytes - forwarded));
        forwarded = cutAfterBytes;
        client.destroy();
        upstream.destroy();
        cutDone();
        return;
      }
      forwarded += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    cut,
    target: (port) => {
      targetPort = port;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
