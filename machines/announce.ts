import { listenerCopy, type AssistantStreamEvent, type UnknownStreamEvent, type WireEvent } from '../src/wire/index.ts';

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
