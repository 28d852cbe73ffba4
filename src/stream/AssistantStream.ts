/// <reference lib="esnext.disposable" preserve="true" />
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import { chartFailure, type AssistantStreamOutput } from '../../machines/assistantStream.ts';
import { LIFECYCLE_MODES, type LifecycleMode } from '../../machines/lifecycle.ts';
import {
  AssistantStreamError,
  isPendingByteSource,
  type AssistantStreamEvent,
  type PendingByteSource,
  type Message,
  type ResponseObject,
  type ResponsesStreamEvents,
  type Run,
  type RunStep,
  type UnknownStreamEvent,
} from '../wire/index.ts';
import type { AssistantEventHandler } from './AssistantEventHandler.ts';
import { streamMachine } from './bindings.ts';
import { mayKeepBatches } from './inspection.ts';
import { attachSession, SOURCE_OPTION_NAMES, sessionOf, type StreamInput } from './session.ts';
import type { ResumeResponseStream } from './resume.ts';
import { StreamSink } from './sink.ts';
import { EventQueue } from './eventQueue.ts';
import type { AssistantStreamEventName, AssistantStreamEvents, AssistantStreamSnapshot, AssistantStreamStatus, EmittedValue } from './types.ts';

/** Options of {@link AssistantStream.fromSSE} and {@link AssistantStream.fromReadableStream}. */
export interface AssistantStreamOptions {
  /** A handler object whose `on*` methods run as the machines' actions. */
  handler?: AssistantEventHandler | undefined;
  /** Aborts the stream (like `abort()`) when it fires; an aborted signal aborts at once. */
  signal?: AbortSignal | undefined;
  /** An XState inspection observer for every actor of this stream (costs throughput). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
  /** Fails the stream with `idle-timeout` (after `onTimeout`) when no bytes arrive for this long. */
  idleTimeoutMs?: number | undefined;
  /**
   * `tolerant` (default) accepts a backend that skips an intermediate status (a run going
   * `queued → completed`, a step or message created already `completed`), as the official SDK
   * does; `strict` fails the stream with a `lifecycle` error on every transition the
   * statecharts do not draw. Impossible orders fail in both modes.
   */
  lifecycle?: LifecycleMode | undefined;
  /** Fails the stream with `deadline-exceeded` (after `onTimeout`) if it has not ended this long after it was created. */
  deadlineMs?: number | undefined;
  /** Count `: ping` comment lines as progress for `idleTimeoutMs` (by default they are not). */
  heartbeatsCountAsProgress?: boolean | undefined;
  /**
   * Describes a failure of the connection while reading (the stream's error keeps it as
   * `cause`); the client makes it its `APIConnectionError`.
   */
  readErrorCause?: ((thrown: unknown) => unknown) | undefined;
  /**
   * The protocol of the bytes: `assistants` (`thread.*` events) or `responses` (`response.*`
   * events, see docs/responses.md). Default: recognised by the first event.
   */
  protocol?: 'assistants' | 'responses' | undefined;
  /** A Responses stream's run id: the one its chain of responses shares (default: its response's id). */
  runId?: string | undefined;
  /**
   * A resumed Responses stream: the charts take every event, but callbacks and listeners only
   * hear those whose `sequence_number` is above this (the official `starting_after`).
   */
  startingAfter?: number | undefined;
  /**
   * How a Responses stream whose connection is cut before its terminal event goes on: given
   * where it stopped, the rest of its events (numbered on from there), or undefined to fail as
   * it would have. The client's Responses streams pass one (docs/responses.md, "Resuming").
   */
  resume?: ResumeResponseStream | undefined;
  /**
   * The longest event held while it arrives, in characters; longer fails the stream with
   * `too-large`. Default `MAX_FRAME_LENGTH` (16 Mi): raise it for larger single deltas.
   */
  maxFrameLength?: number | undefined;
}

function sourceOptions(options: AssistantStreamOptions): Pick<AssistantStreamOptions, (typeof SOURCE_OPTION_NAMES)[number]> {
  return Object.fromEntries(SOURCE_OPTION_NAMES.map((name) => [name, options[name]]));
}

/** Every listener event: the official SDK's Assistants names, and a Responses stream's own. */
export type AssistantStreamListenerEvents = AssistantStreamEvents & ResponsesStreamEvents;

/** The root actor of a stream: `stream.actor`. */
export type AssistantStreamActor = Actor<typeof streamMachine>;

