import { AssistantStream } from '../../stream/AssistantStream.ts';
import type { ResponseObject } from '../../wire/index.ts';
import type { AssistantsClient } from '../AssistantsClient.ts';
import { APIConnectionError, InvalidArgumentError } from '../errors.ts';
import type { HeadersLike } from '../request.ts';
import type { ResponseCreateParams, ResponseStreamOptions } from '../resources/responses.ts';
import { resumeResponses } from '../responseResume.ts';
import { Connection, type PendingResponse, type WebSocketConstructor } from './connection.ts';
import { PushSource } from './pushSource.ts';
import { ChainTranscripts, inputItemsOf } from './transcripts.ts';

export type { WebSocketConstructor, WebSocketEventLike, WebSocketLike } from './connection.ts';

/**
 * The event a WebSocket stream carries before the events of a request sent again with its
 * chain's whole context: the server no longer had the response it continued
 * (`previous_response_not_found`, a `store: false` chain whose connection closed).
 */
export const RESPONSE_RESTARTED_EVENT = 'assistant_machines.response.restarted';

/** The data of {@link RESPONSE_RESTARTED_EVENT}. */
export interface ResponseRestartNotice {
  type: typeof RESPONSE_RESTARTED_EVENT;
  /** The response the request continued, which the server no longer has. */
  previous_response_id: string;
  /** The server's error code. */
  reason: string;
  /** How many items of context were sent in its place (the compacted ones with `recover: 'compact'`). */
  context_items: number;
  /** Whether the context was compacted first (`POST /responses/compact`). */
  compacted: boolean;
}

/** A create request over WebSocket: the HTTP body, plus the lane it runs in, and whether it generates. */
export interface ResponseWebSocketCreateParams extends ResponseCreateParams {
  /** The lane: requests with the same `stream_id` run in order, different ones side by side; its events carry it. */
  stream_id?: string;
  /**
   * `false` warms up: the server takes the input (and prepares the tools and instructions) and
   * answers a completed response with no output, without the model; the next turn chains from
   * it with `previous_response_id`. Default `true`.
   */
  generate?: boolean;
}

/** Options of `client.responses.connect()`. */
export interface ResponsesWebSocketOptions {
  /**
   * The WebSocket class (one whose constructor takes `{ headers }`): default the runtime's
   * (Node 22+, Deno, Bun), else the `ws` package's (Node 20). A browser's cannot send the API key.
   */
  WebSocket?: WebSocketConstructor | undefined;
  /**
   * When the server no longer has the response a request continues (`previous_response_not_found`:
   * a `store: false` chain whose connection closed): `full-context` (default) sends the request
   * again without `previous_response_id`, with the chain's every item this socket saw before its
   * own input; `compact` compacts that context first (`POST /responses/compact`); `none` lets the
   * error end the stream. Once per request.
   */
  recover?: 'full-context' | 'compact' | 'none' | undefined;
  /** Extra headers for the upgrade request (a `null` value removes one of the client's). */
  headers?: HeadersLike | undefined;
}

const TERMINAL_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.failed', 'response.incomplete']);
const RECOVERY_MODES = ['full-context', 'compact', 'none'] as const;

/**
 * WebSocket mode of the Responses API (`client.responses.connect()`): one connection to
 * `wss://…/v1/responses`, each `response.create` a message and its events the messages back.
 * Its streams are this library's {@link AssistantStream} — the same statecharts, handler,
 * listeners and finals as `client.responses.stream` — and a continuation sends only its new
 * items with `previous_response_id`: the server keeps the chain on the connection, `store: false`
 * included. The connection reopens by itself for the next request when it closed; a request the
 * server refuses for the connection's age goes again on a new one; and one whose previous
 * response the server no longer has goes again with its chain's whole context (see
 * {@link ResponsesWebSocketOptions.recover}), saying so first ({@link RESPONSE_RESTARTED_EVENT}).
 * A stream cut mid-response resumes over HTTP where the server keeps the response (`store: true`).
 *
 * @example
 * ```ts
 * const socket = client.responses.connect();
 * let response = await socket.stream({ model: 'gpt-5', input: 'Find fizz_buzz()', tools, store: false }).finalResponse();
 * while (response.output.some((item) => item.type === 'function_call')) {
 *   response = await socket.stream({ model: 'gpt-5', previous_response_id: response.id, input: await runTools(response), tools, store: false }).finalResponse();
 * }
 * socket.close();
 * ```
 */
export class ResponsesWebSocket {
  /** The WebSocket URL: the client's base URL with `ws:`/`wss:` and `/responses`. */
  readonly url: string;
  readonly #client: AssistantsClient;
  readonly #recover: NonNullable<ResponsesWebSocketOptions['recover']>;
  readonly #headers: HeadersLike | undefined;
  readonly #WebSocket: Promise<WebSocketConstructor>;
  readonly #transcripts = new ChainTranscripts();
  readonly #connections = new Set<Connection>();
  #current: Connection | undefined;
  #closed = false;

