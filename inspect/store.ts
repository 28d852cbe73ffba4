import type { ActorFrame, EventFrame, FrameRejection, InspectionFrame, SnapshotFrame } from './frames.ts';
import { EventLog, type EventView } from './eventLog.ts';
import { CONTEXT_LIMITS, DEFINITION_LIMITS, PAYLOAD_LIMITS, redactString, sanitize, textFragmentParts } from './sanitize.ts';

export type { EventView } from './eventLog.ts';

/** How much the inspector keeps in memory; past these the oldest goes first. */
export interface StoreLimits {
  /** Events kept, across every session (default 250,000); older ones are dropped. */
  maxEvents: number;
  /** Actors kept (default 20,000); past it the oldest sessions are dropped whole. */
  maxActors: number;
  /** Context samples kept per actor (default 256); past it every other older sample goes. */
  maxContextSamples: number;
  /** Rejections kept for `GET /api/rejections` (default 200). */
  maxRejections: number;
}

/** The default bounds (documented in docs/inspect.md). */
export const DEFAULT_STORE_LIMITS: StoreLimits = { maxEvents: 250_000, maxActors: 20_000, maxContextSamples: 256, maxRejections: 200 };

/** A context read at most this often per actor while its state does not change. */
const CONTEXT_SAMPLE_MS = 100;

/** One actor as `GET /api/actors` and `GET /api/state` show it. */
export interface ActorView {
  /** Unique in the inspector: the sender's session id, prefixed by where it came from. */
  sessionId: string;
  /** The session id of the actor's root (the stream, for ours): one root = one session. */
  rootId: string;
  parentId: string | undefined;
  /** The actor's own id when the sender gave it (`run:run_abc`), else its name. */
  actorId: string;
  /** Its machine's id: `assistantStream`, `run`, `runStep`, `toolCall`, `message` for ours. */
  name: string;
  /** Its state value, as XState gives it. */
  value: unknown;
  /** `active`, `done`, `error` or `stopped`. */
  status: string;
  /** The key of its machine's definition (`GET /api/definitions/:key`), if it sent one. */
  definition: string | undefined;
  /** The seq of the first event this actor took (or the next one when it was created). */
  createdSeq: number;
  /** The transition it took last, as of this view. */
  lastTransition: { from: unknown; to: unknown; event: string; seq: number } | undefined;
}

/** An actor with its context, as of a point in history. */
export interface ActorStateView extends ActorView {
  context: unknown;
}

/** A rejected frame, as logged. */
export interface RejectionView {
  time: number;
  /** Where it came from: `ws1` for the first WebSocket connection, `local` for this process. */
  origin: string;
  kind: string;
  message: string;
}

interface HistoryEntry {
  seq: number;
  value: unknown;
  valueKey: string;
  status: string;
  event: string;
}

interface ActorRecord {
  sessionId: string;
  rootId: string;
  parentId: string | undefined;
  actorId: string;
  name: string;
  definition: string | undefined;
  createdSeq: number;
  history: HistoryEntry[];
  contexts: Array<{ seq: number; context: unknown }>;
  pending: { seq: number; context: unknown } | undefined;
  sampledAt: number;
}

/** What `GET /api/events` takes. */
export interface EventQuery {
  offset?: number | undefined;
  limit?: number | undefined;
  /** Only events of this session (root id). */
  session?: string | undefined;
  /** Only events that reached or came from this actor. */
  actor?: string | undefined;
  /** Only events whose type contains this text. */
  type?: string | undefined;
}

/** A page of events. */
export interface EventPage {
  total: number;
  offset: number;
  events: EventView[];
  /** The oldest seq still kept, and the next seq to come. */
  firstSeq: number;
  nextSeq: number;
}

/**
 * Everything the inspector has seen, in memory and bounded: actors, their state histories and
 * sampled contexts, events, and definitions. Time travel reads it as of any seq.
 *
 * Frames are ingested in arrival order; an actor's snapshot belongs to the latest event seen
 * (XState reports an event, then the snapshot it produced). Contexts are read when the state
 * changes and otherwise at most every 100 ms per actor, so a 100,000-delta message costs a
 * few context copies, not 100,000.
 */