type StreamEvent = AssistantStreamEvent | UnknownStreamEvent;

/**
 * One assistant run stream, driven by the statecharts in `assistant-machines/machines`.
 * Consume it with an {@link AssistantEventHandler}, with listeners (`on`), by iterating its
 * events or its text, or by awaiting its finals — in any combination.
 *
 * @example
 * ```ts
 * const stream = AssistantStream.fromSSE(response)
 *   .on('textDelta', (delta) => process.stdout.write(delta.value ?? ''))
 *   .on('toolCallDone', (toolCall) => console.log('\n', toolCall.type));
 * const run = await stream.finalRun();
 * ```
 */
export class AssistantStream implements AsyncIterable<StreamEvent> {
  /** The root actor (`assistantStream` machine); its children are the run, steps, messages. */
  readonly actor: AssistantStreamActor;
  readonly #sink: StreamSink;
  readonly #settled: Promise<void>;
  /**
   * Aborting it aborts the stream (as `abort()` does, which also aborts it): the official SDK's
   * handle for code that cancels through a controller.
   */
  readonly controller = new AbortController();
  /** Set when the stream chart itself threw: its actor is dead, so the facade ends the stream. */
  #chartFailure: AssistantStreamError | undefined;

  private constructor(input: StreamInput, options: AssistantStreamOptions) {
    if (!isPendingByteSource(input.source)) {
      throw new TypeError('a stream source must be a Response, a ReadableStream, an async iterable, or a promise of one');
    }
    this.#sink = new StreamSink(options.handler, (error) => this.actor.send({ type: 'handler.exception', error }));
    const lifecycle = options.lifecycle ?? 'tolerant';
    if (!LIFECYCLE_MODES.includes(lifecycle)) throw new TypeError(`options.lifecycle must be 'tolerant' or 'strict' (got ${JSON.stringify(lifecycle)})`);
    this.actor = createActor(streamMachine, options.inspect === undefined ? { input: { lifecycle } } : { input: { lifecycle }, inspect: options.inspect });
    attachSession(this.actor.system, { input, sink: this.#sink, root: this.actor, inspected: mayKeepBatches(options.inspect) });

    this.#settled = new Promise<void>((resolve, reject) => {
      this.actor.subscribe({
        complete: () => {
          const { error } = this.actor.getSnapshot().output as AssistantStreamOutput;
          const failure = error ?? this.#sink.handlerError;
          if (failure === undefined) resolve();
          else reject(failure);
        },
        error: (thrown) => {
          // XState stopped the actor and its children (the source among them, which cancels
          // the read); the callbacks its final state would have run are ours to run.
          const failure = chartFailure(thrown);
          this.#chartFailure = failure;
          this.#sink.dispatch('exception', { error: failure });
          this.#sink.dispatch('error', { error: failure });
          this.#sink.dispatch('end', {});
          reject(failure);
        },
      });
    });
    // Failures are reported through done(), listeners, onException and snapshot(); an
    // unobserved one must not also crash the process as an unhandled rejection.
    this.#settled.catch(() => {});

    this.actor.start();
    this.controller.signal.addEventListener('abort', () => this.#sendAbort(this.controller.signal.reason), { once: true });
    const { signal } = options;
    if (signal !== undefined) {
      if (signal.aborted) this.abort(signal.reason);
      else {
        const onAbort = () => this.abort(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.#settled.then(
          () => signal.removeEventListener('abort', onAbort),
          () => signal.removeEventListener('abort', onAbort),
        );
      }
    }
  }

  /**
   * Streams from server-sent events: a fetch `Response`, a `ReadableStream<Uint8Array>`, or
   * an async iterable of bytes or strings — or a promise of one (a pending `fetch`; `connect`
   * fires when it resolves). Reading starts on the next microtask, so listeners attached right
   * after this call see every event, `connect` included. A non-2xx `Response` fails the stream
   * with kind `api-error`, its `status` and the server's error object.
   *
   * @example
   * ```ts
   * const response = await fetch(`${baseURL}/threads/${threadId}/runs`, { method: 'POST', headers, body });
   * const stream = AssistantStream.fromSSE(response, { handler: new MyHandler() });
   * await stream.done();
   * ```
   */
  static fromSSE(source: PendingByteSource, options: AssistantStreamOptions = {}): AssistantStream {
    return new AssistantStream({ ...sourceOptions(options), source, format: 'sse' }, options);
  }

  /**
   * Streams from newline-delimited `{event, data}` JSON — what {@link toReadableStream}
   * produces, and what the official SDK's `toReadableStream()` produces.
   *
   * @example
   * ```ts
   * const replay = AssistantStream.fromReadableStream(recorded.toReadableStream());
   * console.log((await replay.finalRun()).status);
   * ```
   */
  static fromReadableStream(ndjson: PendingByteSource, options: AssistantStreamOptions = {}): AssistantStream {
    return new AssistantStream({ ...sourceOptions(options), source: ndjson, format: 'ndjson' }, options);
  }

  /** Adds a listener; chainable. @example `stream.on('textDelta', (d) => out.write(d.value ?? ''))` */
  on<Name extends keyof AssistantStreamListenerEvents>(name: Name, listener: AssistantStreamListenerEvents[Name]): this {
    this.#listenersOf(name).on(name, listener);
    return this;
  }

  /** Removes one registration of a listener; chainable. @example `stream.off('textDelta', print)` */
  off<Name extends keyof AssistantStreamListenerEvents>(name: Name, listener: AssistantStreamListenerEvents[Name]): this {
    this.#listenersOf(name).off(name, listener);
    return this;
  }

  /** Adds a listener that runs at most once; chainable. @example `stream.once('run', (run) => …)` */
  once<Name extends keyof AssistantStreamListenerEvents>(name: Name, listener: AssistantStreamListenerEvents[Name]): this {
    this.#listenersOf(name).once(name, listener);
    return this;
  }

  // Responses event names have listeners of their own; one registry type per vocabulary.
  #listenersOf(name: PropertyKey): ListenerRegistry {
    return (typeof name === 'string' && name.startsWith('response.')
      ? this.#sink.responsesListeners
      : this.#sink.listeners) as unknown as ListenerRegistry;
  }

  /**
   * Resolves when the stream ended with a final run; rejects with the
   * {@link AssistantStreamError} that failed or aborted it.
   *
   * @example `await stream.done();`
   */
  async done(): Promise<void> {
    return this.#settled;
  }

  /** Alias of {@link done}, after the Python SDK. @example `await stream.untilDone();` */
  async untilDone(): Promise<void> {
    return this.#settled;
  }

  /**
   * The run that ended the stream: terminal, or paused at `requires_action`.
   *
   * @example `if ((await stream.finalRun()).status === 'requires_action') submitOutputs();`
   */
  async finalRun(): Promise<Run> {
    await this.#settled;
    return this.#context().finalRun!;
  }

  /**
   * The response that ended a Responses stream (completed — also when it paused for function
   * outputs —, failed or incomplete), with its whole `output` and `output_text`. Rejects like
   * {@link done}, and with a `TypeError` for an Assistants stream.
   *
   * @example `const { output_text } = await client.responses.stream({ model, input }).finalResponse();`
   */
  async finalResponse(): Promise<ResponseObject> {
    await this.#settled;
    const response = sessionOf(this.actor.system)?.responses?.finalResponse;
    if (response === undefined) throw new TypeError('finalResponse() needs a Responses stream; this stream carried the Assistants protocol');
    return response;
  }

  /** The response of a Responses stream as accumulated so far; undefined for an Assistants stream. @example `stream.currentResponse()?.output` */
  currentResponse(): ResponseObject | undefined {
    return sessionOf(this.actor.system)?.responses?.response;
  }

  /** Every message of the stream, final or as far as it got. @example `(await stream.finalMessages()).at(-1)` */
  async finalMessages(): Promise<Message[]> {
    await this.#settled;
    return this.#messages();
  }

  /** Every run step of the stream, final or as far as it got. @example `await stream.finalRunSteps()` */
  async finalRunSteps(): Promise<RunStep[]> {
    await this.#settled;
    return this.#runSteps();
  }

  /** The latest accepted event. @example `stream.currentEvent()?.event` */
  currentEvent(): StreamEvent | undefined {
    return this.#sink.currentEvent;
  }

  /**
   * The SSE `id` of the last event announced, when the server numbers its events (the
   * embedded server numbers them by their position in the run's log): where
   * `runs.attachStream(…, { startingAfter })` picks the run up again after a dropped stream.
   *
   * @example `const resumeAt = Number(stream.lastEventId);`
   */
  get lastEventId(): string | undefined {
    return this.#sink.lastEventId;
  }

  /**
   * Calls `observer` each time the stream has handled a chunk of the bytes it reads, with the
   * number of events announced so far: the events announced between two calls arrived in one
   * chunk. Fragments are batched only within a chunk, so a replay that feeds the same events in
   * the same chunks runs exactly as the live stream did — which is what `assistant-machines
   * record` keeps in its timing sidecar. Returns the function that stops observing.
   *
   * @example
   * ```ts
   * const chunkEnds: number[] = [];
   * stream.observeChunks((eventCount) => chunkEnds.push(eventCount));
   * ```
   */
  observeChunks(observer: (eventCount: number) => void): () => void {
    return this.#sink.observeChunks(observer);
  }

  /** The newest run object seen, whatever its status. @example `stream.currentRun()?.status` */
  currentRun(): Run | undefined {
    return this.#sink.currentRun;
  }

  /** The message being written, until its `messageDone`. @example `stream.currentMessageSnapshot()?.content` */
  currentMessageSnapshot(): Message | undefined {
    return this.#sink.currentMessage;
  }

  /** The run step being streamed, until its `runStepDone`. @example `stream.currentRunStepSnapshot()?.step_details` */
  currentRunStepSnapshot(): RunStep | undefined {
    return this.#sink.currentRunStep;
  }

  /**
   * A plain read of everything accumulated so far; works at any time, also after an error or
   * an abort.
   *
   * @example `const { status, messages, error } = stream.snapshot();`
   */
  snapshot(): AssistantStreamSnapshot {
    const context = this.#context();
    return {
      status: this.status,
      run: this.currentRun(),
      finalRun: context.finalRun,
      messages: this.#messages(),
      runSteps: this.#runSteps(),
      error: context.error ?? this.#chartFailure ?? this.#sink.handlerError,
      eventCount: this.#sink.eventCount,
    };
  }

  /** Where the stream stands. @example `stream.status === 'done'` */
  get status(): AssistantStreamStatus {
    if (this.#chartFailure !== undefined) return 'failed';
    const snapshot = this.actor.getSnapshot();
    for (const status of ['connecting', 'streaming', 'done', 'failed', 'aborted'] as const) {
      if (snapshot.matches(status)) return status;
    }
    return 'streaming';
  }

  /**
   * Stops reading and ends the stream as `aborted`; `done()` rejects with kind `aborted`.
   *
   * @example `setTimeout(() => stream.abort(), 5_000);`
   */
  abort(reason?: unknown): void {
    this.#sendAbort(reason);
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /**
   * `await using stream = …` aborts the stream when the scope ends, unless it has ended already
   * (Python's `with … as stream:`). Resolves once the stream has settled.
   *
   * @example
   * ```ts
   * {
   *   await using stream = client.beta.threads.runs.stream(threadId, { assistant_id });
   *   for await (const text of stream.textDeltas) if (text.includes('STOP')) break;
   * } // aborted here if still running
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.ended) this.abort();
    await this.#settled.catch(() => {});
  }

  #sendAbort(reason: unknown): void {
    this.actor.send({
      type: 'abort',
      error: new AssistantStreamError('aborted', 'the stream was aborted', reason === undefined ? {} : { cause: reason }),
    });
  }

  /** Whether the stream has finished: with a final run, a failure or an abort. @example `if (stream.ended) …` */
  get ended(): boolean {
    const { status } = this;
    return status === 'done' || status === 'failed' || status === 'aborted';
  }

  /** Whether the stream failed or was aborted (as the official SDK counts an abort). @example `stream.errored` */
  get errored(): boolean {
    const { status } = this;
    return status === 'failed' || status === 'aborted';
  }

  /** Whether the stream was aborted. @example `stream.aborted` */
  get aborted(): boolean {
    return this.status === 'aborted';
  }

  /**
   * A promise of the next `name` event: its argument, or the tuple of its arguments when it
   * has several. It rejects with the stream's error if the stream fails or is aborted first
   * (unless `name` is `error` or `abort`), and with a `lifecycle` error if the stream ends
   * without one — where the official SDK leaves it pending.
   *
   * @example
   * ```ts
   * const [delta, snapshot] = await stream.emitted('textDelta');
   * const run = await stream.emitted('run');
   * ```
   */
  emitted<Name extends AssistantStreamEventName>(name: Name): Promise<EmittedValue<Name>> {
    return new Promise((resolve, reject) => {
      const ending = this.#ending();
      if (ending !== undefined) return reject(ending);
      const stop = this.#watch(name, {
        event: (args) => {
          stop();
          resolve((args.length === 0 ? undefined : args.length === 1 ? args[0] : args) as EmittedValue<Name>);
        },
        failure: (error) => {
          stop();
          reject(error);
        },
        end: () => {
          stop();
          reject(new AssistantStreamError('lifecycle', `the stream ended without a ${name} event`));
        },
      });
    });
  }

  /**
   * Every `name` event from now on, as the tuple of its arguments, in order. It ends with the
   * stream; on a failure or abort it yields what was buffered, then rejects with the error
   * (iterating `error` or `abort` yields it instead). `return()` (a `break`) removes its
   * listener and leaves the stream running.
   *
   * @example
   * ```ts
   * for await (const [delta] of stream.events('textDelta')) process.stdout.write(delta.value ?? '');
   * ```
   */
  events<Name extends AssistantStreamEventName>(name: Name): AsyncIterableIterator<Parameters<AssistantStreamEvents[Name]>> {
    const queue = new EventQueue<Parameters<AssistantStreamEvents[Name]>>(() => stop());
    const ending = this.#ending();
    if (ending !== undefined) {
      queue.fail(ending);
      return queue;
    }
    const stop = this.#watch(name, {
      event: (args) => queue.push(args),
      failure: (error) => {
        stop();
        queue.fail(error);
      },
      end: () => {
        stop();
        queue.end();
      },
    });
    return queue;
  }

  /** Why nothing more will come: the failure, or a lifecycle error once ended; undefined while running. */
  #ending(): AssistantStreamError | undefined {
    if (!this.ended) return undefined;
    return this.snapshot().error ?? new AssistantStreamError('lifecycle', 'the stream has already ended');
  }

  /** Listens for `name`, for a failure first (unless `name` is one) and for the end; returns the unsubscribe. */
  #watch<Name extends AssistantStreamEventName>(
    name: Name,
    on: { event: (args: Parameters<AssistantStreamEvents[Name]>) => void; failure: (error: AssistantStreamError) => void; end: () => void },
  ): () => void {
    const listeners = this.#sink.listeners;
    const onEvent = ((...args: Parameters<AssistantStreamEvents[Name]>) => on.event(args)) as AssistantStreamEvents[Name];
    const onFailure = (error: AssistantStreamError) => on.failure(error);
    const onEnd = () => on.end();
    listeners.on(name, onEvent);
    if (name !== 'error') listeners.on('error', onFailure);
    if (name !== 'abort') listeners.on('abort', onFailure);
    if (name !== 'end') listeners.on('end', onEnd);
    return () => {
      listeners.off(name, onEvent);
      listeners.off('error', onFailure);
      listeners.off('abort', onFailure);
      listeners.off('end', onEnd);
    };
  }

  /**
   * Every accepted event as `{ event, data }`. Breaking out of the loop aborts the stream.
   *
   * @example
   * ```ts
   * for await (const { event, data } of stream) console.log(event);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    return this.#sink.openEventQueue(() => this.abort());
  }

  /**
   * The text of every text delta, as it arrives (empty fragments skipped). Breaking out of
   * the loop aborts the stream.
   *
   * @example
   * ```ts
   * for await (const text of stream.textDeltas) process.stdout.write(text);
   * ```
   */
  get textDeltas(): AsyncIterable<string> {
    return { [Symbol.asyncIterator]: () => this.#sink.openTextQueue(() => this.abort()) };
  }

  /**
   * The stream as newline-delimited `{event, data}` JSON bytes: a recording that
   * {@link fromReadableStream} (ours or the official SDK's) replays. Cancelling it aborts.
   *
   * @example
   * ```ts
   * await writeFile('run.ndjson', stream.toReadableStream());
   * ```
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    const events = this[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await events.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(`${JSON.stringify({ event: next.value.event, data: next.value.data })}\n`));
      },
      async cancel() {
        await events.return?.();
      },
    });
  }

  #context() {
    return this.actor.getSnapshot().context;
  }

  #messages(): Message[] {
    return [...this.#context().messages.values()].map((actor) => actor.getSnapshot().context.message);
  }

  #runSteps(): RunStep[] {
    return [...this.#context().runSteps.values()].map((actor) => actor.getSnapshot().context.step);
  }
}

interface ListenerRegistry {
  on(name: PropertyKey, listener: unknown): void;
  off(name: PropertyKey, listener: unknown): void;
  once(name: PropertyKey, listener: unknown): void;
}
