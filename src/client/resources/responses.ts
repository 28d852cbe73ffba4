import type { CompactedResponse, ResponseObject } from '../../wire/index.ts';
import type { AssistantStream } from '../../stream/AssistantStream.ts';
import type { AssistantsClient } from '../AssistantsClient.ts';
import { InvalidArgumentError } from '../errors.ts';
import type { PagePromise } from '../pagination.ts';
import { checkPollOptions, pollUntilDone, type PollOptions } from '../poll.ts';
import { path, type RequestOptions } from '../request.ts';
import { startStream, type StreamRequestOptions } from '../streaming.ts';
import { ResponsesWebSocket, type ResponsesWebSocketOptions } from '../webSocket/ResponsesWebSocket.ts';
import { APIResource } from './resource.ts';

/** How many responses' run ids a client remembers for continuations. */
const MAX_REMEMBERED_RESPONSES = 10_000;

/**
 * A content part of an input message: text (`input_text`, an assistant's `output_text`), an
 * image, a file, … (the last member takes parts typed as interfaces, the official SDK's).
 */
export type ResponseInputContent = { type: 'input_text' | 'output_text'; text: string } | { type: string; [key: string]: unknown } | { readonly type: string };

/**
 * An item of a response's `input` (and of a conversation): a message, the output of a function
 * call, or any other item (one echoed back from an earlier output, a function call, …).
 */
export type ResponseInputItem =
  | {
      type?: 'message';
      role: 'user' | 'assistant' | 'system' | 'developer';
      content: string | ResponseInputContent[];
      [key: string]: unknown;
    }
  | { type: 'function_call_output'; call_id: string; output: string | unknown[]; [key: string]: unknown }
  | { type: string; id?: string | null | undefined; [key: string]: unknown }
  /** An item typed as an interface (the official SDK's `ResponseInputItem`s): passed on as it is. */
  | { readonly type?: string | null | undefined };

/** A tool a response may call. */
export type ResponseTool =
  | { type: 'function'; name: string; description?: string | null; parameters?: Record<string, unknown> | null; strict?: boolean | null }
  | { type: 'file_search'; vector_store_ids: string[]; max_num_results?: number; ranking_options?: { score_threshold?: number } }
  | { type: 'code_interpreter'; container?: string | { type: 'auto'; file_ids?: string[] } }
  | { type: string; [key: string]: unknown };

/** The body of `responses.create` and `responses.stream` (the parameters the Responses API documents). */
export interface ResponseCreateParams {
  model: string;
  input?: string | ResponseInputItem[];
  instructions?: string | null;
  previous_response_id?: string | null;
  /**
   * The conversation the response belongs to (its id, or `{ id }`): its items are the input's
   * prefix, and the response's input and output are added to it. Not with `previous_response_id`.
   */
  conversation?: string | { id: string } | null;
  tools?: ResponseTool[];
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; name: string };
  parallel_tool_calls?: boolean | null;
  /** Runs the response in the background: `create` answers at once; poll with `createAndPoll` or `retrieve`. */
  background?: boolean | null;
  metadata?: Record<string, string> | null;
  temperature?: number | null;
  top_p?: number | null;
  max_output_tokens?: number | null;
  store?: boolean | null;
  include?: string[] | null;
  /** `include_obfuscation: false` leaves out the padding the API adds to each delta event. */
  stream_options?: { include_obfuscation?: boolean } | null;
  text?: unknown;
  reasoning?: unknown;
  stream?: false | null;
}

/** The body of `responses.compact`: the context to compact — `previous_response_id`'s, then `input`. */
export interface ResponseCompactParams {
  model: string;
  input?: string | ResponseInputItem[] | null;
  previous_response_id?: string | null;
  instructions?: string | null;
  prompt_cache_key?: string | null;
}

/** Resumes the stream of an existing response after the event numbered `starting_after`. */
export interface ResponseStreamResumeParams {
  response_id: string;
  starting_after?: number;
}

/** Options of `responses.stream`: the stream's, and where to send the request. */
export interface ResponseStreamOptions extends StreamRequestOptions {
  /**
   * Send the request as a `response.create` on this WebSocket (`client.responses.connect()`)
   * instead of an HTTP POST: the same stream, events over the socket. Request options
   * (`headers`, `timeoutMs`, `maxRetries`, `idempotencyKey`, `query`) do not apply there.
   */
  socket?: ResponsesWebSocket | undefined;
}

