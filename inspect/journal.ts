import type { TakenTransition } from './frames.ts';
import { TextFragmentParts } from './sanitize.ts';

/** What the store knows of an actor besides its history: who it is, where it sits, since when. */
export interface ActorIdentity {
  sessionId: string;
  rootId: string;
  parentId: string | undefined;
  actorId: string;
  name: string;
  definition: string | undefined;
  createdSeq: number;
  createdAt: number;
  orphan: boolean;
}

/**
 * One change of the inspector's store, as the on-disk store (`--data-dir`) and an exported
 * session (`GET /api/export`, `inspect --open FILE`) write it: replayed in order by
 * `InspectorStore.restore`, they make the same store again.
 */
export type JournalRecord =
  | { kind: 'sender'; senderId: string; origin: string; name: string; received: number; dropped: number }
  | { kind: 'definition'; key: string; definition: unknown }
  | ({ kind: 'actor' } & ActorIdentity)
  | { kind: 'event'; seq: number; time: number; sessionId: string; rootId: string; sourceId: string | undefined; type: string; payload: unknown }
  | { kind: 'step'; sessionId: string; seq: number; time: number; value: unknown; status: string; event: string; transitions: TakenTransition[] | undefined }
  | { kind: 'context'; sessionId: string; seq: number; context: unknown };

/** The first line of every journal and exported session: what it is, and its format's version. */
export const JOURNAL_HEADER = { format: 'assistant-machines-inspector', version: 2 } as const;

/**
 * Writes records as lines of JSON, one per record. Events — nearly all of a long session — are
 * short arrays: `["e", seq, ms since the previous event, actor, sender actor or -1, type, payload]`,
 * actors by their number (the order their records were written in), a type by its number once
 * it was written out, a text fragment as `["f", message id or 0 when the same as the last,
 * index, text, seq, fragment]`. A million-delta session is 55 bytes an event instead of 130, and
 * reads back twice as fast. Every other record is a JSON object with its `kind`.
 *
 * @example `const encoder = new RecordEncoder(); for (const record of store.records()) out.write(`${encoder.encode(record)}\n`);`
 */
export class RecordEncoder {
  readonly #actors = new Map<string, number>();
  readonly #types = new Map<string, number>();
  #lastTime = 0;
  #lastFragmentId = '';

  /** One record as one line (no newline). */
  encode(record: JournalRecord): string {
    if (record.kind === 'actor') {
      if (!this.#actors.has(record.sessionId)) this.#actors.set(record.sessionId, this.#actors.size);
      return JSON.stringify(record);
    }
    if (record.kind !== 'event') return JSON.stringify(record);
    const target = this.#actors.get(record.sessionId);
    const source = record.sourceId === undefined ? -1 : this.#actors.get(record.sourceId);
    // An event of an actor whose record was not written (an export of one session whose events
    // name an actor of another): written in full.
    if (target === undefined || source === undefined) return JSON.stringify(record.payload instanceof TextFragmentParts ? { ...record, payload: fragmentOf(record.payload, '') } : record);
    let type: number | string | undefined = this.#types.get(record.type);
    if (type === undefined) {
      this.#types.set(record.type, this.#types.size);
      type = record.type;
    }
    const gap = record.time - this.#lastTime;
    this.#lastTime = record.time;
    let payload = record.payload;
    if (payload instanceof TextFragmentParts) {
      payload = fragmentOf(payload, this.#lastFragmentId);
      this.#lastFragmentId = (record.payload as TextFragmentParts).id;
    }
    return JSON.stringify(['e', record.seq, gap, target, source, type, payload ?? null]);
  }
}

function fragmentOf(parts: TextFragmentParts, lastId: string): unknown[] {
  return ['f', parts.id === lastId ? 0 : parts.id, parts.index, parts.value, parts.seq ?? null, parts.fragment ?? null];
}

/** Why a journal line could not be read. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  readonly kind = 'bad-journal';
  constructor(
    message: string,
    /** The line (from 1) it is about. */
    readonly line: number,
  ) {
    super(message);
  }
}

