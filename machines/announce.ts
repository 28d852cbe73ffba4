import { listenerCopy, type AssistantStreamEvent, type MessageDeltaWireEvent, type UnknownStreamEvent, type WireEvent } from '../src/wire/index.ts';
import type { StreamCallbackParams } from './callbacks.ts';

/**
 * The `event` callback action: announces an accepted wire event as the SDK-shaped
 * `{ event, data }`, before the callbacks it causes. The stream announces the events it
 * handles itself; a message or run step announces the deltas it accepts. Listeners get a copy
 * (see `listenerCopy`): the charts keep working from the original.
 */
export const announceEvent = {
  type: 'event',
  params: ({ event }: { event: WireEvent }) => ({ event: toStreamEvent(event), id: event.id }),
} as const;

/** The SDK-shaped `{ event, data }` of a wire event, as listeners get it: a copy. */
export function toStreamEvent(event: WireEvent): AssistantStreamEvent | UnknownStreamEvent {
  return listenerCopy(event);
}

/**
 * On `event` params whose event is only copied when read (see {@link fragmentEventParams}):
 * the event's name, so a reader that needs only the name does not make the copy.
 */
export const LAZY_EVENT_NAME: unique symbol = Symbol('assistant-machines.lazyEventName');

/**
 * On `event` params whose event is only copied when read: makes one more copy, as the event was
 * when it was announced. An event iterator (`for await`, `toReadableStream()`) takes its own
 * copy of each event this way, only when it reads it.
 */
export const COPY_EVENT: unique symbol = Symbol('assistant-machines.copyEvent');

/** What can make a copy of an announced event, as it was then, when asked (see {@link COPY_EVENT}). */
export interface LazyEventCopy {
  [COPY_EVENT](): AssistantStreamEvent;
}

/**
 * The `event` callback's params, possibly lazy (then they carry {@link LAZY_EVENT_NAME} and
 * {@link COPY_EVENT}).
 */
export type EventCallbackParams = StreamCallbackParams['event'] & { readonly [LAZY_EVENT_NAME]?: string } & Partial<LazyEventCopy>;

/**
 * The `event` params of a text fragment, whose listener copy is made the first time `event`
 * is read, and only then: most streams have no `event` listener, and a fragment is most of a
 * stream. The copy is built from the fragment's values as they were when it was announced
 * (strings and a number, kept here), so nothing a later callback's listener does to the delta
 * objects can change it; it is made once, and every reader gets that one copy.
 *
 * @example
 * ```ts
 * const params = fragmentEventParams(fragment); // nothing copied yet
 * params.event.data.delta.content; // copied now
 * ```
 */
export function fragmentEventParams(fragment: MessageDeltaWireEvent): EventCallbackParams {
  const entry = fragment.data.delta.content![0] as { index: number; text: { value: string } };
  return new TextFragmentEventParams(fragment.data.id, entry.index, entry.text.value, fragment.id);
}

// A class, not an object literal with a getter: one allocation per fragment instead of an
// object, a closure and its context (measured in docs/design.md).
class TextFragmentEventParams implements EventCallbackParams, LazyEventCopy {
  #copy: AssistantStreamEvent | undefined;
  readonly #messageId: string;
  readonly #index: number;
  readonly #value: string;
  readonly id: string | undefined;

  constructor(messageId: string, index: number, value: string, id: string | undefined) {
    this.#messageId = messageId;
    this.#index = index;
    this.#value = value;
    this.id = id;
  }

  get [LAZY_EVENT_NAME](): string {
    return 'thread.message.delta';
  }

  get event(): AssistantStreamEvent {
    this.#copy ??= this[COPY_EVENT]();
    return this.#copy;
  }

  [COPY_EVENT](): AssistantStreamEvent {
    return {
      event: 'thread.message.delta',
      data: { id: this.#messageId, object: 'thread.message.delta', delta: { content: [{ index: this.#index, type: 'text', text: { value: this.#value } }] } },
    };
  }

  /** As plain params (for `JSON.stringify`, and spreading `{ ...params.toJSON() }`). */
  toJSON(): StreamCallbackParams['event'] {
    return { event: this.event, id: this.id };
  }
}
