import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { FrameRejection, readFrames } from './frames.ts';
import type { InspectorStore } from './store.ts';

/** A sender id as our sender makes them (`?sender=`): URL-safe, short. */
const SENDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Takes the frames of every connection to `/ws`. A connection of our sender (`?sender=ID`)
 * keeps that sender's ids whatever connection it comes on — a reconnect continues the same
 * actors —, has each batch acknowledged (`{"type":"@inspector.ack","received":N}`, the first
 * at once so a reconnected sender knows what to send again) and a batch it already sent
 * skipped; a newer connection of the same sender replaces the older one. Any other connection
 * (`@statelyai/inspect`) has its ids prefixed by its own number (`ws3/x:0`).
 *
 * @example `attachFrameSocket(new WebSocketServer({ noServer: true }), store, reject);`
 */
export function attachFrameSocket(frames: WebSocketServer, store: InspectorStore, reject: (rejection: FrameRejection, origin: string) => void): void {
  let connections = 0;
  const current = new Map<string, WebSocket>();
  frames.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    connections += 1;
    const params = new URL(request.url ?? '/', 'http://inspector').searchParams;
    const given = params.get('sender');
    const senderId = given !== null && SENDER_ID.test(given) ? given : undefined;
    const name = params.get('name')?.slice(0, 80) ?? '';
    let origin = `ws${connections}`;
    if (senderId !== undefined) {
      origin = store.sender(senderId, name).origin;
      current.get(senderId)?.terminate();
      current.set(senderId, socket);
      socket.once('close', () => {
        if (current.get(senderId) === socket) current.delete(senderId);
      });
      socket.send(JSON.stringify({ type: '@inspector.ack', received: store.sender(senderId).received }));
    } else if (name !== '') store.nameOrigin(origin, name);
    socket.on('message', (data, isBinary) => {
      if (senderId !== undefined && current.get(senderId) !== socket) return; // replaced by a newer connection
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      if (isBinary && text.includes('\uFFFD')) {
        reject(new FrameRejection('not-json', `binary message of ${text.length} bytes is not UTF-8 JSON`), origin);
        return;
      }
      const { frames: read, rejections, mark } = readFrames(text);
      if (senderId !== undefined && mark !== undefined) {
        const fresh = store.acceptBatch(senderId, mark);
        socket.send(JSON.stringify({ type: '@inspector.ack', received: store.sender(senderId).received }));
        if (!fresh) return;
      }
      for (const frame of read) store.ingest(frame, origin);
      for (const rejection of rejections) reject(rejection, origin);
    });
    // ws reports a message over maxPayload (and bad framing) here, then closes the connection.
    socket.on('error', (error: Error & { code?: string }) => {
      const kind = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too-large' : 'not-a-frame';
      reject(new FrameRejection(kind, `${error.message}; the connection was closed`), origin);
    });
  });
}
