import type { RawData, WebSocket } from 'ws';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { ResponseRecord } from '../responses/record.ts';
import { CreateResponseRequest, type CreateResponseInput } from '../responses/requests.ts';
import { createResponse, keepUnstored, previousResponseNotFound } from '../responses/routes.ts';
import type { KeyLimiter } from '../operations/limits.ts';
import { newRequestId } from '../operations/requestIds.ts';
import type { KeyLimits } from '../tenants/keys.ts';
import { newRequestInfo, type RequestInfo, type RequestScope } from '../tenants/scope.ts';
import { parseRequest } from '../validation.ts';

/** The limits of one WebSocket connection, as the API sets them (docs/responses.md, "WebSocket mode"). */
export interface ConnectionLimits {
  /** How long a connection takes new responses; later ones get `websocket_connection_limit_reached`. Default 60 minutes. */
  maxAgeMs: number;
  /** Responses accepted and not yet ended (queued in a lane, or running) at once. */
  maxInFlight: number;
  /** Distinct named lanes (`stream_id`s). */
  maxLanes: number;
}

/** Durable storage, as a connection waits on it: what a client is told exists is committed first. */
export interface ConnectionStorage {
  /** Resolves when every change made so far is committed. */
  flushed(): Promise<void>;
  /** On a shared database: resolves once what other servers committed is applied here. */
  synced: (() => Promise<void>) | undefined;
}

/** The key a connection's messages carry: its tenant, its name and limits (none on a server without keys). */
export interface ConnectionKey {
  readonly tenant: string;
  readonly name: string | undefined;
  readonly limits: KeyLimits | undefined;
}

/** What a connection works with besides its socket and the server's state. */
export interface ConnectionOptions {
  limits: ConnectionLimits;
  onInternalError: (error: unknown) => void;
  storage?: ConnectionStorage | undefined;
  /** Where each message runs as a request of its key's tenant. */
  scope: RequestScope;
  /** The connection's key, checked again for each message (the 401 once it is removed). */
  key: () => ConnectionKey | ApiError;
  keyLimiter?: KeyLimiter | undefined;
  /** Whether the server is shutting down. */
  draining: () => boolean;
}

/** The API's limits: 60 minutes a connection, 16 responses in flight, 32 named lanes. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxAgeMs: 60 * 60 * 1000, maxInFlight: 16, maxLanes: 32 };

// The run statuses a run can be cancelled from.
const CANCELLABLE: ReadonlySet<string> = new Set(['queued', 'in_progress', 'requires_action']);

/**
 * One client's WebSocket on `/v1/responses`: each `response.create` message is a create request
 * (the HTTP body, streamed implicitly), answered with the response's events, each a JSON text
 * message as the SSE stream's `data`. Requests of one lane (`stream_id`, or none) run one after
 * another in the order they came; different lanes run side by side, and each event of a named
 * lane carries its `stream_id`. The connection keeps the newest response of each lane in memory:
 * a `previous_response_id` naming one continues it — `store: false` included — with only the new
 * items; another id is looked up among the stored responses, else it is
 * `previous_response_not_found`. A request that fails (an error event, or a response that ends
 * `failed`) evicts the response it continued. When the connection ends, its `store: false`
 * responses are gone: a running one outside a conversation is cancelled (nothing could read it).
 */
export class ResponsesConnection {
  readonly #socket: WebSocket;
  readonly #context: ServerContext;
  readonly #limits: ConnectionLimits;
  readonly #onInternalError: (error: unknown) => void;
  readonly #storage: ConnectionStorage | undefined;
  readonly #options: ConnectionOptions;
  readonly #openedAt = Date.now();
  /** The tail of each lane's queue: a request waits for it before it starts. */
  readonly #lanes = new Map<string, Promise<void>>();
  /** The connection-local cache: each lane's newest response. */
  readonly #latest = new Map<string, ResponseRecord>();
  /** The responses running now (their events are being sent). */
  readonly #running = new Set<ResponseRecord>();
  readonly #unsubscribes = new Set<() => void>();
  #inFlight = 0;
  #closed = false;

