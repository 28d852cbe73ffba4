import {
  callbackArgs,
  STREAM_CALLBACKS,
  type StreamCallbackArgs,
  type StreamCallbackName,
  type StreamCallbackParams,
  type StreamListenerName,
} from '../../machines/callbacks.ts';
import { COPY_EVENT, LAZY_EVENT_NAME, type EventCallbackParams, type LazyEventCopy } from '../../machines/announce.ts';
import {
  AssistantStreamError,
  copyJSON,
  type AssistantStreamEvent,
  type Message,
  type ResponsesStreamEvents,
  type Run,
  type RunStep,
  type UnknownStreamEvent,
} from '../wire/index.ts';
import { AssistantEventHandler } from './AssistantEventHandler.ts';
import { EventQueue, MAX_QUEUED_ITEMS } from './eventQueue.ts';
import { Listeners } from './listeners.ts';
import type { AssistantStreamEvents } from './types.ts';

type StreamEvent = AssistantStreamEvent | UnknownStreamEvent;
/** What an event iterator holds until it is read: its own copy, or what makes one (a fragment's params). */
type HeldEvent = StreamEvent | LazyEventCopy;

const unpackHeldEvent = (held: HeldEvent): StreamEvent => (COPY_EVENT in held ? held[COPY_EVENT]() : held);

// These still run once a handler has thrown: they are how the failure is reported.
const SETTLING: ReadonlySet<StreamCallbackName> = new Set(['timeout', 'exception', 'error', 'abort', 'end']);

/**
 * Where one stream's callback actions land: the handler object, the listeners, and the
 * iterators. Every user-supplied function is called inside a guard, so a throw never reaches
 * XState (which would kill the actor) nor the event loop (which would kill the process): the
 * first one is turned into a `handler` error and the stream fails with it.
 */
export class StreamSink {
  readonly listeners = new Listeners<AssistantStreamEvents>();
  /** Listeners of a Responses stream's own events (`response.output_text.delta`, …). */
  readonly responsesListeners = new Listeners<ResponsesStreamEvents>();
  readonly #handler: AssistantEventHandler | undefined;
  readonly #reportHandlerError: (error: AssistantStreamError) => void;
  readonly #eventQueues = new Set<EventQueue<StreamEvent, HeldEvent>>();
  readonly #textQueues = new Set<EventQueue<string>>();
  readonly #chunkObservers = new Set<(eventCount: number) => void>();
  // The params of the latest `event`: its copy is only made if someone reads it.
  #currentEventParams: EventCallbackParams | undefined;
  #eventCount = 0;
  // What the callbacks have announced so far: the accessors must agree with the callback
  // that is running, and the actors' snapshots only update once their transition is over.
  /** @internal */ currentRun: Run | undefined;
  /** @internal */ currentMessage: Message | undefined;
  /** @internal */ currentRunStep: RunStep | undefined;
  /** @internal The SSE id of the last announced event that had one. */ lastEventId: string | undefined;
  #handlerError: AssistantStreamError | undefined;
  #settled = false;
  #failure: AssistantStreamError | undefined;
  /** @internal While set, callbacks are not announced (a resumed stream catching up). */
  muted = false;

  constructor(handler: AssistantEventHandler | undefined, reportHandlerError: (error: AssistantStreamError) => void) {
    this.#handler = handler;
    this.#reportHandlerError = reportHandlerError;
  }

  get currentEvent(): StreamEvent | undefined {
    return this.#currentEventParams?.event;
  }

  get eventCount(): number {
    return this.#eventCount;
  }

  /** The first error a handler or listener threw, if any. */
  get handlerError(): AssistantStreamError | undefined {
    return this.#handlerError;
  }

  /** A new consumer of every accepted event; `onReturn` runs if it stops early. */
  openEventQueue(onReturn: () => void): EventQueue<StreamEvent, HeldEvent> {
    return this.#open(this.#eventQueues, onReturn, unpackHeldEvent);
  }

