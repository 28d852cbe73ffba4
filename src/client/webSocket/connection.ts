import { APIConnectionError } from '../errors.ts';
import type { PushSource } from './pushSource.ts';

/** The part of a WebSocket this client uses: the WHATWG one (Node 22+, Deno, Bun) or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: WebSocketEventLike) => void): void;
}

/** What the client reads of a WebSocket event: a message's `data`, a close's `code` and `reason`. */
export interface WebSocketEventLike {
  readonly data?: unknown;
  readonly code?: number;
  readonly reason?: string;
}

/** A WebSocket class that takes the upgrade's headers (`ws`'s, undici's in Node 22+, Deno's, Bun's). */
export type WebSocketConstructor = new (url: string, init?: { headers?: Record<string, string> }) => WebSocketLike;

/** One `response.create` sent (or to be sent) on a connection, and where its events go. */
export interface PendingResponse {
  /** Its lane: the `stream_id` it was sent with, or '' for none. */
  readonly lane: string;
  /** The `response.create` message's fields, as sent (a restart changes them). */
  body: Record<string, unknown>;
  /** The events' text, one JSON object a line, for the stream that reads them. */
  readonly source: PushSource;
  /** Whether an event of its response arrived (an error before that may be retried). */
  started: boolean;
  /** Whether it was sent again with its chain's whole context (once at most). */
  restarted: boolean;
  /** Whether it was sent again on a new connection (once at most). */
  reconnected: boolean;
}

/** What a connection tells its owner. */
export interface ConnectionEvents {
  message(connection: Connection, text: string): void;
  /** It ended: `waiting` are the requests it still had (their owner fails or resends them), `error` why. */
  closed(connection: Connection, waiting: PendingResponse[], error: unknown): void;
}

const OPEN = 1;

/**
 * One WebSocket to `…/v1/responses` and the requests sent on it, by lane in the order they were
 * sent — the order the server answers them in. When it closes, it hands the requests it still
 * has to its owner with an {@link APIConnectionError} saying how it ended.
 */
export class Connection {
  /** The open socket, once the upgrade succeeded. */
  readonly ready: Promise<WebSocketLike>;
  /** Each lane's requests waiting for their events, oldest first. */
  readonly lanes = new Map<string, PendingResponse[]>();
  /** No new requests go here (the server refused one for the connection's age); it closes once empty. */
  retiring = false;
  #closed = false;
  #socket: WebSocketLike | undefined;
  readonly #events: ConnectionEvents;

  constructor(url: string, headers: Record<string, string>, WebSocketClass: Promise<WebSocketConstructor>, events: ConnectionEvents) {
    this.#events = events;
    this.ready = WebSocketClass.then(
      (Socket) =>
        new Promise<WebSocketLike>((resolve, reject) => {
          if (this.#closed) return reject(new APIConnectionError({ message: 'The WebSocket was closed before it opened.' }));
          const socket = new Socket(url, { headers });
          this.#socket = socket;
          let opened = false;
          socket.addEventListener('open', () => {
            opened = true;
            resolve(socket);
          });
          socket.addEventListener('message', (event) => {
            if (typeof event.data === 'string') this.#events.message(this, event.data);
          });
          socket.addEventListener('close', (event) => {
            const why = `${event.code ?? 1006}${event.reason ? `: ${event.reason}` : ''}`;
            const error = new APIConnectionError({ message: opened ? `The WebSocket closed (${why}) before the response ended.` : `The WebSocket upgrade to ${url} failed (${why}).` });
            if (!opened) reject(error);
            this.#end(error);
          });
          // An error is followed by a close, which says how it ended.
          socket.addEventListener('error', () => {});
        }),
    );
    this.ready.catch((error: unknown) => this.#end(error));
  }

  /** Whether it ended (closed by either side, or never opened). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends `pending` after the requests already sent on its lane. */
  send(pending: PendingResponse): void {
    const lane = this.lanes.get(pending.lane);
    if (lane === undefined) this.lanes.set(pending.lane, [pending]);
    else lane.push(pending);
    const message = JSON.stringify({ type: 'response.create', ...pending.body });
    // Sends happen in the order they were asked for: every one waits on the same promise.
    this.ready.then(
      (socket) => {
        if (socket.readyState === OPEN) socket.send(message);
      },
      () => {},
    );
  }

  /** Takes `pending` off its lane (it is done, or goes elsewhere); a retiring connection left empty closes. */
  remove(pending: PendingResponse): void {
    const lane = this.lanes.get(pending.lane);
    const index = lane?.indexOf(pending) ?? -1;
    if (lane === undefined || index === -1) return;
    lane.splice(index, 1);
    if (lane.length === 0) this.lanes.delete(pending.lane);
    if (this.retiring && this.lanes.size === 0) this.close();
  }

  /** Closes the socket normally; the requests it still has fail. */
  close(): void {
    if (this.#socket !== undefined && !this.#closed) this.#socket.close(1000, 'closed by the client');
    this.#end(new APIConnectionError({ message: 'The WebSocket was closed by the client before the response ended.' }));
  }

  #end(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    const waiting = [...this.lanes.values()].flat();
    this.lanes.clear();
    this.#events.closed(this, waiting, error);
  }
}