const KINDS = new Set(['sender', 'definition', 'actor', 'step', 'context', 'event']);

/**
 * Reads what a {@link RecordEncoder} wrote, line after line in the same order (the numbers of
 * actors and types are the ones written before). A line it cannot read is a
 * {@link JournalError} that says which and why.
 *
 * @example `const decoder = new RecordDecoder(); const record = decoder.decode(line, 2);`
 */
export class RecordDecoder {
  readonly #actors: Array<{ sessionId: string; rootId: string }> = [];
  readonly #known = new Set<string>();
  readonly #types: string[] = [];
  #lastTime = 0;
  #lastFragmentId = '';

  /** One line, read by JSON.parse here. */
  decode(line: string, lineNumber: number): JournalRecord {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new JournalError(`line ${lineNumber} is not JSON (${error instanceof Error ? error.message : String(error)})`, lineNumber);
    }
    return this.read(parsed, lineNumber);
  }

  /** One line already parsed (a batch of lines is parsed at once: one JSON.parse per thousands of lines). */
  read(parsed: unknown, lineNumber: number): JournalRecord {
    if (Array.isArray(parsed)) return this.#event(parsed, lineNumber);
    const kind = (parsed as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !KINDS.has(kind)) throw new JournalError(`line ${lineNumber} has no known "kind" (sender, definition, actor, step, context) nor is an event`, lineNumber);
    const record = parsed as Record<string, unknown>;
    for (const field of ['parentId', 'definition', 'transitions', 'sourceId'] as const) if (record[field] === null) record[field] = undefined;
    if (kind === 'actor') {
      const actor = parsed as { sessionId: string; rootId: string };
      if (!this.#known.has(actor.sessionId)) {
        this.#known.add(actor.sessionId);
        this.#actors.push({ sessionId: actor.sessionId, rootId: actor.rootId });
      }
    }
    if (kind === 'event' && Array.isArray(record['payload'])) record['payload'] = this.#payload(record['payload'], lineNumber, false);
    return parsed as JournalRecord;
  }

  #event(parts: unknown[], lineNumber: number): JournalRecord {
    const [tag, seq, gap, target, source, type, payload] = parts;
    const actor = typeof target === 'number' ? this.#actors[target] : undefined;
    const sender = source === -1 ? null : typeof source === 'number' ? this.#actors[source] : undefined;
    let name: string | undefined;
    if (typeof type === 'string') {
      name = type;
      this.#types.push(type);
    } else if (typeof type === 'number') name = this.#types[type];
    if (tag !== 'e' || typeof seq !== 'number' || typeof gap !== 'number' || actor === undefined || sender === undefined || name === undefined) {
      throw new JournalError(`line ${lineNumber} is not an event record ["e", seq, ms, actor, sender, type, payload] of the actors and types before it`, lineNumber);
    }
    this.#lastTime += gap;
    return { kind: 'event', seq, time: this.#lastTime, sessionId: actor.sessionId, rootId: actor.rootId, sourceId: sender === null ? undefined : sender.sessionId, type: name, payload: this.#payload(payload, lineNumber, true) };
  }

  // `track`: an event line's fragment (its id may be 0, "the last one"), not a full record's.
  #payload(payload: unknown, lineNumber: number, track: boolean): unknown {
    if (!Array.isArray(payload)) return payload;
    const [tag, id, index, value, seq, fragment] = payload as [unknown, unknown, unknown, unknown, unknown, unknown];
    const message = id === 0 ? this.#lastFragmentId : id;
    if (tag !== 'f' || typeof message !== 'string' || (typeof index !== 'number' && typeof index !== 'string') || typeof value !== 'string') {
      throw new JournalError(`line ${lineNumber} has a text fragment that is not ["f", id, index, text, seq, fragment]`, lineNumber);
    }
    if (track) this.#lastFragmentId = message;
    return new TextFragmentParts(message, index, value, seq ?? undefined, fragment ?? undefined);
  }
}
