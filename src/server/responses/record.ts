import type { ConversationItem, ResponseObject } from '../../wire/index.ts';
import type { RunExecutor } from '../executor/runExecutor.ts';
import type { ThreadRecord } from '../store.ts';
import { replayable } from '../streaming.ts';
import { obfuscation, obfuscationSeed } from './responseObject.ts';
import { ResponseWriter } from './writer.ts';

/** An item of a response's `input`, as `GET /responses/{id}/input_items` lists it (and a conversation keeps it). */
export type StoredInputItem = ConversationItem;

/** One event of a response's stream, framed once for every stream that carries it. */
export interface LoggedResponseEvent {
  readonly sequence: number;
  readonly frame: string;
}

/** Receives a response's events: the replay, then each new one; `end` once it is over. */
export interface ResponseSubscriber {
  event(frame: string): void;
  end(): void;
}

/** What a response is made of. */
export interface ResponseRecordInput {
  response: ResponseObject;
  inputItems: StoredInputItem[];
  thread: ThreadRecord<RunExecutor>;
  executor: RunExecutor;
  /** Where in the run's event log this response begins (a continuation starts mid-run). */
  from: number;
  /** The user's question, for file_search `queries`. */
  query: string;
  /** Whether delta events carry `obfuscation` (the request's `stream_options.include_obfuscation`); default true. */
  obfuscate?: boolean | undefined;
  /**
   * A response read back from durable storage that had ended: its final object and last event.
   * Used instead of the run's log when that log no longer holds the response's events (a
   * finished run's log is compacted), since then they are all that is left.
   */
  final?: { response: ResponseObject; last: LoggedResponseEvent };
  /**
   * Rebuild it only when it is first used (a restored response that had ended: a server with
   * many of them starts without replaying every one).
   */
  deferred?: boolean;
}

/**
 * One response of the embedded server: it follows its run's event log from where the response
 * begins, writes its Responses events (numbered from 0 by `sequence_number`) and keeps them, so
 * any number of streams — live, or a `GET ?stream=true&starting_after=N` replay — get the same.
 *
 * @example
 * ```ts
 * const record = new ResponseRecord({ response, inputItems, thread, executor, from: 0, query });
 * await record.finished;
 * ```
 */
export class ResponseRecord {
  /** The response as created, before its first event: what durable storage keeps to rebuild it. */
  readonly initial: ResponseObject;
  readonly inputItems: StoredInputItem[];
  readonly thread: ThreadRecord<RunExecutor>;
  readonly executor: RunExecutor;
  /** Where in the run's event log this response begins. */
  readonly from: number;
  /** The user's question it answers. */
  readonly query: string;
  /** Whether delta events carry `obfuscation`. */
  readonly obfuscate: boolean;
  /** The seed of its deltas' obfuscation (undefined without it). */
  readonly #obfuscationSeed: number | undefined;
  #response: ResponseObject;
  readonly #finished: Promise<void>;
  readonly #events: LoggedResponseEvent[] = [];
  readonly #subscribers = new Set<ResponseSubscriber>();
  #ended = false;
  /** Starts following the run's log; undefined once started. */
  #start: (() => void) | undefined;

