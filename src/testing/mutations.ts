import type { ScriptedEvent } from './objects.ts';

/** One way to break a valid stream. */
export interface StreamMutation {
  name: 'drop' | 'swap' | 'duplicate' | 'ghost-id' | 'after-end' | 'truncate';
  /** What it does, for the report: `drops event #3 (thread.message.created)`. */
  describe(event: ScriptedEvent, position: number): string;
  apply(events: readonly ScriptedEvent[], position: number): ScriptedEvent[];
}

const label = (verb: string) => (event: ScriptedEvent, position: number) => `${verb} event #${position + 1} (${event.event})`;

/** The mutations {@link mutateStream} applies. */
export const STREAM_MUTATIONS: readonly StreamMutation[] = [
  { name: 'drop', describe: label('drops'), apply: (events, at) => events.filter((_, index) => index !== at) },
  {
    name: 'swap',
    describe: (event, at) => `swaps event #${at + 1} (${event.event}) with the next`,
    apply: (events, at) => {
      const copy = [...events];
      if (at + 1 < copy.length) [copy[at], copy[at + 1]] = [copy[at + 1]!, copy[at]!];
      return copy;
    },
  },
  { name: 'duplicate', describe: label('repeats'), apply: (events, at) => [...events.slice(0, at + 1), ...events.slice(at)] },
  {
    name: 'ghost-id',
    describe: (event, at) => `renames the object of event #${at + 1} (${event.event}) to an id never created`,
    apply: (events, at) => events.map((event, index) => (index === at ? { event: event.event, data: { ...(event.data as object), id: 'ghost_1' } } : event)),
  },
  {
    name: 'after-end',
    describe: (event, at) => `sends event #${at + 1} (${event.event}) again after the last event`,
    apply: (events, at) => [...events, events[at]!],
  },
  { name: 'truncate', describe: (event, at) => `cuts the stream before event #${at + 1} (${event.event})`, apply: (events, at) => events.slice(0, at) },
];

/** A mutated stream and what was broken. */
export interface MutatedStream {
  events: ScriptedEvent[];
  /** `drops event #3 (thread.message.created)` */
  broke: string;
}

/**
 * Breaks a valid stream one way — drops, swaps, repeats or renames an event, replays one after
 * the end, or cuts the stream short — and says what it broke. `pick` chooses the mutation and
 * `at` the event, each taken modulo its range, so any two integers (a fast-check pair, a seeded
 * random) give a mutation. The result may still be valid (dropping a delta): a consumer must
 * end it in a typed error or a valid final state, never a hang or a crash.
 *
 * @example
 * ```ts
 * const { events, broke } = mutateStream(valid, 2, 5);
 * const error = await AssistantStream.fromSSE(textSource(toSSE(events))).done().catch((e) => e);
 * ```
 */
export function mutateStream(events: readonly ScriptedEvent[], pick: number, at: number): MutatedStream {
  if (events.length === 0) throw new RangeError('mutateStream needs at least one event to break');
  const mutation = STREAM_MUTATIONS[Math.abs(Math.trunc(pick)) % STREAM_MUTATIONS.length]!;
  const position = Math.abs(Math.trunc(at)) % events.length;
  return { events: mutation.apply(events, position), broke: mutation.describe(events[position]!, position) };
}
