import type { z } from 'zod';
import { AssistantStreamError, escapeControl, safePathSegment, sanitizedJSONError } from './errors.ts';
import { ThreadSchema, type ErrorObject, type Thread } from './schemas/common.ts';
import { errorObjectOf } from './envelope.ts';
import { MessageDeltaEventSchema, MessageSchema, type Message, type MessageDeltaEvent } from './schemas/message.ts';
import { RunSchema, type Run } from './schemas/run.ts';
import { RunStepDeltaSchema, RunStepSchema, type RunStep, type RunStepDeltaEvent } from './schemas/step.ts';
import { isTextFragment, isToolCallFragment } from './fastPath.ts';
import { readTextFragment } from './rawFragment.ts';
import { readToolCallFragment } from './rawToolFragment.ts';
import { findUnsafeKey } from './unsafeKeys.ts';

/** The ten run events, one per status change (`created` enters `queued`). */
export const RUN_EVENTS = [
  'thread.run.created',
  'thread.run.queued',
  'thread.run.in_progress',
  'thread.run.requires_action',
  'thread.run.cancelling',
  'thread.run.cancelled',
  'thread.run.failed',
  'thread.run.completed',
  'thread.run.incomplete',
  'thread.run.expired',
] as const;

/** The run-step events; `delta` carries a partial step, the others a whole one. */
export const RUN_STEP_EVENTS = [
  'thread.run.step.created',
  'thread.run.step.in_progress',
  'thread.run.step.delta',
  'thread.run.step.completed',
  'thread.run.step.failed',
  'thread.run.step.cancelled',
  'thread.run.step.expired',
] as const;

/** The message events; `delta` carries a partial message, the others a whole one. */
export const MESSAGE_EVENTS = [
  'thread.message.created',
  'thread.message.in_progress',
  'thread.message.delta',
  'thread.message.completed',
  'thread.message.incomplete',
] as const;

/** A `thread.run.*` event name. */
export type RunEventName = (typeof RUN_EVENTS)[number];
/** A `thread.run.step.*` event name. */
export type RunStepEventName = (typeof RUN_STEP_EVENTS)[number];
/** A `thread.message.*` event name. */
export type MessageEventName = (typeof MESSAGE_EVENTS)[number];

/** Every named event of the Assistants stream, as the official SDK types it (no `done`). */
export type AssistantStreamEvent =
  | { event: 'thread.created'; data: Thread }
  | { event: RunEventName; data: Run }
  | { event: Exclude<RunStepEventName, 'thread.run.step.delta'>; data: RunStep }
  | { event: 'thread.run.step.delta'; data: RunStepDeltaEvent }
  | { event: Exclude<MessageEventName, 'thread.message.delta'>; data: Message }
  | { event: 'thread.message.delta'; data: MessageDeltaEvent }
  | { event: 'error'; data: ErrorObject };

/** An event whose name this version does not know: it reaches `event` listeners only. */
export interface UnknownStreamEvent {
  event: string;
  data: unknown;
}

// The events the machines receive: the wire name becomes the XState event type, so the
// statecharts read with the protocol's own vocabulary. `seq` is the event's 1-based position
// in the stream, for error messages.

export interface ThreadCreatedEvent {
  type: 'thread.created';
  data: Thread;
  seq: number;
  /** The SSE `id` of its frame, when the server numbers its events (the embedded server does). */
  id?: string | undefined;
}
/** A run event, as the machines receive it. */
export interface RunWireEvent {
  type: RunEventName;
  data: Run;
  seq: number;
  /** The SSE `id` of its frame, when the server numbers its events (the embedded server does). */
  id?: string | undefined;
}
/** A whole-step event (created, in_progress, or an end), as the machines receive it. */
export interface RunStepWireEvent {
  type: Exclude<RunStepEventName, 'thread.run.step.delta'>;
  data: RunStep;
  seq: number;
  /** The SSE `id` of its frame, when the server numbers its events (the embedded server does). */
  id?: string | undefined;
}
/** A step delta, as the machines receive it. */
export interface RunStepDeltaWireEvent {
  type: 'thread.run.step.delta';
  data: RunStepDeltaEvent;
  seq: number;
  /** The SSE `id` of its frame, when the server numbers its events (the embedded server does). */
  id?: string | undefined;
  /** Set by the decoder when `data` is exactly a plain arguments or code fragment (a hint). */
  fragment?: true;
}
/** A whole-message event (created, in_progress, or an end), as the machines receive it. */
export interface MessageWireEvent {
  type: Exclude<MessageEventName, 'thread.message.delta'>;
  data: Message;
  seq: number;
  /** The SSE `id` of its frame, when the server numbers its events (the embedded server does). */
  id?: string | undefined;
}
/** A message delta, as the machines receive it. */
export interface MessageDeltaWireEvent {
  type: 'thread.message.delta';
  data: MessageDeltaEvent;
  seq: number;
  /** The SSE `id` of its frame, when the server numbers its events (the embedded server does). */
  id?: string | undefined;
  /**
   * Set by the decoder when `data` has exactly the shape of a plain text fragment. A hint for
   * the facade's batching only: the machines check the shape themselves.
   */
  fragment?: true;
}
/** The `error` event, as the machines receive it. */
export interface ErrorWireEvent {
  type: 'error';
  data: ErrorObject;
  seq: number;
  /** The SSE `id` of its frame, when the server numbers its events (the embedded server does). */
  id?: string | undefined;
  /** The headers of the answer it came in (set by the stream's source when it reads a `Response`). */
  headers?: Headers | undefined;
}
/** An event this version does not know, as the machines receive it: it is only announced. */
export interface UnknownWireEvent {
  type: 'wire.unknown';
  event: string;
  data: unknown;
  seq: number;
  /** The SSE `id` of its frame, when the server numbers its events (the embedded server does). */
  id?: string | undefined;
}

