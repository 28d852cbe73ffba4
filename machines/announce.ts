import {
  listenerCopy,
  type AssistantStreamEvent,
  type MessageDeltaWireEvent,
  type RunStepDeltaEvent,
  type RunStepDeltaWireEvent,
  type ToolCallDelta,
  type UnknownStreamEvent,
  type WireEvent,
} from '../src/wire/index.ts';
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
 * The `event` params of a fragment (of text, or of a tool call's arguments or code), whose
 * listener copy is made the first time `event` is read, and only then: most streams have no
 * `event` listener, and fragments are most of a stream. The copy is built from the fragment's
 * values as they were when it was announced (strings and a number, kept here), so nothing a
 * later callback's listener does to the delta objects can change it; it is made once, and every
 * reader gets that one copy.
 *
 * @example
 * ```ts
 * const params = fragmentEventParams(fragment); // nothing copied yet
 * params.event.data.delta.content; // copied now
 * ```
 */
export function fragmentEventParams(fragment: MessageDeltaWireEvent | RunStepDeltaWireEvent): EventCallbackParams {
  if (fragment.type === 'thread.message.delta') {
    const entry = fragment.data.delta.content![0] as { index: number; text: { value: string } };
    return new FragmentEventParams(fragment.type, fragment.data.id, entry.index, 'text', entry.text.value, fragment.id);
  }
  const details = fragment.data.delta.step_details as { tool_calls: Array<Record<string, unknown>> };
  const call = details.tool_calls[0]!;
  const kind = call['type'] === 'function' ? 'function' : 'code_interpreter';
  const value = kind === 'function' ? (call['function'] as { arguments: string }).arguments : (call['code_interpreter'] as { input: string }).input;
  return new FragmentEventParams(fragment.type, fragment.data.id, call['index'] as number, kind, value, fragment.id);
}

type FragmentKind = 'text' | 'function' | 'code_interpreter';

// A class, not an object literal with a getter: one allocation per fragment instead of an
// object, a closure and its context (measured in docs/design.md).
class FragmentEventParams implements EventCallbackParams, LazyEventCopy {
  #copy: AssistantStreamEvent | undefined;
  readonly #name: 'thread.message.delta' | 'thread.run.step.delta';
  readonly #entityId: string;
  readonly #index: number;
  readonly #kind: FragmentKind;
  readonly #value: string;
  readonly id: string | undefined;

  constructor(name: 'thread.message.delta' | 'thread.run.step.delta', entityId: string, index: number, kind: FragmentKind, value: string, id: string | undefined) {
    this.#name = name;
    this.#entityId = entityId;
    this.#index = index;
    this.#kind = kind;
    this.#value = value;
    this.id = id;
  }

  get [LAZY_EVENT_NAME](): string {
    return this.#name;
  }

  get event(): AssistantStreamEvent {
    this.#copy ??= this[COPY_EVENT]();
    return this.#copy;
  }

  [COPY_EVENT](): AssistantStreamEvent {
    const index = this.#index;
    const value = this.#value;
    switch (this.#kind) {
      case 'text':
        return { event: 'thread.message.delta', data: { id: this.#entityId, object: 'thread.message.delta', delta: { content: [{ index, type: 'text', text: { value } }] } } };
      case 'function':
        return { event: 'thread.run.step.delta', data: toolCallDeltaData(this.#entityId, { index, type: 'function', function: { arguments: value } }) };
      case 'code_interpreter':
        return { event: 'thread.run.step.delta', data: toolCallDeltaData(this.#entityId, { index, type: 'code_interpreter', code_interpreter: { input: value } }) };
    }
  }

  /** As plain params (for `JSON.stringify`, and spreading `{ ...params.toJSON() }`). */
  toJSON(): StreamCallbackParams['event'] {
    return { event: this.event, id: this.id };
  }
}

function toolCallDeltaData(stepId: string, call: ToolCallDelta): RunStepDeltaEvent {
  return { id: stepId, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [call] } } };
}
