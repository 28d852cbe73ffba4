import type { AssistantStreamEvent, UnknownStreamEvent, WireEvent } from '../src/wire/index.ts';

/**
 * The `event` callback action: announces an accepted wire event as the SDK-shaped
 * `{ event, data }`, before the callbacks it causes. The stream announces the events it
 * handles itself; a message or run step announces the deltas it accepts.
 */
export const announceEvent = {
  type: 'event',
  params: ({ event }: { event: WireEvent }) => ({ event: toStreamEvent(event) }),
} as const;

/** The SDK-shaped `{ event, data }` of a wire event. */
export function toStreamEvent(event: WireEvent): AssistantStreamEvent | UnknownStreamEvent {
  return event.type === 'wire.unknown' ? { event: event.event, data: event.data } : ({ event: event.type, data: event.data } as AssistantStreamEvent);
}
