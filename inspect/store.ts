import type { ActorFrame, EventFrame, FrameRejection, InspectionFrame, MicrostepFrame, SenderMark, SnapshotFrame, TakenTransition } from './frames.ts';
import { EventLog, type EventView } from './eventLog.ts';
import { CONTEXT_LIMITS, DEFINITION_LIMITS, PAYLOAD_LIMITS, redactString, sanitize, textFragmentParts } from './sanitize.ts';
import { diffValues, type ValueChange } from './diff.ts';
import type { ActorIdentity, JournalRecord } from './journal.ts';

export type { EventView } from './eventLog.ts';
export type { TakenTransition } from './frames.ts';

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
/** Transitions kept per step of an actor's history (a macrostep rarely takes more than a few). */
const MAX_TAKEN = 32;

/** The transition an actor took last, as of a view: what the chart marks. */
export interface LastTransition {
  from: unknown;
  to: unknown;
  event: string;
  seq: number;
  /** The transitions XState took, when the sender reported them (ours does): exact, no guess. */
  transitions?: TakenTransition[] | undefined;
}

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
  /** When it was created (ms since the epoch, the sender's clock when it says). */
  createdAt: number;
  /** The transition it took last, as of this view. */
  lastTransition: LastTransition | undefined;
  /**
   * True when its `@xstate.actor` frame never arrived (a sender that dropped frames before its
   * socket opened, or connected late): it has no name nor chart, only its id.
   */
  orphan: boolean;
}

/** An actor with its context, as of a point in history. */
export interface ActorStateView extends ActorView {
  context: unknown;
  /** The seq of the context shown: contexts are sampled, see docs/inspect.md. */
  contextSeq: number | undefined;
}

/** A rejected frame, as logged. */
export interface RejectionView {
  time: number;
  /** Where it came from: `ws1` for the first WebSocket connection, `p1` for the first of our senders, `local` for this process. */
  origin: string;
  kind: string;
  message: string;
}

/** Something the inspector could not show whole, said once and counted. */
export interface WarningView {
  kind: 'orphans' | 'dropped';
  message: string;
  count: number;
}

/** One session: a root actor and everything under it. */
export interface SessionView {
  rootId: string;
  /** What it is: the run or response it streamed (`run_abc`), else its root machine's name. */
  name: string;
  /** Where it came from: `local`, a sender's name, or `ws1`. */
  origin: string;
  actors: number;
  createdSeq: number;
  firstTime: number;
  lastTime: number;
}

/** One step of an actor's history: its state value after an event. */
export interface HistoryView {
  seq: number;
  time: number;
  value: unknown;
  status: string;
  event: string;
  /** True when its state value changed at this step (or a transition re-entered a state). */
  transition: boolean;
}

/** Token counts as the API reports them on a run or response (`usage`). */
export interface TokenUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  [key: string]: unknown;
}

/** One actor's lifetime in a session: when it was created, when it ended (a final state or status). */
export interface ActorTiming {
  sessionId: string;
  name: string;
  actorId: string;
  startedAt: number;
  /** When it reached a final status (`done`, `error`, `stopped`); undefined while it runs. */
  endedAt: number | undefined;
  value: unknown;
}

/** A session's times (`GET /api/timing?session=ROOT`), all from the events' own clocks. */
export interface SessionTiming {
  rootId: string;
  events: number;
  /** The first and the newest event, ms since the epoch. */
  firstTime: number | undefined;
  lastTime: number | undefined;
  /** From the session's first event to its first text delta (time to first token). */
  firstTokenMs: number | undefined;
  /** Every run, step, message and tool call, with its duration. */
  actors: ActorTiming[];
  /** The run's (or response's) token usage, as its last context holds it. */
  usage: TokenUsage | undefined;
}