  constructor(input: ResponseRecordInput) {
    this.#response = input.response;
    this.initial = structuredClone(input.response);
    this.inputItems = input.inputItems;
    this.thread = input.thread;
    this.executor = input.executor;
    this.from = input.from;
    this.query = input.query;
    this.obfuscate = input.obfuscate ?? true;
    this.#obfuscationSeed = this.obfuscate ? obfuscationSeed(input.response.id) : undefined;
    let resolve!: () => void;
    this.#finished = new Promise<void>((done) => {
      resolve = done;
    });
    this.#start = () => {
      this.#start = undefined;
      const { final } = input;
      if (final !== undefined && input.executor.log.firstKept > input.from) {
        this.#response = final.response;
        this.#events.push(final.last);
        this.#ended = true;
        resolve();
        return;
      }
      const writer = new ResponseWriter(this.#response, (event) => this.#append(event), { query: input.query });
      let stop: (() => void) | undefined;
      const end = () => {
        if (this.#ended) return;
        this.#ended = true;
        stop?.();
        for (const subscriber of this.#subscribers) subscriber.end();
        this.#subscribers.clear();
        resolve();
      };
      stop = input.executor.log.subscribe(input.from, {
        event(entry) {
          writer.take(entry.event, frameData(entry.frame));
          if (writer.finished) end();
        },
        close: end,
      });
      // The replay may have finished the response before `subscribe` returned.
      if (this.#ended) stop();
    };
    if (input.deferred !== true) this.#start();
  }

  /** Whether it is a restored response not rebuilt yet (nothing has asked for it). */
  get deferred(): boolean {
    return this.#start !== undefined;
  }

  /** The response as it is now (its writer updates it as the run goes on). */
  get response(): ResponseObject {
    this.#start?.();
    return this.#response;
  }

  /** Resolves when the response reached a terminal event, or the server closed. */
  get finished(): Promise<void> {
    this.#start?.();
    return this.#finished;
  }

  /** Whether the response reached its terminal event. */
  get ended(): boolean {
    this.#start?.();
    return this.#ended;
  }

  /** The newest event so far (the terminal one once ended). */
  get lastEvent(): LoggedResponseEvent | undefined {
    this.#start?.();
    return this.#events.at(-1);
  }

  /** Replays the events after `startingAfter` (-1: all), then follows; returns the unsubscribe function. */
  subscribe(startingAfter: number, subscriber: ResponseSubscriber): () => void {
    this.#start?.();
    for (const event of this.#events) if (event.sequence > startingAfter) subscriber.event(event.frame);
    if (this.#ended) {
      subscriber.end();
      return () => {};
    }
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  #append(event: { type: string } & Record<string, unknown>): void {
    const sequence = this.#events.length;
    const frame = responseEventFrame(event, sequence, this.#obfuscationSeed);
    this.#events.push({ sequence, frame });
    for (const subscriber of this.#subscribers) subscriber.event(frame);
  }
}

/**
 * One event of a response's stream as its SSE frame: numbered by `sequence_number`, and — with
 * the response's `obfuscationSeed` — a delta padded with its `obfuscation` (see {@link obfuscation}).
 *
 * @example `responseEventFrame({ type: 'response.output_text.delta', delta: 'Hi', … }, 7, obfuscationSeed('resp_abc'))`
 */
export function responseEventFrame(event: { type: string } & Record<string, unknown>, sequence: number, obfuscationSeed: number | undefined): string {
  const { delta } = event;
  const data =
    obfuscationSeed !== undefined && typeof delta === 'string'
      ? { ...event, obfuscation: obfuscation(delta, obfuscationSeed, sequence), sequence_number: sequence }
      : { ...event, sequence_number: sequence };
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

// `event: <name>\ndata: <json>\n\n` → the parsed JSON (the log frames each event once).
function frameData(frame: string): unknown {
  const start = frame.indexOf('\ndata: ') + '\ndata: '.length;
  return JSON.parse(frame.slice(start, frame.length - 2));
}

const encoder = new TextEncoder();

/**
 * The SSE answer of a streamed response: its events after `startingAfter`, until it ends. A
 * client that disconnects only unsubscribes: the response goes on.
 *
 * @example `return streamResponseEvents(record, -1);`
 */
export function streamResponseEvents(record: ResponseRecord, startingAfter: number): Response {
  // A retry with the same Idempotency-Key gets the same events, live; and the stream is never
  // read whole to be kept (that would hold it back until the response ends).
  return replayable(openResponseStream(record, startingAfter), () => openResponseStream(record, startingAfter), {
    type: 'response',
    responseId: record.response.id,
    startingAfter,
  });
}

function openResponseStream(record: ResponseRecord, startingAfter: number): Response {
  let unsubscribe: (() => void) | undefined;
  let closed = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const stop = record.subscribe(startingAfter, {
        event(frame) {
          if (!closed) controller.enqueue(encoder.encode(frame));
        },
        end() {
          if (closed) return;
          closed = true;
          controller.close();
        },
      });
      if (closed) stop();
      else unsubscribe = stop;
    },
    cancel() {
      closed = true;
      unsubscribe?.();
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' },
  });
}
