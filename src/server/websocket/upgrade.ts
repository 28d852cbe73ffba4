import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { apiKeyCheck } from '../auth.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { newRequestId } from '../operations/requestIds.ts';
import { ResponsesConnection, type ConnectionLimits, type ConnectionStorage } from './connection.ts';

/** How the server takes WebSocket connections. */
export interface ResponsesWebSocketOptions {
  limits: ConnectionLimits;
  /** The bearer key the upgrade request must carry; undefined: none. */
  apiKey: string | undefined;
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
 * WebSocket mode on `server`: an upgrade of `GET /v1/responses` (with the API key when the
 * server requires one) opens a {@link ResponsesConnection}; an upgrade anywhere else is a 404,
 * one without the right key a 401, each in the API's envelope.
 *
 * @example `const webSocket = acceptResponsesWebSockets(server, context, { limits: DEFAULT_CONNECTION_LIMITS, apiKey, maxPayload, onInternalError });`
 */
export function acceptResponsesWebSockets(server: Server, context: ServerContext, options: ResponsesWebSocketOptions): ResponsesWebSocket {
  // No per-message compression: the API's SDKs turn it off, and it costs CPU on every event.
  const webSockets = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, perMessageDeflate: false });
  const refusalOf = options.apiKey === undefined ? () => undefined : apiKeyCheck(options.apiKey);
  const open = new Set<ResponsesConnection>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const refusal =
      path !== RESPONSES_PATH && path !== `${RESPONSES_PATH}/`
        ? new ApiError(404, `Invalid URL (GET ${path}): WebSocket mode is served at ${RESPONSES_PATH}.`)
        : refusalOf(request.headers.authorization);
    if (refusal !== undefined) return refuse(socket, refusal);
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const connection = new ResponsesConnection(webSocket, context, options.limits, options.onInternalError, options.storage);
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
  const reason = error.status === 401 ? 'Unauthorized' : 'Not Found';
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${newRequestId()}\r\nConnection: close\r\n\r\n${body}`,
  );
}