/** The query of `responses.inputItems.list`. */
export interface InputItemListParams {
  limit?: number;
  order?: 'asc' | 'desc';
  after?: string;
  before?: string;
}

/** An item of a response's input, as `inputItems.list` returns it. */
export type ResponseInputItemObject = { id: string; type: string } & Record<string, unknown>;

/** `client.responses.inputItems`. */
export class InputItems extends APIResource {
  /** Lists the items a response was created with. @example `for await (const item of client.responses.inputItems.list(responseId)) console.log(item.type);` */
  list(responseId: string, query: InputItemListParams = {}, options?: RequestOptions): PagePromise<ResponseInputItemObject> {
    return this._client.requestList(() => ({ method: 'GET', path: path`/responses/${responseId}/input_items`, query: { ...query } }), options);
  }
}

/**
 * `client.responses`: the Responses API in the official SDK's layout. Its streams are this
 * library's {@link AssistantStream}, driving the same statecharts as an Assistants run: a
 * response is a run, and a chain of responses continued with function outputs keeps one run
 * id (docs/responses.md).
 */
export class Responses extends APIResource {
  readonly inputItems: InputItems;
  // Which run a response belongs to, so a continuation's stream names the same run.
  readonly #runOf = new Map<string, string>();
  // The newest response made in each conversation: what a continuation through it goes on from.
  readonly #latestIn = new Map<string, string>();

  constructor(client: AssistantsClient) {
    super(client);
    this.inputItems = new InputItems(client);
  }

  /**
   * Creates a response and answers with it — finished, or (with `background: true`) queued.
   * For a streamed response use {@link stream}.
   *
   * @example `const response = await client.responses.create({ model: 'scripted', input: 'Hello!' }); console.log(response.output_text);`
   */
  async create(body: ResponseCreateParams, options?: RequestOptions): Promise<ResponseObject> {
    if ((body as { stream?: unknown }).stream === true)
      throw new InvalidArgumentError('responses.create body.stream', 'must not be true: use responses.stream() for a streamed response');
    const response = await this._client.request<ResponseObject>({ method: 'POST', path: '/responses', body }, options);
    this.#remember(response.id, body);
    return withOutputText(response);
  }

  /** Retrieves a response. @example `const response = await client.responses.retrieve(responseId);` */
  async retrieve(responseId: string, options?: RequestOptions): Promise<ResponseObject> {
    return withOutputText(await this._client.request<ResponseObject>({ method: 'GET', path: path`/responses/${responseId}` }, options));
  }

  /**
   * Deletes a response (one still running is cancelled first). Resolves to nothing, as the
   * official SDK's does.
   *
   * @example `await client.responses.delete(responseId); // retrieving it is now a NotFoundError`
   */
  async delete(responseId: string, options?: RequestOptions): Promise<void> {
    await this._client.request<unknown>({ method: 'DELETE', path: path`/responses/${responseId}` }, options);
  }

  /** Cancels a background response. @example `const response = await client.responses.cancel(responseId); // status: 'cancelled'` */
  async cancel(responseId: string, options?: RequestOptions): Promise<ResponseObject> {
    return withOutputText(await this._client.request<ResponseObject>({ method: 'POST', path: path`/responses/${responseId}/cancel` }, options));
  }

  /**
   * Opens WebSocket mode (`wss://…/v1/responses`): one connection, each request a
   * `response.create` message, its events the messages back, streamed as {@link AssistantStream}s
   * (docs/responses.md, "WebSocket mode").
   *
   * @example
   * ```ts
   * const socket = client.responses.connect();
   * const response = await socket.stream({ model: 'scripted', input: 'Hello!', store: false }).finalResponse();
   * socket.close();
   * ```
   */
  connect(options?: ResponsesWebSocketOptions): ResponsesWebSocket {
    return new ResponsesWebSocket(this._client, options);
  }

  /**
   * Compacts a context (`POST /responses/compact`): its user messages, then one `compaction`
   * item standing for the rest. Pass the answer's `output` as the next request's `input` (without
   * `previous_response_id`): a long chain goes on shorter, and a `store: false` chain whose
   * connection-local state is gone goes on at all (docs/responses.md, "Compaction").
   *
   * @example `const { output } = await client.responses.compact({ model: 'scripted', previous_response_id: last.id });`
   */
  async compact(body: ResponseCompactParams, options?: RequestOptions): Promise<CompactedResponse> {
    return this._client.request<CompactedResponse>({ method: 'POST', path: '/responses/compact', body }, options);
  }

