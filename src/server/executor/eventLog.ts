import { formatSSEFrame } from '../../wire/index.ts';

/** One event of a run, framed once for every stream that carries it. */
export interface LoggedEvent {
  readonly event: string;
  /** The SSE frame: `event: <name>\ndata: <json>\n\n`. */
  readonly frame: string;
  /** A stream ends after this event (`requires_action` or a terminal run status). */
  readonly endsStream: boolean;
}

/** Receives a run's events: first the replay from a position, then each new one. */
export interface EventLogSubscriber {
  event(entry: LoggedEvent): void;
  /** The log will never grow again (the server is closing). */
  close(): void;
}

/** Hears what a log keeps: how durable storage persists a run's events with their positions. */
export interface EventLogObserver {
  /** An event was appended at `position`; `data` is the object it carries, as it is now. */
  appended(position: number, entry: LoggedEvent, data: unknown): void;
  /** The events before `position` were dropped. */
  compacted(position: number): void;
}

/** An event as durable storage keeps it: its position in the log, and its frame. */
export interface StoredLogEntry extends LoggedEvent {
  readonly position: number;
}

/**
 * Every event of one run, in order, with the streams that follow it. A stream subscribes from
 * a position — 0 for the stream of the request that created the run, the current length for a
 * tool-outputs stream — and gets the events from there on whether they were emitted before or
 * after it connected; so a run never waits for its stream, and a stream that dropped can be
 * picked up again from where it stopped.
 *
 * @example
 * ```ts
 * const unsubscribe = log.subscribe(0, { event: (entry) => write(entry.frame), close: end });
 * ```
 */
export class RunEventLog {
  #entries: Array<LoggedEvent | undefined> = [];
  /** Positions before this one were dropped by {@link compact}. */
  #compactedBefore = 0;
  /** Each stream following the log, with the position it follows from. */
  readonly #subscribers = new Map<EventLogSubscriber, number>();
  #closed = false;
  #observer: EventLogObserver | undefined;
  /** Events from this position on are held back from streams until {@link release}d; none when ungated. */
  #released = Number.POSITIVE_INFINITY;

  /**
   * Holds the events from `from` (default: new ones) back from streams until {@link release}
   * says they are committed (several
   * servers on one database: a client must not act on another server upon an event that server
   * cannot see yet).
   */
  gate(from = this.#entries.length): void {
    this.#released = Math.min(this.#released, from);
  }

  /** Delivers the held-back events before `position` to the streams. */
  release(position: number): void {
    if (position <= this.#released) return;
    const from = this.#released;
    this.#released = position;
    for (let index = from; index < Math.min(position, this.#entries.length); index += 1) {
      const entry = this.#entries[index];
      if (entry !== undefined) for (const [subscriber, from] of this.#subscribers) if (index >= from) subscriber.event(entry);
    }
  }

  /** Tells `observer` of every later append and compaction (one observer: durable storage). */
  observe(observer: EventLogObserver): void {
    this.#observer = observer;
  }

  /**
   * The log of a run read back from durable storage: the kept events at their positions (a
   * compacted log kept only its last one), so `starting_after` means what it meant before.
   */
  static restore(entries: readonly StoredLogEntry[]): RunEventLog {
    const log = new RunEventLog();
    if (entries.length === 0) return log;
    const last = entries[entries.length - 1]!.position;
    log.#entries = new Array(last + 1);
    for (const { position, event, frame, endsStream } of entries) log.#entries[position] = { event, frame, endsStream };
    log.#compactedBefore = entries[0]!.position;
    return log;
  }

  /** The kept events with their positions, oldest first. */
  storedEntries(): StoredLogEntry[] {
    const stored: StoredLogEntry[] = [];
    for (const [position, entry] of this.#entries.entries()) if (entry !== undefined) stored.push({ position, ...entry });
    return stored;
  }

  /** How many events the run emitted so far; the position the next one will take. */
  get length(): number {
    return this.#entries.length;
  }

  /** The first position still kept (0 unless {@link compact} dropped the events before it). */
  get firstKept(): number {
    return this.#compactedBefore;
  }

  /** Whether the event at `position` ends a stream (requires_action or a terminal run status). */
  endsStreamAt(position: number): boolean {
    return this.#entries[position]?.endsStream ?? (position < this.#compactedBefore);
  }

  /** The event names so far, in order (those {@link compact} dropped are gone). */
  eventNames(): string[] {
    return this.#entries.filter((entry) => entry !== undefined).map((entry) => entry.event);
  }

  /** The bytes of SSE the log keeps. */
  get bytes(): number {
    let total = 0;
    for (const entry of this.#entries) total += entry?.frame.length ?? 0;
    return total;
  }

  /**
   * Drops every event but the last (the run's final word) once nobody needs to replay them:
   * a run that has been terminal for a while. Positions stay what they were; a replay from a
   * dropped position starts at the kept event.
   */
  compact(): void {
    const last = this.#entries.length - 1;
    if (last < 1) return;
    const kept = this.#entries[last];
    this.#entries = new Array(this.#entries.length);
    this.#entries[last] = kept;
    this.#compactedBefore = last;
    this.#observer?.compacted(last);
  }

  /** Frames `data` (its state now: later changes to the object do not alter the event) and delivers it. */
  append(event: string, data: unknown, endsStream = false): void {
    if (this.#closed) return;
    // The SSE id is the event's position in the log: where a dropped stream picks up again.
    const position = this.#entries.length;
    const entry: LoggedEvent = { event, frame: `id: ${position}\n${formatSSEFrame(event, data)}`, endsStream };
    this.#entries.push(entry);
    this.#observer?.appended(position, entry, data);
    if (position < this.#released) for (const subscriber of this.#subscribers.keys()) subscriber.event(entry);
  }

  /**
   * Adds an event another server appended to its copy of this run's log, at the same position
   * (several servers on one database); one already here is skipped.
   */
  appendFollowed(position: number, entry: LoggedEvent): void {
    if (this.#closed || position < this.#entries.length) return;
    this.#entries[position] = entry;
    for (const [subscriber, from] of this.#subscribers) if (position >= from) subscriber.event(entry);
  }

  /** Replays the events from `from` on, then follows the log; returns the unsubscribe function. */
  subscribe(from: number, subscriber: EventLogSubscriber): () => void {
    const end = Math.min(this.#entries.length, this.#released);
    for (let index = Math.max(from, this.#compactedBefore); index < end; index += 1) subscriber.event(this.#entries[index]!);
    if (this.#closed) {
      subscriber.close();
      return () => {};
    }
    this.#subscribers.set(subscriber, from);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Ends every stream following this log; nothing is appended after this. */
  close(): void {
    this.#closed = true;
    for (const subscriber of this.#subscribers.keys()) subscriber.close();
    this.#subscribers.clear();
  }
}
