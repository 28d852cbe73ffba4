import type { TakenTransition } from './frames.ts';
import { TextFragmentParts } from './sanitize.ts';

/**
 * One change of the inspector's store, as the on-disk store (`--data-dir`) and an exported
 * session (`GET /api/export`, `inspect --open FILE`) write it: replayed in order by
 * `InspectorStore.restore`, they make the same store again.
 */
export type JournalRecord =
  | { kind: 'sender'; senderId: string; origin: string; name: string; received: number; dropped: number }
  | { kind: 'definition'; key: string; definition: unknown }
  | {
      kind: 'actor';
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
  | { kind: 'event'; seq: number; time: number; sessionId: string; rootId: string; sourceId: string | undefined; type: string; payload: unknown }
  | { kind: 'step'; sessionId: string; seq: number; time: number; value: unknown; status: string; event: string; transitions: TakenTransition[] | undefined }
  | { kind: 'context'; sessionId: string; seq: number; context: unknown };

/** The first line of every journal and exported session: what it is, and its format's version. */
export const JOURNAL_HEADER = { format: 'assistant-machines-inspector', version: 1 } as const;

/**
 * One record as one line of JSON. Events, nearly all of a long session, are arrays (no key
 * names repeated a million times); a text fragment's payload is its parts, as the store keeps it.
 *
 * @example `encodeRecord({ kind: 'context', sessionId: 'x:0', seq: 3, context: { n: 1 } })`
 */
export function encodeRecord(record: JournalRecord): string {
  if (record.kind === 'event') {
    const { payload } = record;
    const kept = payload instanceof TextFragmentParts ? { '~fragment': [payload.id, payload.index, payload.value, payload.seq ?? null, payload.fragment ?? null] } : payload;
    return JSON.stringify(['e', record.seq, record.time, record.sessionId, record.rootId, record.sourceId ?? null, record.type, kept ?? null]);
  }
  return JSON.stringify(record);
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

const KINDS = new Set(['sender', 'definition', 'actor', 'step', 'context']);

/**
 * Reads one line that {@link encodeRecord} wrote; a line it cannot read is a {@link JournalError}
 * that says which and why.
 *
 * @example `decodeRecord('["e",0,1700000000000,"x:0","x:0",null,"go",{"type":"go"}]', 2)`
 */
export function decodeRecord(line: string, lineNumber: number): JournalRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new JournalError(`line ${lineNumber} is not JSON (${error instanceof Error ? error.message : String(error)})`, lineNumber);
  }
  if (Array.isArray(parsed)) {
    const [tag, seq, time, sessionId, rootId, sourceId, type, payload] = parsed as unknown[];
    if (tag !== 'e' || typeof seq !== 'number' || typeof time !== 'number' || typeof sessionId !== 'string' || typeof rootId !== 'string' || typeof type !== 'string') {
      throw new JournalError(`line ${lineNumber} is not an event record ["e", seq, time, sessionId, rootId, sourceId, type, payload]`, lineNumber);
    }
    return { kind: 'event', seq, time, sessionId, rootId, sourceId: typeof sourceId === 'string' ? sourceId : undefined, type, payload: decodePayload(payload) };
  }
  const kind = (parsed as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) throw new JournalError(`line ${lineNumber} has no known "kind" (sender, definition, actor, step, context) nor is an event`, lineNumber);
  const record = parsed as Record<string, unknown>;
  for (const field of ['parentId', 'definition', 'transitions'] as const) if (record[field] === null) record[field] = undefined;
  return parsed as JournalRecord;
}

function decodePayload(payload: unknown): unknown {
  const parts = (payload as { '~fragment'?: unknown } | null)?.['~fragment'];
  if (!Array.isArray(parts)) return payload;
  const [id, index, value, seq, fragment] = parts as [string, number | string, string, unknown, unknown];
  return new TextFragmentParts(id, index, value, seq ?? undefined, fragment ?? undefined);
}