  /**
   * Creates a background response and polls it (the poll statechart) until it completes,
   * fails, ends incomplete or is cancelled.
   *
   * @example `const response = await client.responses.createAndPoll({ model: 'scripted', input: 'Hi' }, { pollIntervalMs: 100 });`
   */
  async createAndPoll(body: ResponseCreateParams, options: PollOptions = {}): Promise<ResponseObject> {
    const startedAt = Date.now();
    const requestOptions = checkPollOptions(options);
    const response = await this.create({ ...body, background: true }, requestOptions);
    return withOutputText(await pollUntilDone<ResponseObject>(this._client, { resource: 'response', responseId: response.id }, options, startedAt));
  }

  /**
   * Streams a new response — or, given `{ response_id, starting_after }`, an existing one
   * again, announcing only the events after `starting_after` — as an {@link AssistantStream}:
   * listeners under the Responses names (`response.output_text.delta`, …) and the Assistants
   * ones (`textDelta`, …), a handler, `finalResponse()`, and `finalRun()`/`finalMessages()`.
   *
   * @example
   * ```ts
   * const stream = client.responses.stream({ model: 'scripted', input: 'Hello!' })
   *   .on('response.output_text.delta', (event) => process.stdout.write(event.delta));
   * console.log((await stream.finalResponse()).output_text);
   * ```
   */
  stream(body: ResponseCreateParams | ResponseStreamResumeParams, options: ResponseStreamOptions = {}): AssistantStream {
    const { socket, ...streamOptions } = options;
    if ('response_id' in body) {
      const runId = this.#runOf.get(body.response_id);
      return startStream(this._client, { method: 'GET', path: path`/responses/${body.response_id}`, query: { stream: 'true' } }, streamOptions, {
        protocol: 'responses',
        runId,
        startingAfter: body.starting_after,
      });
    }
    const runId = this.#chainRunId(body);
    const stream =
      socket === undefined
        ? startStream(this._client, { method: 'POST', path: '/responses', body }, streamOptions, { protocol: 'responses', runId })
        : socket.openStream(body, streamOptions, runId);
    stream.once('response.created', (event) => this.#remember(event.response.id, body, runId));
    return stream;
  }

  // Bounded: a long-lived client forgets the oldest chains (a continuation of a forgotten
  // response then names the previous response's id as its run id).
  #setRunOf(responseId: string, runId: string): void {
    this.#runOf.set(responseId, runId);
    if (this.#runOf.size > MAX_REMEMBERED_RESPONSES) this.#runOf.delete(this.#runOf.keys().next().value!);
  }

  // A continuation with function outputs goes on with the run of the response it continues:
  // the previous response, or the newest one of its conversation.
  #chainRunId(body: ResponseCreateParams): string | undefined {
    const answersCalls = Array.isArray(body.input) && body.input.some((item) => item.type === 'function_call_output');
    if (!answersCalls) return undefined;
    const conversationId = conversationIdOf(body.conversation);
    const previous = body.previous_response_id ?? (conversationId === undefined ? undefined : this.#latestIn.get(conversationId));
    return previous == null ? undefined : (this.#runOf.get(previous) ?? previous);
  }

  #remember(responseId: string, body: ResponseCreateParams, runId = this.#chainRunId(body)): void {
    this.#setRunOf(responseId, runId ?? responseId);
    const conversationId = conversationIdOf(body.conversation);
    if (conversationId === undefined) return;
    this.#latestIn.delete(conversationId);
    this.#latestIn.set(conversationId, responseId);
    if (this.#latestIn.size > MAX_REMEMBERED_RESPONSES) this.#latestIn.delete(this.#latestIn.keys().next().value!);
  }
}

function conversationIdOf(conversation: ResponseCreateParams['conversation']): string | undefined {
  if (conversation == null) return undefined;
  return typeof conversation === 'string' ? conversation : conversation.id;
}

// The official SDK adds `output_text` (all the text of the output) to every response it returns.
function withOutputText(response: ResponseObject): ResponseObject {
  if (typeof response.output_text === 'string') return response;
  let text = '';
  for (const item of response.output ?? []) {
    if (item.type !== 'message') continue;
    for (const part of (item as { content?: Array<{ type: string; text?: string }> }).content ?? [])
      if (part.type === 'output_text') text += part.text ?? '';
  }
  return { ...response, output_text: text };
}