  /** A new consumer of the text of every non-empty text delta. */
  openTextQueue(onReturn: () => void): EventQueue<string> {
    return this.#open(this.#textQueues, onReturn);
  }

  #open<T, Stored = T>(queues: Set<EventQueue<T, Stored>>, onReturn: () => void, unpack?: (item: Stored) => T): EventQueue<T, Stored> {
    const queue = new EventQueue<T, Stored>(() => {
      queues.delete(queue);
      onReturn();
    }, unpack);
    // An iterator opened after the end finishes at once; after a failure it rejects with it.
    if (this.#failure !== undefined) queue.fail(this.#failure);
    else if (this.#settled) queue.end();
    else queues.add(queue);
    return queue;
  }

  dispatch<Name extends StreamCallbackName>(name: Name, params: StreamCallbackParams[Name]): void {
    // Once the stream failed, was aborted or ended, the rest of a transition that was running
    // (the actions after the one that aborted, the rest of a batch) announces nothing more.
    if ((this.#handlerError !== undefined || this.#settled || this.muted) && !SETTLING.has(name)) return;
    const bookkeeping = BOOKKEEPING[name] as Bookkeeping<Name> | undefined;
    try {
      bookkeeping?.before(this, params);
      const spec = STREAM_CALLBACKS[name];
      const method = spec.method === null ? undefined : (this.#handler?.[spec.method] as ((...args: StreamCallbackArgs<Name>) => void) | undefined);
      // A method the handler did not override, and a name nobody listens to, hear nothing: the
      // arguments (and the `event` copy they may read) are not built for nobody.
      const methodHears = method !== undefined && method !== BASE_METHODS[spec.method as keyof AssistantEventHandler];
      const listenersHear = spec.listener && this.listeners.has(name as Name & StreamListenerName);
      if (!methodHears && !listenersHear) return;
      const args = callbackArgs(name, params);
      // The handler method first, then the listeners (the official SDKs' order).
      if (methodHears) method.apply(this.#handler, args);
      if (listenersHear) this.listeners.emit(name as Name & StreamListenerName, ...(args as never));
    } catch (thrown) {
      this.#handlerThrew(name, thrown);
    } finally {
      bookkeeping?.after?.(this);
    }
  }

  /**
   * @internal Hands a Responses event to the listeners of its own name; deltas get `snapshot`
   * (all the text or arguments so far), as the official `ResponseStream` gives them.
   */
  emitResponsesEvent(event: { type: string }, snapshot: string | undefined): void {
    if (this.#handlerError !== undefined || this.#settled) return;
    const name = event.type as keyof ResponsesStreamEvents;
    // Most streams have no Responses listeners: no payload is built for nobody.
    if (!this.responsesListeners.has(name)) return;
    try {
      const payload = snapshot === undefined ? event : { ...event, snapshot };
      (this.responsesListeners.emit as (name: string, payload: unknown) => void).call(this.responsesListeners, name, payload);
    } catch (thrown) {
      this.#handlerThrew('event', thrown);
    }
  }

  /** @internal Records the event and feeds the event iterators. */
  noteEvent(params: EventCallbackParams): void {
    this.#currentEventParams = params;
    if (params.id !== undefined) this.lastEventId = params.id;
    this.#eventCount++;
    // Each iterator gets its own copy, as the event is now (before any listener is handed it):
    // what a listener does to its event later shows in no iterator, as with the official SDK. A
    // fragment's copy is made from the values its params kept, when the iterator reads it.
    if (this.#eventQueues.size > 0) {
      for (const queue of this.#eventQueues) this.#enqueue(queue, params[COPY_EVENT] === undefined ? copyJSON(params.event) : (params as LazyEventCopy));
    }
    // A lazy event (a fragment) is never a run or step event: its name is all that is read.
    const name = params[LAZY_EVENT_NAME] ?? params.event.event;
    if (name.startsWith('thread.run.step.')) {
      if (name === 'thread.run.step.in_progress') this.currentRunStep = params.event.data as RunStep;
    } else if (name.startsWith('thread.run.')) {
      this.currentRun = params.event.data as Run;
    }
  }

  /** A new observer of chunk boundaries (see `AssistantStream.observeChunks`); returns its removal. */
  observeChunks(observer: (eventCount: number) => void): () => void {
    // A function of its own per registration, so the same observer twice is observed twice.
    const registration = (eventCount: number) => observer(eventCount);
    this.#chunkObservers.add(registration);
    return () => this.#chunkObservers.delete(registration);
  }

  /** @internal The source handled a chunk of bytes: every event it carried has been announced. */
  noteChunkEnd(): void {
    if (this.#chunkObservers.size === 0) return;
    for (const observer of this.#chunkObservers) {
      try {
        observer(this.#eventCount);
      } catch (thrown) {
        this.#handlerThrew('event', thrown);
      }
    }
  }

  /** @internal Feeds the text iterators. */
  noteText(text: string): void {
    if (this.#textQueues.size > 0) for (const queue of this.#textQueues) this.#enqueue(queue, text);
  }

  #enqueue<T, Stored>(queue: EventQueue<T, Stored>, item: Stored): void {
    if (queue.size >= MAX_QUEUED_ITEMS) {
      this.#handlerThrew(
        'event',
        new AssistantStreamError('handler', `an iterator fell ${MAX_QUEUED_ITEMS} items behind; consume events as they arrive`),
      );
      return;
    }
    queue.push(item);
  }

  /** @internal Ends (or fails) every iterator, once. */
  settle(error: AssistantStreamError | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#failure = error;
    for (const queues of [this.#eventQueues, this.#textQueues] as Array<Set<EventQueue<unknown, unknown>>>) {
      for (const queue of queues) {
        if (error === undefined) queue.end();
        else queue.fail(error);
      }
      queues.clear();
    }
  }

  #handlerThrew(name: StreamCallbackName, thrown: unknown): void {
    if (this.#handlerError !== undefined) return;
    const event = this.currentEvent;
    this.#handlerError =
      thrown instanceof AssistantStreamError
        ? thrown
        : new AssistantStreamError('handler', `a ${name} handler threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`, {
            cause: thrown,
            eventIndex: this.#eventCount || undefined,
            eventName: event?.event,
          });
    this.#reportHandlerError(this.#handlerError);
  }
}

// The handler base class's no-op methods: a handler that kept one of them does not listen.
const BASE_METHODS = AssistantEventHandler.prototype;

/** What the sink itself keeps track of around a callback, before the user's code sees it. */
interface Bookkeeping<Name extends StreamCallbackName> {
  before(sink: StreamSink, params: StreamCallbackParams[Name]): void;
  /** Runs after the callback even if it threw. */
  after?(sink: StreamSink): void;
}

// Only the callbacks that move the stream's accessors (`currentMessageSnapshot()`, …), its
// iterators or its event count have bookkeeping; the vocabulary itself is the table.
const BOOKKEEPING: { [Name in StreamCallbackName]?: Bookkeeping<Name> } = {
  event: { before: (sink, params) => sink.noteEvent(params) },
  messageCreated: { before: (sink, { message }) => (sink.currentMessage = message) },
  messageDelta: { before: (sink, { snapshot }) => (sink.currentMessage = snapshot) },
  messageDone: { before: (sink, { message }) => (sink.currentMessage = message), after: (sink) => (sink.currentMessage = undefined) },
  textDelta: {
    before: (sink, { delta }) => {
      if (delta.value) sink.noteText(delta.value);
    },
  },
  runStepCreated: { before: (sink, { runStep }) => (sink.currentRunStep = runStep) },
  runStepDelta: { before: (sink, { snapshot }) => (sink.currentRunStep = snapshot) },
  runStepDone: { before: (sink, { runStep }) => (sink.currentRunStep = runStep), after: (sink) => (sink.currentRunStep = undefined) },
  error: { before: (sink, { error }) => sink.settle(error) },
  abort: { before: (sink, { error }) => sink.settle(error) },
  end: { before: (sink) => sink.settle(undefined) },
};
