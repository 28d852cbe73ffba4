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
 * An event as it is kept: the fields of {@link EventView}, with a text fragment's payload as its
 * {@link TextFragmentParts} (what a journal writes; `view` rebuilds the event).
 */
export type StoredEvent = EventView;

// What the kind column says of an event: its payload is kept whole, or it is a text fragment
// kept as columns (its text in the payload column) whose `fragment` mark is absent, false or true.
const WHOLE = 0;
const FRAGMENT_UNMARKED = 1;
const FRAGMENT_FALSE = 2;
const FRAGMENT_TRUE = 3;

/**
 * The inspector's events, kept column by column: one column per field, not one object per
 * event. A long stream's events all live until their session is dropped; every object kept is
 * copied by young-generation collections until it is promoted, and every slot of a JavaScript
 * array is visited by each full collection. So numbers live in typed arrays, ids and types as
 * small numbers into a table of the distinct strings (a session has a handful), and a text
 * fragment — nearly every event of a stream — as columns too, its text the one value kept on
 * the heap. {@link stored} gives a fragment back as its {@link TextFragmentParts}, {@link view}
 * as the event.
 */
export class EventLog {
  #length = 0;
  #seqs = new Float64Array(INITIAL_CAPACITY);
  #times = new Float64Array(INITIAL_CAPACITY);
  #sessionIds = new Uint32Array(INITIAL_CAPACITY);
  #rootIds = new Uint32Array(INITIAL_CAPACITY);
  #sourceIds = new Uint32Array(INITIAL_CAPACITY);
  #types = new Uint32Array(INITIAL_CAPACITY);
  #kinds = new Uint8Array(INITIAL_CAPACITY);
  /** A fragment's message id (a string number), its content index, and its `seq` mark (NaN: none). */
  #fragmentIds = new Uint32Array(INITIAL_CAPACITY);
  #fragmentIndexes = new Float64Array(INITIAL_CAPACITY);
  #fragmentSeqs = new Float64Array(INITIAL_CAPACITY);
  /** The payload kept whole, or a fragment's text. */
  #payloads: unknown[] = [];
  #strings = new StringTable();

  /** How many events are kept. */
  get length(): number {
    return this.#length;
  }

  /** The seq of the event at `index`, if there is one. */
  seqAt(index: number): number | undefined {
    return index >= 0 && index < this.#length ? this.#seqs[index] : undefined;
  }