  constructor(socket: WebSocket, context: ServerContext, options: ConnectionOptions) {
    this.#socket = socket;
    this.#context = context;
    this.#options = options;
    this.#limits = options.limits;
    this.#onInternalError = options.onInternalError;
    this.#storage = options.storage;
    socket.on('message', (data, isBinary) => this.#take(data, isBinary));
    socket.on('close', () => this.#end());
    socket.on('error', () => this.#end());
  }

  /** Closes the connection (the server is shutting down): 1001, going away. */
  close(): void {
    this.#socket.close(1001, 'server shutting down');
    this.#end();
  }

  #take(data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    const key = this.#options.key();
    if (key instanceof ApiError) {
      // The key was removed since the connection opened: nothing more is taken on it.
      this.#sendError(key);
      this.#socket.close(1008, 'the API key is no longer valid');
      this.#end();
      return;
    }
    // Each message is a request of the key's tenant, as an HTTP one is: it sees that tenant's
    // objects only, and what it starts (the run, its timers) stays in that tenant.
    const info: RequestInfo = { ...newRequestInfo(newRequestId(), true), tenant: key.tenant, key: key.name, keyLimits: key.limits, route: '/v1/responses' };
    const request = this.#read(data, isBinary);
    if (request instanceof ApiError) this.#sendError(request);
    else if (request.refusal !== undefined) this.#sendError(request.refusal, request.lane);
    else {
      // The limits are asked when the request's turn on its lane comes (the bucket may be the
      // database's, and an answer must not let a later message overtake it).
      const { lane, body } = request;
      this.#enqueue(lane ?? '', async () => {
        const refused = await this.#options.keyLimiter?.admit(info, true);
        if (refused !== undefined) this.#sendError(refused, lane);
        else await this.#options.scope.run(info, () => this.#respond(body, lane));
      });
    }
  }