export class InspectorStore {
  readonly limits: StoreLimits;
  readonly #actors = new Map<string, ActorRecord>();
  readonly #definitions = new Map<string, unknown>();
  readonly #events = new EventLog();
  readonly #rejections: RejectionView[] = [];
  readonly #withPending = new Set<ActorRecord>();
  readonly #listeners = new Set<() => void>();
  #firstSeq = 0;
  #nextSeq = 0;
  #rejectionCount = 0;

  constructor(limits: Partial<StoreLimits> = {}) {
    this.limits = { ...DEFAULT_STORE_LIMITS, ...limits };
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The next seq to come (= how many events were ever seen) and the oldest one kept. */
  get cursor(): { firstSeq: number; nextSeq: number; rejections: number } {
    return { firstSeq: this.#firstSeq, nextSeq: this.#nextSeq, rejections: this.#rejectionCount };
  }

  /**
   * Takes one frame. `origin` namespaces its ids: `''` keeps them (our own observer already
   * makes them unique), `ws1` makes `x:0` into `ws1/x:0` so two processes never collide.
   */
  ingest(frame: InspectionFrame, origin = ''): void {
    const key = origin === '' ? ownId : (this.#keys.get(origin) ?? this.#keyFor(origin));
    switch (frame.type) {
      case '@xstate.actor':
        this.#addActor(frame, key);
        break;
      case '@xstate.event':
        this.#addEvent(frame, key);
        break;
      case '@xstate.snapshot':
        this.#addSnapshot(frame, key);
        break;
    }
    this.#changed();
  }

  /** Logs a refused frame (kept for `GET /api/rejections`). */
  reject(rejection: FrameRejection, origin: string): void {
    this.#rejectionCount += 1;
    this.#rejections.push({ time: Date.now(), origin, kind: rejection.kind, message: rejection.message });
    if (this.#rejections.length > this.limits.maxRejections) this.#rejections.splice(0, this.#rejections.length - this.limits.maxRejections);
    this.#changed();
  }

  /** The most recent rejections, oldest first. */
  rejections(): RejectionView[] {
    return [...this.#rejections];
  }

  /** Every actor kept, as it is now, in the order they appeared. */
  actors(): ActorView[] {
    return [...this.#actors.values()].map((actor) => viewOf(actor, actor.history.at(-1), lastTransitionOf(actor.history, actor.history.length - 1)));
  }

  /** Every actor that existed at `seq`, with its state and context as of then. */
  stateAt(seq: number): ActorStateView[] {
    this.flush();
    const views: ActorStateView[] = [];
    for (const actor of this.#actors.values()) {
      if (actor.createdSeq > seq) continue;
      const index = lastAtOrBefore(actor.history, seq);
      const entry = index < 0 ? undefined : actor.history[index];
      const sample = actor.contexts[lastAtOrBefore(actor.contexts, seq)];
      views.push({ ...viewOf(actor, entry, lastTransitionOf(actor.history, index)), context: sample?.context });
    }
    return views;
  }

  /** A machine definition (its config as JSON), by the key actors give. */
  definition(key: string): unknown {
    return this.#definitions.get(key);
  }

  /** A page of events, filtered. */
  events(query: EventQuery = {}): EventPage {
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.min(Math.max(0, query.limit ?? 100), 1000);
    const log = this.#events;
    const events: EventView[] = [];
    let total = log.length;
    if (query.session === undefined && query.actor === undefined && query.type === undefined) {
      for (let index = offset; index < Math.min(offset + limit, total); index++) events.push(log.view(index));
    } else {
      total = 0;
      for (let index = 0; index < log.length; index++) {
        if (!log.matches(index, query)) continue;
        if (total >= offset && total < offset + limit) events.push(log.view(index));
        total += 1;
      }
    }
    return { total, offset, events, firstSeq: this.#firstSeq, nextSeq: this.#nextSeq };
  }

  /** Reads the contexts that were left for later (at most one per actor). */
  flush(): void {
    for (const actor of this.#withPending) this.#sample(actor);
    this.#withPending.clear();
  }

  // One function per origin, made once: ingest runs for every event.
  readonly #keys = new Map<string, (id: string) => string>();
  #keyFor(origin: string): (id: string) => string {
    const key = (id: string) => redactString(`${origin}/${id}`);
    this.#keys.set(origin, key);
    return key;
  }

  #addActor(frame: ActorFrame, key: (id: string) => string): void {
    const sessionId = key(frame.sessionId);
    const existing = this.#actors.get(sessionId);
    const name = redactString(frame.name ?? frame.actorId ?? frame.sessionId);
    const definition = frame.definition === undefined ? undefined : this.#addDefinition(name, frame.definition);
    if (existing !== undefined) {
      // A sender that reconnects announces its actors again: keep their history.
      existing.definition ??= definition;
      return;
    }
    const actor = this.#newActor({
      sessionId,
      rootId: key(frame.rootId ?? frame.sessionId),
      parentId: frame.parentId == null ? undefined : key(frame.parentId),
      actorId: frame.actorId === undefined ? name : redactString(frame.actorId),
      name,
      definition,
    });
    const snapshot = frame.snapshot as SnapshotFrame['snapshot'] | undefined;
    if (typeof snapshot === 'object' && snapshot !== null) this.#record(actor, snapshot, 'xstate.init');
  }

  // The one place an actor record is made: announced (#addActor) or not (#placeholder).
  #newActor(identity: Pick<ActorRecord, 'sessionId' | 'rootId' | 'parentId' | 'actorId' | 'name' | 'definition'>): ActorRecord {
    const actor: ActorRecord = { ...identity, createdSeq: this.#nextSeq, history: [], contexts: [], pending: undefined, sampledAt: 0 };
    this.#actors.set(actor.sessionId, actor);
    if (this.#actors.size > this.limits.maxActors) this.#dropOldestSession();
    return actor;
  }

  #addDefinition(name: string, definition: string): string {
    const key = `${name}-${hash(definition)}`;
    if (!this.#definitions.has(key)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(definition);
      } catch {
        parsed = { id: name, error: 'the definition is not JSON' };
      }
      this.#definitions.set(key, sanitize(parsed, DEFINITION_LIMITS));
    }
    return key;
  }

  #addEvent(frame: EventFrame, key: (id: string) => string): void {
    const sessionId = key(frame.sessionId);
    const actor = this.#actors.get(sessionId) ?? this.#placeholder(sessionId, frame.rootId, key);
    const event = frame.event;
    const kept = textFragmentParts(event, PAYLOAD_LIMITS) ?? sanitize(event, PAYLOAD_LIMITS);
    const sourceId = frame.sourceId == null ? undefined : key(frame.sourceId);
    this.#events.push(this.#nextSeq, Date.now(), sessionId, actor.rootId, sourceId, redactString(event.type), kept);
    this.#nextSeq += 1;
    if (this.#events.length > this.limits.maxEvents) {
      // Drop a tenth at once: one splice per 25,000 events, not one per event.
      const drop = Math.max(1, Math.floor(this.limits.maxEvents / 10));
      this.#events.dropOldest(drop);
      this.#firstSeq = this.#events.seqAt(0) ?? this.#nextSeq;
    }
  }

  #addSnapshot(frame: SnapshotFrame, key: (id: string) => string): void {
    const sessionId = key(frame.sessionId);
    const actor = this.#actors.get(sessionId) ?? this.#placeholder(sessionId, frame.rootId, key);
    const event = frame.event as { type?: unknown } | undefined;
    this.#record(actor, frame.snapshot, typeof event?.type === 'string' ? redactString(event.type) : '');
  }

  #record(actor: ActorRecord, snapshot: SnapshotFrame['snapshot'], eventType: string): void {
    const seq = Math.max(actor.createdSeq, this.#nextSeq - 1);
    const value = typeof snapshot.value === 'string' ? redactString(snapshot.value) : snapshot.value;
    const status = typeof snapshot.status === 'string' ? redactString(snapshot.status) : 'active';
    const last = actor.history.at(-1);
    // Nearly every snapshot of a long stream repeats the state value it had (a new object each
    // time): compared with the kept copy first, it needs no copy and no JSON to tell.
    const same = last !== undefined && last.status === status && equalsKeptValue(value, last.value);
    if (!same) {
      const kept = typeof value === 'string' ? value : sanitize(value, PAYLOAD_LIMITS);
      const valueKey = typeof kept === 'string' ? kept : (JSON.stringify(kept) ?? '');
      if (last === undefined || last.valueKey !== valueKey || last.status !== status) actor.history.push({ seq, value: kept, valueKey, status, event: eventType });
    }
    const changed = actor.history.at(-1) !== last;
    if (!('context' in snapshot)) return;
    actor.pending = { seq, context: snapshot.context };
    if (changed || Date.now() - actor.sampledAt >= CONTEXT_SAMPLE_MS) {
      this.#sample(actor);
      this.#withPending.delete(actor);
    } else this.#withPending.add(actor);
  }

  #sample(actor: ActorRecord): void {
    const pending = actor.pending;
    if (pending === undefined) return;
    actor.pending = undefined;
    actor.sampledAt = Date.now();
    const context = sanitize(pending.context, CONTEXT_LIMITS);
    if (actor.contexts.at(-1)?.seq === pending.seq) actor.contexts.pop();
    actor.contexts.push({ seq: pending.seq, context });
    if (actor.contexts.length > this.limits.maxContextSamples) {
      const newest = actor.contexts.length - 1;
      actor.contexts = actor.contexts.filter((_, index) => index % 2 === 0 || index === newest);
    }
  }