/** What one event changed on the actor it reached (`GET /api/diff?seq=N`). */
export interface EventDiff {
  seq: number;
  sessionId: string;
  type: string;
  value: { before: unknown; after: unknown; changed: boolean };
  status: { before: string; after: string };
  /**
   * The contexts compared: `before` as of the last sample before this event, `after` as of the
   * first at or after it. `exact` when those are this event's own (the state changed, or each
   * event was sampled); otherwise the changes of every event between the two samples.
   */
  context: { beforeSeq: number | undefined; afterSeq: number | undefined; exact: boolean; changes: ValueChange[]; more: number };
}

interface HistoryEntry {
  seq: number;
  time: number;
  value: unknown;
  valueKey: string;
  status: string;
  event: string;
  transitions: TakenTransition[] | undefined;
}

interface ActorRecord extends ActorIdentity {
  history: HistoryEntry[];
  contexts: Array<{ seq: number; context: unknown }>;
  pending: { seq: number; context: unknown } | undefined;
  sampledAt: number;
  /** Transitions reported since the last history step. */
  taken: TakenTransition[];
}

interface SenderRecord {
  origin: string;
  name: string;
  /** The next batch number expected: batches below it were taken already. */
  received: number;
  dropped: number;
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

/** Where the history stands (what the UI hears ten times a second at most). */
export interface StoreCursor {
  firstSeq: number;
  nextSeq: number;
  rejections: number;
  /** Actors with no `@xstate.actor` frame plus frames senders dropped: see {@link InspectorStore.warnings}. */
  warnings: number;
  /** Actors kept: the page asks for the actor list and sessions again only when this changes. */
  actors: number;
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
  readonly #senders = new Map<string, SenderRecord>();
  readonly #origins = new Map<string, string>();
  #firstSeq = 0;
  #nextSeq = 0;
  #rejectionCount = 0;
  #orphans = 0;
  #dropped = 0;
  /** Where every change is written too (the on-disk store, `--data-dir`), when set. */
  journal: ((record: JournalRecord) => void) | undefined;