/** Every validated event of the stream, in the machines' vocabulary (`type` is the wire name). */
export type WireEvent =
  | ThreadCreatedEvent
  | RunWireEvent
  | RunStepWireEvent
  | RunStepDeltaWireEvent
  | MessageWireEvent
  | MessageDeltaWireEvent
  | ErrorWireEvent
  | UnknownWireEvent;

const DATA_SCHEMAS: Record<string, z.ZodType> = {
  'thread.created': ThreadSchema,
  ...Object.fromEntries(RUN_EVENTS.map((name) => [name, RunSchema])),
  ...Object.fromEntries(RUN_STEP_EVENTS.map((name) => [name, RunStepSchema])),
  'thread.run.step.delta': RunStepDeltaSchema,
  ...Object.fromEntries(MESSAGE_EVENTS.map((name) => [name, MessageSchema])),
  'thread.message.delta': MessageDeltaEventSchema,
};

const DELTA_EVENTS = new Set(['thread.run.step.delta', 'thread.message.delta']);

/**
 * Narrows a stream event by its name, so its `data` has that event's type. (Comparing
 * `event.event` alone cannot narrow: events this version does not know have any name.)
 *
 * @example
 * ```ts
 * for await (const event of stream) {
 *   if (isStreamEvent(event, 'thread.message.delta')) console.log(event.data.delta.content);
 * }
 * ```
 */
export function isStreamEvent<Name extends AssistantStreamEvent['event']>(
  event: AssistantStreamEvent | UnknownStreamEvent,
  name: Name,
): event is Extract<AssistantStreamEvent, { event: Name }> {
  return event.event === name && isKnownEventName(name);
}

/** Whether `name` is an event this version validates and routes. */
export function isKnownEventName(name: string): boolean {
  return Object.hasOwn(DATA_SCHEMAS, name) || name === 'error';
}

/**
 * Turns one SSE frame (its name and raw `data` text) into a validated machine event.
 * Throws an {@link AssistantStreamError} (`json`, `schema`, `unsafe-key`) that says which event
 * and which path; unknown event names pass through with their data parsed if it is JSON.
 *
 * @example
 * ```ts
 * decodeWireEvent('thread.run.completed', '{"id":"run_1",...}', 7); // { type: 'thread.run.completed', data, seq: 7 }
 * ```
 */
export function decodeWireEvent(name: string | undefined, text: string, seq: number, id?: string): WireEvent {
  const event = decodeWireEventData(name, text, seq);
  if (id !== undefined) event.id = id;
  return event;
}

function decodeWireEventData(name: string | undefined, text: string, seq: number): WireEvent {
  const eventName = name ?? 'message';
  if (!isKnownEventName(eventName)) return { type: 'wire.unknown', event: eventName, data: parseLenient(text), seq };
  if (eventName === 'thread.message.delta') {
    // Nearly every event: read by hand when it is exactly a plain fragment (see rawFragment.ts).
    const fragment = readTextFragment(text);
    if (fragment !== undefined) return { type: eventName, data: fragment, seq, fragment: true };
  } else if (eventName === 'thread.run.step.delta') {
    // A function's arguments or a code interpreter's input, piece by piece (see rawToolFragment.ts).
    const fragment = readToolCallFragment(text);
    if (fragment !== undefined) return { type: eventName, data: fragment, seq, fragment: true };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AssistantStreamError('json', 'event data is not valid JSON', { eventIndex: seq, eventName, cause: sanitizedJSONError(cause) });
  }
  return toWireEvent(eventName, json, seq, text);
}