  // An event or snapshot for an actor never announced (a sender that connected late): it
  // still shows, named by its id.
  #placeholder(sessionId: string, rootId: string | undefined, key: (id: string) => string): ActorRecord {
    const rootKey = rootId === undefined || rootId === 'anonymous' ? sessionId : key(rootId);
    return this.#newActor({ sessionId, rootId: rootKey, parentId: undefined, actorId: sessionId, name: sessionId, definition: undefined });
  }

  #dropOldestSession(): void {
    const oldest = this.#actors.values().next().value;
    if (oldest === undefined) return;
    const rootId = oldest.rootId;
    for (const [id, actor] of this.#actors) {
      if (actor.rootId !== rootId) continue;
      this.#actors.delete(id);
      this.#withPending.delete(actor);
    }
    this.#events.dropSession(rootId);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

// Ids and names are shown and logged too: nothing that looks like a key gets through them.
function ownId(id: string): string {
  return redactString(id);
}

function viewOf(actor: ActorRecord, entry: HistoryEntry | undefined, lastTransition: ActorView['lastTransition']): ActorView {
  return {
    sessionId: actor.sessionId,
    rootId: actor.rootId,
    parentId: actor.parentId,
    actorId: actor.actorId,
    name: actor.name,
    value: entry?.value,
    status: entry?.status ?? 'active',
    definition: actor.definition,
    createdSeq: actor.createdSeq,
    lastTransition,
  };
}