  constructor(limits: Partial<StoreLimits> = {}) {
    this.limits = { ...DEFAULT_STORE_LIMITS, ...limits };
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The next seq to come (= how many events were ever seen), the oldest one kept, and what went wrong. */
  get cursor(): StoreCursor {
    return { firstSeq: this.#firstSeq, nextSeq: this.#nextSeq, rejections: this.#rejectionCount, warnings: this.#orphans + this.#dropped, actors: this.#actors.size };
  }

  /**
   * One of our senders, by the id it connects with (`?sender=`): the prefix of its ids (`p1`),
   * the same on every connection it makes, so a reconnect continues its actors.
   */
  sender(senderId: string, name = ''): SenderRecord {
    let sender = this.#senders.get(senderId);
    if (sender === undefined) {
      sender = { origin: `p${this.#senders.size + 1}`, name: redactString(name), received: 0, dropped: 0 };
      this.#senders.set(senderId, sender);
      this.#origins.set(sender.origin, sender.name);
      this.journal?.({ kind: 'sender', senderId, origin: sender.origin, name: sender.name, received: 0, dropped: 0 });
    }
    return sender;
  }

  /**
   * Whether a sender's batch is new (then it is counted); a batch resent after a reconnect that
   * arrived already is not. Frames the sender dropped are counted as a warning.
   */
  acceptBatch(senderId: string, mark: SenderMark): boolean {
    const sender = this.sender(senderId);
    if (mark.batch < sender.received) return false;
    sender.received = mark.batch + 1;
    if (mark.dropped > sender.dropped) {
      this.#dropped += mark.dropped - sender.dropped;
      sender.dropped = mark.dropped;
    }
    this.journal?.({ kind: 'sender', senderId, origin: sender.origin, name: sender.name, received: sender.received, dropped: sender.dropped });
    return true;
  }

  /** Names a plain WebSocket connection's origin (`ws3`) for the session list. */
  nameOrigin(origin: string, name: string): void {
    this.#origins.set(origin, redactString(name));
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
      case '@xstate.microstep':
        this.#addMicrostep(frame, key);
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

  /** What the inspector cannot show whole: actors that arrived without their `@xstate.actor` frame, frames senders dropped. */
  warnings(): WarningView[] {
    const warnings: WarningView[] = [];
    if (this.#orphans > 0) {
      warnings.push({
        kind: 'orphans',
        count: this.#orphans,
        message: `${this.#orphans} actor${this.#orphans === 1 ? '' : 's'} arrived without an @xstate.actor frame (no name, no chart): the sender lost frames — @statelyai/inspect keeps only 200 until its socket opens (maxDeferredEvents), or it connected after they started. See docs/inspect.md.`,
      });
    }
    if (this.#dropped > 0) {
      warnings.push({ kind: 'dropped', count: this.#dropped, message: `${this.#dropped} frames were dropped by a sender that could not reach the inspector (it keeps 100,000).` });
    }
    return warnings;
  }

  /** Every actor kept, as it is now, in the order they appeared. */
  actors(): ActorView[] {
    return [...this.#actors.values()].map((actor) => viewOf(actor, actor.history.at(-1), lastTransitionOf(actor.history, actor.history.length - 1)));
  }

  /** Every session kept, oldest first, named by what it streamed. */
  sessions(): SessionView[] {
    const sessions = new Map<string, SessionView & { named: boolean }>();
    for (const actor of this.#actors.values()) {
      let session = sessions.get(actor.rootId);
      if (session === undefined) {
        const root = this.#actors.get(actor.rootId);
        const origin = actor.rootId.includes('/') ? actor.rootId.slice(0, actor.rootId.indexOf('/')) : 'local';
        session = {
          rootId: actor.rootId,
          name: root?.name ?? actor.name,
          named: false,
          origin: this.#origins.get(origin) || origin,
          actors: 0,
          createdSeq: actor.createdSeq,
          firstTime: actor.createdAt,
          lastTime: actor.createdAt,
        };
        sessions.set(actor.rootId, session);
      }
      session.actors += 1;
      if (!session.named && (actor.name === 'run' || actor.name === 'response') && actor.actorId.includes(':')) {
        session.name = actor.actorId.slice(actor.actorId.indexOf(':') + 1);
        session.named = true;
      }
      const last = actor.history.at(-1)?.time ?? actor.createdAt;
      if (last > session.lastTime) session.lastTime = last;
    }
    return [...sessions.values()].map(({ named: _named, ...session }) => session);
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
      views.push({ ...viewOf(actor, entry, lastTransitionOf(actor.history, index)), context: sample?.context, contextSeq: sample?.seq });
    }
    return views;
  }

  /** An actor's history: every step at which its state value or status changed, oldest first. */
  history(sessionId: string): HistoryView[] | undefined {
    const actor = this.#actors.get(sessionId);
    if (actor === undefined) return undefined;
    return actor.history.map((entry, index) => ({
      seq: entry.seq,
      time: entry.time,
      value: entry.value,
      status: entry.status,
      event: entry.event,
      transition: index > 0 && (entry.valueKey !== actor.history[index - 1]!.valueKey || entry.transitions !== undefined),
    }));
  }

  /** What the event `seq` changed on the actor it reached, or undefined when it is not kept. */
  diff(seq: number): EventDiff | undefined {
    this.flush();
    const index = this.#events.indexOfSeq(seq);
    if (index < 0) return undefined;
    const event = this.#events.view(index);
    const actor = this.#actors.get(event.sessionId);
    if (actor === undefined) return undefined;
    const before = actor.history[lastAtOrBefore(actor.history, seq - 1)];
    const after = actor.history[lastAtOrBefore(actor.history, seq)];
    const beforeSample = actor.contexts[lastAtOrBefore(actor.contexts, seq - 1)];
    const afterIndex = firstAtOrAfter(actor.contexts, seq);
    const afterSample = afterIndex < 0 ? undefined : actor.contexts[afterIndex];
    // Exact when the samples are this event's own: the one after at this seq, the one before at
    // this actor's previous event (no event of this actor between them went unsampled).
    const previous = this.#events.previousOf(index, event.sessionId);
    const exact = afterSample?.seq === seq && (beforeSample === undefined ? previous === undefined : beforeSample.seq === previous);
    const { changes, more } = diffValues(beforeSample?.context, afterSample?.context);
    return {
      seq,
      sessionId: event.sessionId,
      type: event.type,
      value: { before: before?.value, after: after?.value, changed: before?.valueKey !== after?.valueKey },
      status: { before: before?.status ?? 'active', after: after?.status ?? 'active' },
      context: { beforeSeq: beforeSample?.seq, afterSeq: afterSample?.seq, exact, changes, more },
    };
  }

  /** A session's times, durations and token usage, or undefined when it is not kept. */
  timing(rootId: string): SessionTiming | undefined {
    this.flush();
    const actors = [...this.#actors.values()].filter((actor) => actor.rootId === rootId);
    if (actors.length === 0) return undefined;
    const { count, first, last, firstDelta } = this.#events.sessionTimes(rootId, 'thread.message.delta');
    let usage: TokenUsage | undefined;
    const timings: ActorTiming[] = [];
    for (const actor of actors) {
      if (actor.parentId === undefined) continue;
      const ended = actor.history.find((entry) => entry.status !== 'active');
      const lastEntry = actor.history.at(-1);
      timings.push({ sessionId: actor.sessionId, name: actor.name, actorId: actor.actorId, startedAt: actor.createdAt, endedAt: ended?.time, value: lastEntry?.value });
      if (actor.name === 'run') {
        const found = (actor.contexts.at(-1)?.context as { run?: { usage?: unknown } } | undefined)?.run?.usage;
        if (typeof found === 'object' && found !== null) usage = found as TokenUsage;
      }
    }
    return { rootId, events: count, firstTime: first, lastTime: last, firstTokenMs: first === undefined || firstDelta === undefined ? undefined : firstDelta - first, actors: timings, usage };
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

  /** The event `seq`, if it is kept. */
  event(seq: number): EventView | undefined {
    const index = this.#events.indexOfSeq(seq);
    return index < 0 ? undefined : this.#events.view(index);
  }

  /**
   * Makes room for `events` more events at once (a session file about to be read holds that
   * many): nothing changes but how the log grows.
   */
  reserve(events: number): void {
    this.#events.reserve(Math.min(events, this.limits.maxEvents));
  }

  /** Reads the contexts that were left for later (at most one per actor). */
  flush(): void {
    for (const actor of this.#withPending) this.#sample(actor);
    this.#withPending.clear();
  }

  /**
   * Takes back one record of a journal (the on-disk store, or an exported session): the store
   * becomes what it was when the record was written.
   */
  restore(record: JournalRecord): void {
    switch (record.kind) {
      case 'sender': {
        const sender = { origin: record.origin, name: record.name, received: record.received, dropped: record.dropped };
        const before = this.#senders.get(record.senderId);
        this.#dropped += sender.dropped - (before?.dropped ?? 0);
        this.#senders.set(record.senderId, sender);
        this.#origins.set(record.origin, record.name);
        break;
      }
      case 'definition':
        this.#definitions.set(record.key, record.definition);
        break;
      case 'actor': {
        const { kind: _kind, ...identity } = record;
        this.#actors.get(identity.sessionId) ?? this.#insertActor({ ...identity, history: [], contexts: [], pending: undefined, sampledAt: 0, taken: [] });
        break;
      }
      case 'event':
        this.#pushEvent(record.seq, record.time, record.sessionId, record.rootId, record.sourceId, record.type, record.payload);
        break;
      case 'step': {
        const actor = this.#actors.get(record.sessionId);
        if (actor === undefined) break;
        const valueKey = typeof record.value === 'string' ? record.value : (JSON.stringify(record.value) ?? '');
        actor.history.push({ seq: record.seq, time: record.time, value: record.value, valueKey, status: record.status, event: record.event, transitions: record.transitions });
        break;
      }
      case 'context': {
        const actor = this.#actors.get(record.sessionId);
        if (actor === undefined) break;
        if (actor.contexts.at(-1)?.seq === record.seq) actor.contexts.pop();
        actor.contexts.push({ seq: record.seq, context: record.context });
        break;
      }
    }
    this.#changed();
  }

  /**
   * Every record that makes this store what it is now (or only the session `rootId`): what an
   * export writes, and what {@link restore} takes back.
   */
  *records(rootId?: string): Generator<JournalRecord> {
    this.flush();
    for (const [senderId, sender] of this.#senders) yield { kind: 'sender', senderId, ...sender };
    const actors = [...this.#actors.values()].filter((actor) => rootId === undefined || actor.rootId === rootId);
    const keys = new Set(actors.flatMap((actor) => (actor.definition === undefined ? [] : [actor.definition])));
    for (const key of keys) yield { kind: 'definition', key, definition: this.#definitions.get(key) };
    for (const actor of actors) yield actorRecord(actor);
    // Events and steps in seq order, interleaved, so a restore rebuilds the same history as it goes.
    const steps = actors.flatMap((actor) => actor.history.map((entry) => ({ actor, entry })));
    steps.sort((a, b) => a.entry.seq - b.entry.seq);
    const contexts = actors.flatMap((actor) => actor.contexts.map((sample) => ({ actor, sample })));
    contexts.sort((a, b) => a.sample.seq - b.sample.seq);
    let step = 0;
    let context = 0;
    const log = this.#events;
    for (let index = 0; index < log.length; index++) {
      const seq = log.seqAt(index)!;
      for (; step < steps.length && steps[step]!.entry.seq < seq; step++) yield stepRecord(steps[step]!.actor, steps[step]!.entry);
      for (; context < contexts.length && contexts[context]!.sample.seq < seq; context++) yield contextRecord(contexts[context]!.actor, contexts[context]!.sample);
      if (rootId === undefined || log.rootAt(index) === rootId) yield { kind: 'event', ...log.stored(index) };
    }
    for (; step < steps.length; step++) yield stepRecord(steps[step]!.actor, steps[step]!.entry);
    for (; context < contexts.length; context++) yield contextRecord(contexts[context]!.actor, contexts[context]!.sample);
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
      // A sender that reconnects announces its actors again: keep their history. An actor
      // first seen through its events (its announcement came late) gets its name and chart now.
      if (existing.orphan) {
        existing.orphan = false;
        existing.name = name;
        existing.actorId = frame.actorId === undefined ? name : redactString(frame.actorId);
        if (frame.parentId != null) existing.parentId = key(frame.parentId);
        this.#orphans -= 1;
      }
      existing.definition ??= definition;
      this.journal?.(actorRecord(existing));
      return;
    }
    const actor = this.#newActor({
      sessionId,
      rootId: key(frame.rootId ?? frame.sessionId),
      parentId: frame.parentId == null ? undefined : key(frame.parentId),
      actorId: frame.actorId === undefined ? name : redactString(frame.actorId),
      name,
      definition,
      createdAt: timeOf(frame),
      orphan: false,
    });
    const snapshot = frame.snapshot as SnapshotFrame['snapshot'] | undefined;
    if (typeof snapshot === 'object' && snapshot !== null) this.#record(actor, snapshot, 'xstate.init', actor.createdAt);
  }

  // The one place an actor record is made: announced (#addActor) or not (#placeholder).
  #newActor(identity: Pick<ActorRecord, 'sessionId' | 'rootId' | 'parentId' | 'actorId' | 'name' | 'definition' | 'createdAt' | 'orphan'>): ActorRecord {
    const actor = this.#insertActor({ ...identity, createdSeq: this.#nextSeq, history: [], contexts: [], pending: undefined, sampledAt: 0, taken: [] });
    this.journal?.(actorRecord(actor));
    return actor;
  }

  #insertActor(actor: ActorRecord): ActorRecord {
    this.#actors.set(actor.sessionId, actor);
    if (actor.orphan) this.#orphans += 1;
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
      const kept = sanitize(parsed, DEFINITION_LIMITS);
      this.#definitions.set(key, kept);
      this.journal?.({ kind: 'definition', key, definition: kept });
    }
    return key;
  }

  #addEvent(frame: EventFrame, key: (id: string) => string): void {
    const sessionId = key(frame.sessionId);
    const actor = this.#actors.get(sessionId) ?? this.#placeholder(sessionId, frame.rootId, key);
    const event = frame.event;
    const kept = textFragmentParts(event, PAYLOAD_LIMITS) ?? sanitize(event, PAYLOAD_LIMITS);
    const sourceId = frame.sourceId == null ? undefined : key(frame.sourceId);
    const seq = this.#nextSeq;
    const type = eventType(event.type);
    const time = timeOf(frame);
    this.#pushEvent(seq, time, sessionId, actor.rootId, sourceId, type, kept);
    this.journal?.({ kind: 'event', seq, time, sessionId, rootId: actor.rootId, sourceId, type, payload: kept });
  }

  #pushEvent(seq: number, time: number, sessionId: string, rootId: string, sourceId: string | undefined, type: string, payload: unknown): void {
    this.#events.push(seq, time, sessionId, rootId, sourceId, type, payload);
    if (this.#events.length === 1) this.#firstSeq = seq;
    this.#nextSeq = seq + 1;
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
    this.#record(actor, frame.snapshot, typeof event?.type === 'string' ? redactString(event.type) : '', undefined);
  }

  #addMicrostep(frame: MicrostepFrame, key: (id: string) => string): void {
    const actor = this.#actors.get(key(frame.sessionId));
    if (actor === undefined) return;
    for (const transition of frame.transitions) {
      if (actor.taken.length >= MAX_TAKEN) break;
      actor.taken.push({ source: redactString(transition.source), targets: transition.targets.map(redactString), eventType: redactString(transition.eventType) });
    }
  }

  #record(actor: ActorRecord, snapshot: SnapshotFrame['snapshot'], eventType: string, time: number | undefined): void {
    const seq = Math.max(actor.createdSeq, this.#nextSeq - 1);
    const value = typeof snapshot.value === 'string' ? redactString(snapshot.value) : snapshot.value;
    const status = typeof snapshot.status === 'string' ? redactString(snapshot.status) : 'active';
    const last = actor.history.at(-1);
    const taken = actor.taken.length > 0 ? actor.taken : undefined;
    if (taken !== undefined) actor.taken = [];
    // Nearly every snapshot of a long stream repeats the state value it had (a new object each
    // time): compared with the kept copy first, it needs no copy and no JSON to tell.
    const same = last !== undefined && last.status === status && taken === undefined && equalsKeptValue(value, last.value);
    if (!same) {
      const kept = typeof value === 'string' ? value : sanitize(value, PAYLOAD_LIMITS);
      const valueKey = typeof kept === 'string' ? kept : (JSON.stringify(kept) ?? '');
      if (last === undefined || last.valueKey !== valueKey || last.status !== status || taken !== undefined) {
        // The time of the event this snapshot follows (the sender's clock), else now.
        const at = time ?? this.#events.lastTime() ?? Date.now();
        const entry: HistoryEntry = { seq, time: at, value: kept, valueKey, status, event: eventType, transitions: taken };
        actor.history.push(entry);
        this.journal?.(stepRecord(actor, entry));
      }
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
    const sample = { seq: pending.seq, context };
    actor.contexts.push(sample);
    this.journal?.(contextRecord(actor, sample));
    if (actor.contexts.length > this.limits.maxContextSamples) {
      const newest = actor.contexts.length - 1;
      actor.contexts = actor.contexts.filter((_, index) => index % 2 === 0 || index === newest);
    }
  }

  // An event or snapshot for an actor never announced (a sender that lost frames, or connected
  // late): it still shows, named by its id, and is counted as a warning.
  #placeholder(sessionId: string, rootId: string | undefined, key: (id: string) => string): ActorRecord {
    const rootKey = rootId === undefined || rootId === 'anonymous' ? sessionId : key(rootId);
    return this.#newActor({ sessionId, rootId: rootKey, parentId: undefined, actorId: sessionId, name: sessionId, definition: undefined, createdAt: Date.now(), orphan: true });
  }

  #dropOldestSession(): void {
    const oldest = this.#actors.values().next().value;
    if (oldest === undefined) return;
    const rootId = oldest.rootId;
    for (const [id, actor] of this.#actors) {
      if (actor.rootId !== rootId) continue;
      this.#actors.delete(id);
      this.#withPending.delete(actor);
      if (actor.orphan) this.#orphans -= 1;
    }
    this.#events.dropSession(rootId);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

// `redactString`, done once per run of equal strings: nearly every frame names the actor, and
// has the event type (a delta), that the one before it had.
function redactedOncePerRun(): (text: string) => string {
  let last = '';
  let kept = '';
  return (text) => {
    if (text !== last) {
      last = text;
      kept = redactString(text);
    }
    return kept;
  };
}

// Ids and names are shown and logged too: nothing that looks like a key gets through them.
const ownId = redactedOncePerRun();
// An event's type.
const eventType = redactedOncePerRun();

// The time a frame says it was made (`createdAt`, ms since the epoch, a number or a string of
// one as @statelyai/inspect sends it), else now.
function timeOf(frame: { createdAt?: unknown }): number {
  const given = frame.createdAt;
  // Our own observer's frames (nearly all of a long local stream) carry no time: now, at once.
  if (given === undefined) return Date.now();
  const time = typeof given === 'number' ? given : typeof given === 'string' ? Number(given) : Number.NaN;
  return Number.isFinite(time) && time > 0 ? time : Date.now();
}

function actorRecord(actor: ActorRecord): JournalRecord {
  const { sessionId, rootId, parentId, actorId, name, definition, createdSeq, createdAt, orphan } = actor;
  return { kind: 'actor', sessionId, rootId, parentId, actorId, name, definition, createdSeq, createdAt, orphan };
}

function stepRecord(actor: ActorRecord, entry: HistoryEntry): JournalRecord {
  return { kind: 'step', sessionId: actor.sessionId, seq: entry.seq, time: entry.time, value: entry.value, status: entry.status, event: entry.event, transitions: entry.transitions };
}

function contextRecord(actor: ActorRecord, sample: { seq: number; context: unknown }): JournalRecord {
  return { kind: 'context', sessionId: actor.sessionId, seq: sample.seq, context: sample.context };
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
    createdAt: actor.createdAt,
    lastTransition,
    orphan: actor.orphan,
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

// The transition at or before history[index]: a change of state value, or a step where XState
// reported transitions (a state re-entered); what the diagram marks.
function lastTransitionOf(history: readonly HistoryEntry[], index: number): ActorView['lastTransition'] {
  for (let at = index; at > 0; at--) {
    const entry = history[at]!;
    const before = history[at - 1]!;
    if (entry.valueKey !== before.valueKey || entry.transitions !== undefined) {
      const last: LastTransition = { from: before.value, to: entry.value, event: entry.event, seq: entry.seq };
      if (entry.transitions !== undefined) last.transitions = entry.transitions;
      return last;
    }
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

// The first entry at or after `seq`, or -1.
function firstAtOrAfter(entries: ReadonlyArray<{ seq: number }>, seq: number): number {
  const before = lastAtOrBefore(entries, seq - 1);
  return before + 1 < entries.length ? before + 1 : -1;
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
