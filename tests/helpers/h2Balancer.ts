import { connect, constants, createServer, type ClientHttp2Session, type ServerHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';

/** A running {@link startH2Balancer}. */
export interface H2Balancer {
  url: string;
  /** How many requests each backend was given. */
  served: Map<string, number>;
  close(): Promise<void>;
}

// Headers of one hop that must not be forwarded as they are.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'http2-settings']);
const forwardable = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP.has(name) && name !== ':authority'));

/**
 * An HTTP/2 (h2c) load balancer on 127.0.0.1, as a cluster puts one in front of its workers:
 * each request (one Restate invocation attempt) goes to the next backend that is up, round robin,
 * streaming both ways. A backend whose connection fails (killed, refused) is left out from then on.
 *
 * @example `const lb = await startH2Balancer([workerA.url, workerB.url]); await restate.register(lb.url);`
 */
export async function startH2Balancer(backends: string[]): Promise<H2Balancer> {
  const sessions = new Map<string, ClientHttp2Session>();
  const down = new Set<string>();
  const served = new Map<string, number>(backends.map((backend) => [backend, 0]));
  let next = 0;
  const sessionOf = (backend: string) => {
    let session = sessions.get(backend);
    if (session === undefined || session.destroyed || session.closed) {
      session = connect(backend);
      session.on('error', () => down.add(backend));
      session.on('close', () => sessions.delete(backend));
      sessions.set(backend, session);
    }
    return session;
  };
  const server = createServer();
  // Restate keeps its connection open: close() ends it, or the server would never close.
  const incomingSessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    incomingSessions.add(session);
    session.on('close', () => incomingSessions.delete(session));
  });
  server.on('stream', (incoming, headers) => {
    const alive = backends.filter((backend) => !down.has(backend));
    const backend = alive[next++ % Math.max(1, alive.length)];
    if (backend === undefined) return incoming.close(constants.NGHTTP2_REFUSED_STREAM);
    served.set(backend, (served.get(backend) ?? 0) + 1);
    const outgoing = sessionOf(backend).request(forwardable(headers));
    incoming.pipe(outgoing);
    outgoing.on('response', (answer) => {
      if (!incoming.destroyed) incoming.respond(forwardable(answer));
      outgoing.pipe(incoming);
    });
    outgoing.on('error', () => {
      if (!incoming.destroyed) incoming.close(constants.NGHTTP2_INTERNAL_ERROR);
    });
    incoming.on('error', () => outgoing.close(constants.NGHTTP2_CANCEL));
    incoming.on('close', () => {
      if (!outgoing.destroyed) outgoing.close(constants.NGHTTP2_CANCEL);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    async close() {
      for (const session of [...sessions.values(), ...incomingSessions]) session.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}