// Whether a state value as received equals one kept (sanitized): plain objects of strings, as
// XState gives them, compared key by key. Anything else — or a value the copy changed, a
// redacted key, a cut string — is not equal, and the caller copies and compares it in full.
function equalsKeptValue(value: unknown, kept: unknown): boolean {
  if (typeof value === 'string') return value === kept;
  if (typeof value !== 'object' || value === null || typeof kept !== 'object' || kept === null) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype || Array.isArray(kept)) return false;
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key) || !Object.hasOwn(kept, key)) return false;
    if (!equalsKeptValue((value as Record<string, unknown>)[key], (kept as Record<string, unknown>)[key])) return false;
    count += 1;
  }
  for (const key in kept) if (Object.hasOwn(kept, key)) count -= 1;
  return count === 0;
}

// The change of state value at or before history[index]: what the diagram marks.
function lastTransitionOf(history: readonly HistoryEntry[], index: number): ActorView['lastTransition'] {
  for (let at = index; at > 0; at--) {
    const entry = history[at]!;
    const before = history[at - 1]!;
    if (entry.valueKey !== before.valueKey) return { from: before.value, to: entry.value, event: entry.event, seq: entry.seq };
  }
  return undefined;
}

// Binary search over entries sorted by seq: the last one at or before `seq`, or -1.
function lastAtOrBefore(entries: ReadonlyArray<{ seq: number }>, seq: number): number {
  let low = 0;
  let high = entries.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (entries[middle]!.seq <= seq) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

// FNV-1a: a short, stable key for a definition's text (two machines with one id stay apart).
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    h ^= text.charCodeAt(index);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