  /** @internal Use `client.responses.connect(options)`. */
  constructor(client: AssistantsClient, options: ResponsesWebSocketOptions = {}) {
    const recover = options.recover ?? 'full-context';
    if (!RECOVERY_MODES.includes(recover)) throw new InvalidArgumentError('recover', `must be one of ${RECOVERY_MODES.join(', ')} (got ${JSON.stringify(recover)})`);
    this.#client = client;
    this.#recover = recover;
    this.#headers = options.headers;
    this.url = webSocketURL(client.baseURL);
    this.#WebSocket = webSocketClass(options.WebSocket);
    // Connected at once, as the official SDK's ResponsesWS: the first request skips the handshake.
    this.#connection();
  }

  /** Resolves once a connection is open (rejects with an {@link APIConnectionError} when the upgrade fails). */
  async opened(): Promise<void> {
    await this.#connection().ready;
  }

  /**
   * Sends a `response.create` and streams its response: an {@link AssistantStream} driving the
   * same statecharts as `client.responses.stream` (which this is, with `{ socket: this }`).
   *
   * @example `const { output_text } = await socket.stream({ model: 'scripted', input: 'Hello!' }).finalResponse();`
   */
  stream(body: ResponseWebSocketCreateParams, options: Omit<ResponseStreamOptions, 'socket'> = {}): AssistantStream {
    return this.#client.responses.stream(body, { ...options, socket: this });
  }

  /** Sends a `response.create` and resolves with its final response. @example `const response = await socket.create({ model: 'scripted', input: 'Hi' });` */
  create(body: ResponseWebSocketCreateParams, options: Omit<ResponseStreamOptions, 'socket'> = {}): Promise<ResponseObject> {
    return this.stream(body, options).finalResponse();
  }

