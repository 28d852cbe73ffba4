import { TextFragmentParts, textFragmentEvent } from './sanitize.ts';

/** One event as `GET /api/events` shows it. */
export interface EventView {
  /** Its place in the inspector's history, from 0, across sessions. */
  seq: number;
  /** When it was received (ms since the epoch). */
  time: number;
  /** The actor it reached. */
  sessionId: string;
  rootId: string;
  /** The actor that sent it, when an actor did. */
  sourceId: string | undefined;
  type: string;
  /** The event, sanitized. */
  payload: unknown;
}

/**
 * The inspector's events, kept column by column: one array per field, not one object per
 * event. A long stream's events all live until their session is dropped, and every object
 * kept is copied by each young-generation collection until it is promoted; columns hold
 * numbers unboxed and ids as shared strings, so an event costs its payload and a few slots.
 * A text fragment's payload is its {@link TextFragmentParts}; {@link view} rebuilds the event.
 */
export class EventLog {
  #seqs: number[] = [];
  #times: number[] = [];
  #sessionIds: string[] = [];
  #rootIds: string[] = [];
  #sourceIds: Array<string | undefined> = [];
  #types: string[] = [];
  #payloads: unknown[] = [];

  /** How many events are kept. */
  get length(): number {
    return this.#seqs.length;
  }

  /** The seq of the event at `index`, if there is one. */
  seqAt(index: number): number | undefined {
    return this.#seqs[index];
  }

  /** The index of the event `seq` (a binary search: seqs only grow), or -1. */
  indexOfSeq(seq: number): number {
    const seqs = this.#seqs;
    let low = 0;
    let high = seqs.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const at = seqs[middle]!;
      if (at === seq) return middle;
      if (at < seq) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** The seq of the event before `index` that reached the actor `sessionId`, if one is kept. */
  previousOf(index: number, sessionId: string): number | undefined {
    for (let at = index - 1; at >= 0; at--) if (this.#sessionIds[at] === sessionId) return this.#seqs[at];
    return undefined;
  }

  /** When the newest event came, if there is one. */
  lastTime(): number | undefined {
    return this.#times.at(-1);
  }

  /** The session (root id) of the event at `index`. */
  rootAt(index: number): string | undefined {
    return this.#rootIds[index];
  }

  /** The event at `index` as it is kept (a text fragment as its parts): what a journal writes. */
  stored(index: number): { seq: number; time: number; sessionId: string; rootId: string; sourceId: string | undefined; type: string; payload: unknown } {
    return {
      seq: this.#seqs[index]!,
      time: this.#times[index]!,
      sessionId: this.#sessionIds[index]!,
      rootId: this.#rootIds[index]!,
      sourceId: this.#sourceIds[index],
      type: this.#types[index]!,
      payload: this.#payloads[index],
    };
  }

  /** A session's event count, its first and last event's time, and when its first event of `type` came. */
  sessionTimes(rootId: string, type: string): { count: number; first: number | undefined; last: number | undefined; firstDelta: number | undefined } {
    let count = 0;
    let first: number | undefined;
    let last: number | undefined;
    let firstDelta: number | undefined;
    for (let index = 0; index < this.#rootIds.length; index++) {
      if (this.#rootIds[index] !== rootId) continue;
      const time = this.#times[index]!;
      count += 1;
      first ??= time;
      last = time;
      if (firstDelta === undefined && this.#types[index] === type) firstDelta = time;
    }
    return { count, first, last, firstDelta };
  }

  /** Keeps one event; `payload` is already sanitized (or a fragment's parts). */
  push(seq: number, time: number, sessionId: string, rootId: string, sourceId: string | undefined, type: string, payload: unknown): void {
    this.#seqs.push(seq);
    this.#times.push(time);
    this.#sessionIds.push(sessionId);
    this.#rootIds.push(rootId);
    this.#sourceIds.push(sourceId);
    this.#types.push(type);
    this.#payloads.push(payload);
  }

  /** The event at `index` as the API shows it. */
  view(index: number): EventView {
    const event = this.stored(index);
    if (event.payload instanceof TextFragmentParts) event.payload = textFragmentEvent(event.payload);
    return event;
  }

  /** Whether the event at `index` is in `session` (a root id), reached or came from `actor`, and has a type containing `type`. */
  matches(index: number, query: { session?: string | undefined; actor?: string | undefined; type?: string | undefined }): boolean {
    if (query.session !== undefined && this.#rootIds[index] !== query.session) return false;
    if (query.actor !== undefined && this.#sessionIds[index] !== query.actor && this.#sourceIds[index] !== query.actor) return false;
    if (query.type !== undefined && !this.#types[index]!.includes(query.type)) return false;
    return true;
  }

  /** Drops the oldest `count` events. */
  dropOldest(count: number): void {
    for (const column of this.#columns()) column.splice(0, count);
  }

  /** Drops every event of the session `rootId`. */
  dropSession(rootId: string): void {
    const keep: number[] = [];
    for (let index = 0; index < this.#rootIds.length; index++) if (this.#rootIds[index] !== rootId) keep.push(index);
    this.#seqs = keep.map((index) => this.#seqs[index]!);
    this.#times = keep.map((index) => this.#times[index]!);
    this.#sessionIds = keep.map((index) => this.#sessionIds[index]!);
    this.#rootIds = keep.map((index) => this.#rootIds[index]!);
    this.#sourceIds = keep.map((index) => this.#sourceIds[index]);
    this.#types = keep.map((index) => this.#types[index]!);
    this.#payloads = keep.map((index) => this.#payloads[index]);
  }

  #columns(): unknown[][] {
    return [this.#seqs, this.#times, this.#sessionIds, this.#rootIds, this.#sourceIds, this.#types, this.#payloads];
  }
}