  // A message as a create request on its lane, or what is wrong with it.
  #read(data: RawData, isBinary: boolean): ApiError | { body: Record<string, unknown>; lane: string | undefined; refusal?: ApiError | undefined } {
    let message: unknown;
    try {
      if (isBinary) throw new SyntaxError('binary message');
      message = JSON.parse(rawText(data));
    } catch {
      return new ApiError(400, 'Invalid message: expected a JSON object with a type, as a text message.', { code: 'invalid_json' });
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return new ApiError(400, 'Invalid message: expected a JSON object with a type.', { param: 'type' });
    }
    const { type, stream_id: lane, ...body } = message as Record<string, unknown>;
    if (lane !== undefined && (typeof lane !== 'string' || lane === '')) {
      return new ApiError(400, "Invalid 'stream_id': expected a non-empty string.", { param: 'stream_id' });
    }
    const refusal =
      type === 'response.steer'
        ? new ApiError(400, 'Steering is not supported by the embedded server.', { code: 'steering_not_supported', param: 'type' })
        : type !== 'response.create'
          ? new ApiError(400, `Invalid message type ${JSON.stringify(type)}: this connection takes 'response.create'.`, { code: 'invalid_value', param: 'type' })
          : this.#admit(lane);
    return { body, lane, refusal };
  }

  // The connection's limits, checked when a request arrives.
  #admit(lane: string | undefined): ApiError | undefined {
    if (this.#options.draining()) {
      return new ApiError(503, 'The server is shutting down and takes no new requests; retry, another instance will answer.', { type: 'server_error', code: 'server_shutting_down' });
    }
    if (Date.now() - this.#openedAt >= this.#limits.maxAgeMs) {
      return new ApiError(400, `Responses websocket connection limit reached (${Math.round(this.#limits.maxAgeMs / 60_000)} minutes). Create a new websocket connection to continue.`, {
        code: 'websocket_connection_limit_reached',
      });
    }
    if (this.#inFlight >= this.#limits.maxInFlight) {
      return new ApiError(400, `Too many responses in flight on this connection (at most ${this.#limits.maxInFlight}).`, { code: 'websocket_stream_limit_reached' });
    }
    const named = [...this.#lanes.keys()].filter((key) => key !== '').length;
    if (lane !== undefined && !this.#lanes.has(lane) && named >= this.#limits.maxLanes) {
      return new ApiError(400, `Too many streams on this connection (at most ${this.#limits.maxLanes} stream_id values).`, {
        code: 'websocket_stream_limit_reached',
        param: 'stream_id',
      });
    }
    return undefined;
  }

  #enqueue(lane: string, work: () => Promise<void>): void {
    this.#inFlight += 1;
    const run = (this.#lanes.get(lane) ?? Promise.resolve()).then(() => (this.#closed ? undefined : work()));
    const tail = run
      .catch((error: unknown) => this.#onInternalError(error))
      .finally(() => {
        this.#inFlight -= 1;
        if (this.#lanes.get(lane) === tail) this.#lanes.delete(lane);
      });
    this.#lanes.set(lane, tail);
  }

  // One request, from creation to its terminal event (or its error).
  async #respond(message: Record<string, unknown>, lane: string | undefined): Promise<void> {
    const referenced = typeof message['previous_response_id'] === 'string' ? message['previous_response_id'] : undefined;
    let record: ResponseRecord;
    try {
      if (message['background'] === true) throw new ApiError(400, 'Background mode is not supported over WebSocket.', { param: 'background' });
      const { stream: _stream, generate, ...rest } = message;
      if (generate !== undefined && typeof generate !== 'boolean') {
        throw new ApiError(400, `Invalid type for 'generate': expected a boolean, but got ${generate === null ? 'null' : typeof generate} instead.`, { param: 'generate', code: 'invalid_type' });
      }
      const body = parseRequest(CreateResponseRequest, rest);
      // On a shared database, a response another server made is seen before it is looked up.
      await this.#storage?.synced?.();
      // generate: false warms up: the response takes its input and completes without the model.
      record = createResponse(this.#context, body, this.#cachedPrevious(body), { generate: generate !== false });
      this.#keep(record, body);
      // As over HTTP: a stored response's events go out once its creation is committed.
      if (body.store !== false) await this.#saved();
    } catch (error) {
      if (referenced !== undefined) this.#evict(referenced);
      if (!(error instanceof ApiError)) this.#onInternalError(error);
      this.#sendError(error instanceof ApiError ? error : new ApiError(500, 'The server had an error while processing your request.', { type: 'server_error' }), lane);
      return;
    }
    this.#latest.set(lane ?? '', record);
    this.#running.add(record);
    await this.#forward(record, lane);
    this.#running.delete(record);
    if (record.response.status === 'failed') {
      if (referenced !== undefined) this.#evict(referenced);
      this.#evict(record.response.id);
    }
  }

  // The response `previous_response_id` names, when it is one this connection keeps; a stored
  // one is found by createResponse; another is not found.
  #cachedPrevious(body: CreateResponseInput): ResponseRecord | undefined {
    const id = body.previous_response_id;
    if (id == null || body.conversation != null) return undefined;
    for (const record of this.#latest.values()) if (record.response.id === id) return record;
    if (this.#context.responses.get(id) === undefined) throw previousResponseNotFound(id);
    return undefined;
  }

  async #saved(): Promise<void> {
    try {
      await this.#storage?.flushed();
    } catch (error) {
      this.#onInternalError(error);
      throw new ApiError(500, 'The server could not save this change.', { type: 'server_error' });
    }
  }

  #keep(record: ResponseRecord, body: CreateResponseInput): void {
    if (body.store === false) keepUnstored(this.#context, record);
    else this.#context.responses.set(record.response.id, record);
  }

  #evict(responseId: string): void {
    for (const [lane, record] of this.#latest) if (record.response.id === responseId) this.#latest.delete(lane);
  }

  // The response's events, each the JSON of its SSE frame's data (with the lane's stream_id), until its terminal event.
  #forward(record: ResponseRecord, lane: string | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const stamp = lane === undefined ? '' : `"stream_id":${JSON.stringify(lane)},`;
      let unsubscribe: (() => void) | undefined;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        if (unsubscribe !== undefined) this.#unsubscribes.delete(unsubscribe);
        resolve();
      };
      const stop = record.subscribe(-1, {
        event: (frame) => {
          if (this.#closed) return;
          const data = frame.slice(frame.indexOf('\ndata: ') + '\ndata: '.length, frame.length - 2);
          this.#socket.send(stamp === '' ? data : `{${stamp}${data.slice(1)}`);
        },
        end,
      });
      if (ended) return stop();
      unsubscribe = () => {
        stop();
        end();
      };
      this.#unsubscribes.add(unsubscribe);
    });
  }

  #sendError(error: ApiError, lane?: unknown): void {
    if (this.#closed) return;
    const event = {
      type: 'error',
      status: error.status,
      ...(typeof lane === 'string' ? { stream_id: lane } : {}),
      error: { type: error.type, code: error.code, message: error.message, param: error.param },
    };
    this.#socket.send(JSON.stringify(event));
  }

  // The connection is gone: nothing more is sent, and what only it could reach is let go.
  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const unsubscribe of [...this.#unsubscribes]) unsubscribe();
    // A store: false run outside a conversation, running or paused for outputs, could only be
    // continued through this connection. (A continuation shares its run with what it continues.)
    const runs = new Set([...this.#running, ...this.#latest.values()].filter((record) => record.response.store === false && record.response.conversation == null).map((record) => record.executor));
    for (const executor of runs) if (CANCELLABLE.has(executor.run.status)) executor.cancel();
    this.#running.clear();
    this.#latest.clear();
  }
}

function rawText(data: RawData): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