  /** Closes every connection; requests still waiting fail, and the socket takes no more. @example `socket.close();` */
  close(): void {
    this.#closed = true;
    for (const connection of [...this.#connections]) connection.close();
  }

  /**
   * The stream of one request sent on this socket (what `client.responses.stream(body, { socket })` returns).
   *
   * @internal
   */
  openStream(body: ResponseWebSocketCreateParams, options: Omit<ResponseStreamOptions, 'socket'>, runId: string | undefined): AssistantStream {
    const { handler, inspect, idleTimeoutMs, deadlineMs, heartbeatsCountAsProgress, maxFrameLength, signal, lifecycle = this.#client.lifecycle } = options;
    const ended = new AbortController();
    const source = new PushSource();
    // Framed as server-sent events: a resumption over HTTP continues the same bytes.
    const stream = AssistantStream.fromSSE(source, {
      handler,
      inspect,
      signal,
      idleTimeoutMs: idleTimeoutMs ?? this.#client.timeoutMs,
      deadlineMs,
      heartbeatsCountAsProgress,
      maxFrameLength,
      lifecycle,
      protocol: 'responses',
      runId,
      // A stored response cut mid-way goes on over HTTP; a store: false one cannot.
      resume: resumeResponses(this.#client, ended.signal),
      readErrorCause: (cause) => cause,
    });
    stream.on('end', () => ended.abort());
    const { stream: _stream, stream_id: lane, ...fields } = body as ResponseWebSocketCreateParams & { stream?: unknown };
    if (fields.background === true) {
      source.fail(new InvalidArgumentError('body.background', 'is not supported over WebSocket: create a background response with client.responses.create'));
      return stream;
    }
    if (this.#closed) {
      source.fail(new APIConnectionError({ message: 'This ResponsesWebSocket was closed: connect again with client.responses.connect().' }));
      return stream;
    }
    this.#dispatch({ lane: lane ?? '', body: lane === undefined ? fields : { ...fields, stream_id: lane }, source, started: false, restarted: false, reconnected: false });
    return stream;
  }

  // The connection new requests go to: the current one, or a new one when it closed or retires.
  #connection(): Connection {
    if (this.#current !== undefined && !this.#current.closed && !this.#current.retiring) return this.#current;
    const connection = new Connection(this.url, this.#client.upgradeHeaders(this.#headers), this.#WebSocket, {
      message: (from, text) => this.#take(from, text),
      closed: (from, waiting, error) => {
        this.#connections.delete(from);
        if (this.#current === from) this.#current = undefined;
        for (const pending of waiting) this.#lost(pending, error);
      },
    });
    this.#connections.add(connection);
    this.#current = connection;
    return connection;
  }

  // A request whose connection ended. One that had no event yet most likely never reached the
  // server (a connection that dropped between two turns): it is sent once more on a new one —
  // unless it names a conversation, which a second copy would add its items to twice. One that
  // had begun fails: its stream resumes over HTTP where the response was stored.
  #lost(pending: PendingResponse, error: unknown): void {
    if (!pending.started && !pending.reconnected && !this.#closed && pending.body['conversation'] == null && !pending.source.stopped) {
      pending.reconnected = true;
      this.#dispatch(pending);
    } else pending.source.fail(error);
  }

  #dispatch(pending: PendingResponse): void {
    if (this.#closed) pending.source.fail(new APIConnectionError({ message: 'This ResponsesWebSocket was closed before the request was sent.' }));
    else this.#connection().send(pending);
  }

  // One event from the server: to the oldest request of its lane, which it ends if it is terminal.
  #take(connection: Connection, text: string): void {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null) return;
    const lane = typeof event['stream_id'] === 'string' ? event['stream_id'] : '';
    const pending = connection.lanes.get(lane)?.[0];
    if (pending === undefined) return;
    const type = event['type'];
    if (type === 'error' && !pending.started && this.#retried(connection, pending, event)) return;
    pending.started = true;
    pending.source.push(sseFrame(text));
    if (type !== 'error' && !(typeof type === 'string' && TERMINAL_EVENTS.has(type))) return;
    connection.remove(pending);
    pending.source.end();
    const response = event['response'] as ResponseObject | undefined;
    if (response !== undefined && (response.status === 'completed' || response.status === 'incomplete') && pending.body['conversation'] == null) {
      const previous = pending.body['previous_response_id'];
      this.#transcripts.record(
        response.id,
        typeof previous === 'string' ? previous : undefined,
        inputItemsOf(pending.body['input'] as ResponseCreateParams['input']),
        response.output,
      );
    }
  }

  // A request the server refused before starting it, sent again where that helps: on a new
  // connection (this one is too old), or with its chain's context (its previous response is gone).
  #retried(connection: Connection, pending: PendingResponse, event: Record<string, unknown>): boolean {
    const code = (event['error'] as { code?: unknown } | undefined)?.code;
    if (code === 'websocket_connection_limit_reached' && !pending.reconnected) {
      connection.retiring = true;
      connection.remove(pending);
      pending.reconnected = true;
      this.#dispatch(pending);
      return true;
    }
    const previous = pending.body['previous_response_id'];
    if (code !== 'previous_response_not_found' || pending.restarted || this.#recover === 'none' || typeof previous !== 'string') return false;
    const context = this.#transcripts.contextOf(previous);
    if (context === undefined) return false;
    connection.remove(pending);
    pending.restarted = true;
    void this.#restart(pending, previous, context, code);
    return true;
  }

  async #restart(pending: PendingResponse, previous: string, context: ResponseCreateParams['input'] & unknown[], reason: string): Promise<void> {
    let items = context;
    const compacted = this.#recover === 'compact';
    try {
      if (compacted) items = (await this.#client.responses.compact({ model: String(pending.body['model']), input: context })).output;
    } catch (error) {
      pending.source.fail(error);
      return;
    }
    const { previous_response_id: _gone, ...body } = pending.body;
    pending.body = { ...body, input: [...items, ...inputItemsOf(pending.body['input'] as ResponseCreateParams['input'])] };
    const notice: ResponseRestartNotice = { type: RESPONSE_RESTARTED_EVENT, previous_response_id: previous, reason, context_items: items.length, compacted };
    pending.source.push(sseFrame(JSON.stringify(notice)));
    this.#dispatch(pending);
  }
}

// One message as an unnamed SSE frame (a message with line breaks gets a data line for each).
function sseFrame(text: string): string {
  return text.includes('\n') ? `${text.split(/\r?\n/).map((line) => `data: ${line}`).join('\n')}\n\n` : `data: ${text}\n\n`;
}

/**
 * The WebSocket URL of a client's base URL: `http(s)` becomes `ws(s)`, and `/responses` is added.
 *
 * @example `webSocketURL('https://api.openai.com/v1') // 'wss://api.openai.com/v1/responses'`
 */
export function webSocketURL(baseURL: string): string {
  const url = new URL(`${baseURL.replace(/\/+$/, '')}/responses`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

// The runtime's WebSocket when it has one (Node 22+, Deno, Bun), else the `ws` package (Node 20).
async function webSocketClass(given: WebSocketConstructor | undefined): Promise<WebSocketConstructor> {
  if (given !== undefined) return given;
  const runtime = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof runtime === 'function') return runtime as WebSocketConstructor;
  const ws = await import('ws');
  return ws.WebSocket as unknown as WebSocketConstructor;
}