/**
 * Validates already-parsed event data (from NDJSON, or from an SSE frame). `rawText` is the
 * text the data was parsed from; it lets the common case skip the walk for unsafe keys.
 */
export function toWireEvent(eventName: string, json: unknown, seq: number, rawText?: string): WireEvent {
  if (eventName === 'error') return { type: 'error', data: toErrorObject(json), seq };
  if (eventName === 'thread.message.delta' ? isTextFragment(json) : eventName === 'thread.run.step.delta' && isToolCallFragment(json)) {
    return { type: eventName, data: json, seq, fragment: true } as WireEvent;
  }
  const schema = DATA_SCHEMAS[eventName];
  if (schema === undefined) return { type: 'wire.unknown', event: eventName, data: json, seq };
  if (DELTA_EVENTS.has(eventName) && (rawText === undefined || rawText.includes('__proto__'))) {
    // zod drops `__proto__` keys silently; a delta carrying one must be rejected, not cleaned.
    const path = findUnsafeKey(json, 'data');
    if (path !== undefined) {
      throw new AssistantStreamError('unsafe-key', 'delta contains an unsafe key', { eventIndex: seq, eventName, path });
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // zod's messages are its own, but one about a key may quote the key.
    throw new AssistantStreamError('schema', `invalid payload: ${escapeControl(issue.message)}`, {
      eventIndex: seq,
      eventName,
      path: formatPath(['data', ...issue.path]),
    });
  }
  if (eventName === 'thread.message.delta' || eventName === 'thread.run.step.delta') checkRootIdentity(parsed.data as DeltaEventData, seq, eventName);
  const announced = announcedStatus(eventName);
  const status = (parsed.data as { status?: unknown }).status;
  if (announced !== undefined && status !== announced) {
    throw new AssistantStreamError('schema', `the payload's status is ${String(status)}, the event announces ${announced}`, {
      eventIndex: seq,
      eventName,
      path: 'data.status',
    });
  }
  return { type: eventName, data: parsed.data, seq } as WireEvent;
}

interface DeltaEventData {
  id: string;
  delta: Record<string, unknown>;
}

/**
 * A delta names its entity once, at its root. An `id` (or `object`) inside the delta itself
 * would merge into the snapshot's own identity, so a different one is a schema error; an equal
 * one says nothing new and is dropped before it could be merged.
 */
function checkRootIdentity(data: DeltaEventData, seq: number, eventName: string): void {
  const expectedObject = eventName === 'thread.message.delta' ? 'thread.message' : 'thread.run.step';
  for (const [key, expected] of [['id', data.id], ['object', expectedObject]] as const) {
    if (!Object.hasOwn(data.delta, key)) continue;
    if (data.delta[key] !== expected) {
      throw new AssistantStreamError('schema', `the delta's own ${key} differs from the ${eventName === 'thread.message.delta' ? 'message' : 'run step'} it updates`, {
        eventIndex: seq,
        eventName,
        path: `data.delta.${key}`,
      });
    }
    delete data.delta[key];
  }
}

/** The status a lifecycle event's payload must carry (`thread.run.failed` → `failed`). */
function announcedStatus(eventName: string): string | undefined {
  if (eventName === 'thread.created' || eventName.endsWith('.created') || eventName.endsWith('.delta')) return undefined;
  return eventName.slice(eventName.lastIndexOf('.') + 1);
}

/** The server may send a bare error object or wrap it as `{ error }` (the SDK accepts both). */
function toErrorObject(json: unknown): ErrorObject {
  return errorObjectOf(json) ?? { message: 'the server sent an error event without a message' };
}

function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `['data', 'delta', 'content', 0, 'index']` → `data.delta.content[0].index`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  let previous: PropertyKey | undefined;
  for (const key of path) {
    const underMetadata = previous === 'metadata';
    previous = key;
    if (typeof key === 'number') out += `[${key}]`;
    else if (underMetadata) out += '[<key>]'; // a metadata key is the user's data, never printed
    else {
      const segment = safePathSegment(String(key));
      out += segment.startsWith('"') ? `[${segment}]` : out === '' ? segment : `.${segment}`;
    }
  }
  return out;
}