  /** The index of the event `seq` (a binary search: seqs only grow), or -1. */
  indexOfSeq(seq: number): number {
    const seqs = this.#seqs;
    let low = 0;
    let high = this.#length - 1;
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
    const id = this.#strings.find(sessionId);
    if (id < 0) return undefined;
    for (let at = Math.min(index, this.#length) - 1; at >= 0; at--) if (this.#sessionIds[at] === id) return this.#seqs[at];
    return undefined;
  }

  /** When the newest event came, if there is one. */
  lastTime(): number | undefined {
    return this.#length === 0 ? undefined : this.#times[this.#length - 1];
  }

  /** The session (root id) of the event at `index`. */
  rootAt(index: number): string | undefined {
    return index >= 0 && index < this.#length ? (this.#strings.at(this.#rootIds[index]!) as string) : undefined;
  }

  /** The event at `index` as it is kept (a text fragment as its parts): what a journal writes. */
  stored(index: number): StoredEvent {
    const strings = this.#strings;
    return {
      seq: this.#seqs[index]!,
      time: this.#times[index]!,
      sessionId: strings.at(this.#sessionIds[index]!) as string,
      rootId: strings.at(this.#rootIds[index]!) as string,
      sourceId: strings.at(this.#sourceIds[index]!),
      type: strings.at(this.#types[index]!) as string,
      payload: this.#payloadAt(index),
    };
  }

  /** A session's event count, its first and last event's time, and when its first event of `type` came. */
  sessionTimes(rootId: string, type: string): { count: number; first: number | undefined; last: number | undefined; firstDelta: number | undefined } {
    let count = 0;
    let first: number | undefined;
    let last: number | undefined;
    let firstDelta: number | undefined;
    const root = this.#strings.find(rootId);
    const typeId = this.#strings.find(type);
    if (root < 0) return { count, first, last, firstDelta };
    for (let index = 0; index < this.#length; index++) {
      if (this.#rootIds[index] !== root) continue;
      const time = this.#times[index]!;
      count += 1;
      first ??= time;
      last = time;
      if (firstDelta === undefined && this.#types[index] === typeId) firstDelta = time;
    }
    return { count, first, last, firstDelta };
  }

  /**
   * Makes room for `count` more events at once: a file about to be read says how many it holds,
   * and its columns are then allocated once instead of doubled a dozen times on the way.
   */
  reserve(count: number): void {
    const needed = this.#length + Math.max(0, Math.floor(count));
    if (needed > this.#seqs.length) this.#grow(needed);
  }

  /** Keeps one event; `payload` is already sanitized (or a fragment's parts). */
  push(seq: number, time: number, sessionId: string, rootId: string, sourceId: string | undefined, type: string, payload: unknown): void {
    const at = this.#length;
    if (at === this.#seqs.length) this.#grow(Math.max(INITIAL_CAPACITY, at * 2));
    const strings = this.#strings;
    this.#seqs[at] = seq;
    this.#times[at] = time;
    this.#sessionIds[at] = strings.idOf(sessionId, SESSION);
    this.#rootIds[at] = strings.idOf(rootId, ROOT);
    this.#sourceIds[at] = strings.idOf(sourceId, SOURCE);
    this.#types[at] = strings.idOf(type, TYPE);
    if (payload instanceof TextFragmentParts && typeof payload.index === 'number' && (payload.seq === undefined || typeof payload.seq === 'number')) {
      this.#kinds[at] = payload.fragment === undefined ? FRAGMENT_UNMARKED : payload.fragment === true ? FRAGMENT_TRUE : payload.fragment === false ? FRAGMENT_FALSE : WHOLE;
    } else this.#kinds[at] = WHOLE;
    if (this.#kinds[at] === WHOLE) this.#payloads.push(payload);
    else {
      const parts = payload as TextFragmentParts;
      this.#fragmentIds[at] = strings.idOf(parts.id, FRAGMENT_ID);
      this.#fragmentIndexes[at] = parts.index as number;
      this.#fragmentSeqs[at] = parts.seq === undefined ? Number.NaN : (parts.seq as number);
      this.#payloads.push(parts.value);
    }
    this.#length = at + 1;
  }

  /** The event at `index` as the API shows it. */
  view(index: number): EventView {
    const event = this.stored(index);
    if (event.payload instanceof TextFragmentParts) event.payload = textFragmentEvent(event.payload);
    return event;
  }

  /** Whether the event at `index` is in `session` (a root id), reached or came from `actor`, and has a type containing `type`. */
  matches(index: number, query: { session?: string | undefined; actor?: string | undefined; type?: string | undefined }): boolean {
    const strings = this.#strings;
    if (query.session !== undefined && strings.at(this.#rootIds[index]!) !== query.session) return false;
    if (query.actor !== undefined && strings.at(this.#sessionIds[index]!) !== query.actor && strings.at(this.#sourceIds[index]!) !== query.actor) return false;
    if (query.type !== undefined && !(strings.at(this.#types[index]!) as string).includes(query.type)) return false;
    return true;
  }

  /** Drops the oldest `count` events. */
  dropOldest(count: number): void {
    const drop = Math.min(Math.max(0, count), this.#length);
    this.#keep((index) => index >= drop);
  }

  /** Drops every event of the session `rootId`. */
  dropSession(rootId: string): void {
    const root = this.#strings.find(rootId);
    if (root < 0) return;
    this.#keep((index) => this.#rootIds[index] !== root);
  }

  #payloadAt(index: number): unknown {
    const kind = this.#kinds[index]!;
    const payload = this.#payloads[index];
    if (kind === WHOLE) return payload;
    const seq = this.#fragmentSeqs[index]!;
    return new TextFragmentParts(
      this.#strings.at(this.#fragmentIds[index]!) as string,
      this.#fragmentIndexes[index]!,
      payload as string,
      Number.isNaN(seq) ? undefined : seq,
      kind === FRAGMENT_UNMARKED ? undefined : kind === FRAGMENT_TRUE,
    );
  }

  // Keeps the events `keep` says yes to, in order, and a string table of only their strings
  // (ids of dropped sessions go with them). Runs once per tenth of the bound, not per event.
  #keep(keep: (index: number) => boolean): void {
    const before = this.#strings;
    const after = new StringTable();
    const payloads: unknown[] = [];
    let kept = 0;
    for (let index = 0; index < this.#length; index++) {
      if (!keep(index)) continue;
      this.#seqs[kept] = this.#seqs[index]!;
      this.#times[kept] = this.#times[index]!;
      this.#sessionIds[kept] = after.idOf(before.at(this.#sessionIds[index]!), SESSION);
      this.#rootIds[kept] = after.idOf(before.at(this.#rootIds[index]!), ROOT);
      this.#sourceIds[kept] = after.idOf(before.at(this.#sourceIds[index]!), SOURCE);
      this.#types[kept] = after.idOf(before.at(this.#types[index]!), TYPE);
      this.#kinds[kept] = this.#kinds[index]!;
      this.#fragmentIds[kept] = this.#kinds[index] === WHOLE ? 0 : after.idOf(before.at(this.#fragmentIds[index]!), FRAGMENT_ID);
      this.#fragmentIndexes[kept] = this.#fragmentIndexes[index]!;
      this.#fragmentSeqs[kept] = this.#fragmentSeqs[index]!;
      payloads.push(this.#payloads[index]);
      kept += 1;
    }
    this.#length = kept;
    this.#payloads = payloads;
    this.#strings = after;
  }

  #grow(capacity: number): void {
    this.#seqs = grown(this.#seqs, new Float64Array(capacity));
    this.#times = grown(this.#times, new Float64Array(capacity));
    this.#sessionIds = grown(this.#sessionIds, new Uint32Array(capacity));
    this.#rootIds = grown(this.#rootIds, new Uint32Array(capacity));
    this.#sourceIds = grown(this.#sourceIds, new Uint32Array(capacity));
    this.#types = grown(this.#types, new Uint32Array(capacity));
    this.#kinds = grown(this.#kinds, new Uint8Array(capacity));
    this.#fragmentIds = grown(this.#fragmentIds, new Uint32Array(capacity));
    this.#fragmentIndexes = grown(this.#fragmentIndexes, new Float64Array(capacity));
    this.#fragmentSeqs = grown(this.#fragmentSeqs, new Float64Array(capacity));
  }
}

const INITIAL_CAPACITY = 1024;

function grown<Column extends Float64Array | Uint32Array | Uint8Array>(column: Column, into: Column): Column {
  into.set(column);
  return into;
}

// The columns of strings, each with its own last string seen (see StringTable).
const SESSION = 0;
const ROOT = 1;
const SOURCE = 2;
const TYPE = 3;
const FRAGMENT_ID = 4;

/**
 * The distinct strings of the log's id and type columns, each numbered once (0 is `undefined`).
 * Consecutive events nearly always repeat the ids of the one before: the last string seen in
 * each column is tried before the map.
 */
class StringTable {
  readonly #strings: Array<string | undefined> = [undefined];
  readonly #ids = new Map<string, number>();
  readonly #lastStrings: Array<string | undefined> = [undefined, undefined, undefined, undefined, undefined];
  readonly #lastIds = [0, 0, 0, 0, 0];

  /** The number of `text` (a string of `column`), given one if it has none yet. */
  idOf(text: string | undefined, column: number): number {
    if (text === this.#lastStrings[column]) return this.#lastIds[column]!;
    if (text === undefined) return 0;
    let id = this.#ids.get(text);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(text);
      this.#ids.set(text, id);
    }
    this.#lastStrings[column] = text;
    this.#lastIds[column] = id;
    return id;
  }

  /** The number of `text`, or -1 when no event holds it. */
  find(text: string): number {
    return this.#ids.get(text) ?? -1;
  }

  /** The string numbered `id`. */
  at(id: number): string | undefined {
    return this.#strings[id];
  }
}
