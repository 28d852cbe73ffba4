import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { keyOfRequest } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { KeyLimiter } from '../operations/limits.ts';
import { newRequestId } from '../operations/requestIds.ts';
import type { KeyRing } from '../tenants/keys.ts';
import { DEFAULT_TENANT, type RequestScope } from '../tenants/scope.ts';
import { ResponsesConnection, type ConnectionKey, type ConnectionLimits, type ConnectionStorage } from './connection.ts';

/** How the server takes WebSocket connections. */
export interface ResponsesWebSocketOptions {
  limits: ConnectionLimits;
  /** The keys the server requires (read at each use: a reloaded keys file counts at once); undefined: none. */
  keys: () => KeyRing | undefined;
  /** Where each message's tenant and key are set, as an HTTP request's are. */
  scope: RequestScope;
  /** The per-key limits, which a `response.create` message counts against as a POST does; undefined: none. */
  keyLimiter?: KeyLimiter | undefined;
  /** Whether the server is shutting down (new responses are refused, as new requests are). */
  draining: () => boolean;
  /** The largest message taken, in bytes (the HTTP body limit). */
  maxPayload: number;
  onInternalError: (error: unknown) => void;
  /** Durable storage, when the server has it: a stored response is committed before its events go out. */
  storage?: ConnectionStorage | undefined;
}

/** The WebSocket side of a running server. */
export interface ResponsesWebSocket {
  /** How many connections are open. */
  readonly connections: number;
  /** Closes every connection (1001, going away). */
  close(): void;
}

// The path of WebSocket mode, as the API serves it: the same as the HTTP create.
const RESPONSES_PATH = '/v1/responses';

/**
 * WebSocket mode on `server`: an upgrade of `GET /v1/responses` (with one of the server's keys
 * when it requires them: the connection then works in that key's tenant) opens a
 * {@link ResponsesConnection}; an upgrade anywhere else is a 404, one without a right key a 401,
 * one while the server drains a 503, each in the API's envelope.
 *
 * @example `const webSocket = acceptResponsesWebSockets(server, context, { limits: DEFAULT_CONNECTION_LIMITS, keys: () => ring, scope, draining: () => false, maxPayload, onInternalError });`
 */
export function acceptResponsesWebSockets(server: Server, context: ServerContext, options: ResponsesWebSocketOptions): ResponsesWebSocket {
  // No per-message compression: the API's SDKs turn it off, and it costs CPU on every event.
  const webSockets = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, perMessageDeflate: false });
  const open = new Set<ResponsesConnection>();
  // The key of each message, checked again every time: a key removed since the upgrade stops working.
  const keyOf = (authorization: string | undefined): ConnectionKey | ApiError => {
    const keys = options.keys();
    return keys === undefined ? { tenant: DEFAULT_TENANT, name: undefined, limits: undefined } : keyOfRequest(keys, authorization);
  };
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const authorization = request.headers.authorization;
    const key = keyOf(authorization);
    const refusal =
      path !== RESPONSES_PATH && path !== `${RESPONSES_PATH}/`
        ? new ApiError(404, `Invalid URL (GET ${path}): WebSocket mode is served at ${RESPONSES_PATH}.`)
        : options.draining()
          ? new ApiError(503, 'The server is shutting down and takes no new requests; retry, another instance will answer.', { type: 'server_error', code: 'server_shutting_down' })
          : key instanceof ApiError
            ? key
            : undefined;
    if (refusal !== undefined) return refuse(socket, refusal);
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const connection = new ResponsesConnection(webSocket, context, {
        limits: options.limits,
        onInternalError: options.onInternalError,
        storage: options.storage,
        scope: options.scope,
        key: () => keyOf(authorization),
        keyLimiter: options.keyLimiter,
        draining: options.draining,
      });
      open.add(connection);
      webSocket.once('close', () => open.delete(connection));
    });
  });
  return {
    get connections() {
      return open.size;
    },
    close() {
      for (const connection of open) connection.close();
      open.clear();
      webSockets.close();
    },
  };
}

// An upgrade refused before it happened: a plain HTTP answer in the API's envelope, then the end.
function refuse(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.toEnvelope());
  const reason = error.status === 401 ? 'Unauthorized' : error.status === 503 ? 'Service Unavailable' : 'Not Found';
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${newRequestId()}\r\nConnection: close\r\n\r\n${body}`,
  );
}
