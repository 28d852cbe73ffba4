import { decodeRecord, encodeRecord, JOURNAL_HEADER, JournalError, type JournalRecord } from './journal.ts';
import type { InspectorStore } from './store.ts';

/**
 * An exported session, line by line: a header, then every record that makes the store (or the
 * session `rootId`) what it is. `inspect --open FILE`, a file dropped on the page, and
 * `POST /api/import` read it back.
 *
 * @example `for (const line of exportLines(store)) file.write(`${line}\n`);`
 */
export function* exportLines(store: InspectorStore, rootId?: string): Generator<string> {
  yield JSON.stringify({ ...JOURNAL_HEADER, exportedAt: new Date().toISOString(), ...(rootId === undefined ? {} : { session: rootId }) });
  for (const record of store.records(rootId)) yield encodeRecord(record);
}

/** What an import added. */
export interface ImportResult {
  sessions: number;
  events: number;
}

/**
 * Reads an exported session (or an on-disk journal) into `store`. Into an empty store (`inspect
 * --open FILE`, a restart with `--data-dir`) it goes as it was: the same ids, the same event
 * numbers. Into a store that has sessions already (`as: 'added'`, a file dropped on the page)
 * its ids are prefixed with `prefix` (`f1/…`) and its events numbered after the store's own,
 * so nothing collides. A line that cannot be read is a {@link JournalError} naming it; with
 * `tolerateTail` a last line cut short (a journal written when the process died) is skipped.
 *
 * @example `importLines(store, text.split('\n'), { as: 'added', prefix: 'f1' })`
 */
export function importLines(store: InspectorStore, lines: readonly string[], options: { as?: 'original' | 'added'; prefix?: string; tolerateTail?: boolean } = {}): ImportResult {
  let start = 0;
  while (start < lines.length && lines[start]!.trim() === '') start += 1;
  if (start >= lines.length) throw new JournalError('the file is empty: it is no exported inspector session', 1);
  let header: { format?: unknown; version?: unknown } | undefined;
  try {
    header = JSON.parse(lines[start]!) as typeof header;
  } catch {
    header = undefined;
  }
  if (header?.format !== JOURNAL_HEADER.format) throw new JournalError(`line ${start + 1} is not an inspector session's header (${JSON.stringify(JOURNAL_HEADER)})`, start + 1);
  if (header.version !== JOURNAL_HEADER.version) throw new JournalError(`line ${start + 1}: format version ${String(header.version)} is not one this inspector reads (${JOURNAL_HEADER.version})`, start + 1);
  const records: JournalRecord[] = [];
  let last = lines.length;
  while (last > start + 1 && lines[last - 1]!.trim() === '') last -= 1;
  for (let index = start + 1; index < last; index++) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    try {
      records.push(decodeRecord(line, index + 1));
    } catch (error) {
      if (options.tolerateTail === true && index === last - 1) break;
      throw error;
    }
  }
  const added = options.as === 'added' ? renumber(records, options.prefix ?? 'f', store.cursor.nextSeq) : records;
  const roots = new Set<string>();
  let events = 0;
  for (const record of added) {
    if (record.kind === 'actor') roots.add(record.rootId);
    if (record.kind === 'event') events += 1;
    store.restore(record);
  }
  return { sessions: roots.size, events };
}

// Ids prefixed, event numbers moved after the store's own; senders left out (they are the
// bookkeeping of connections, not of these sessions).
function renumber(records: readonly JournalRecord[], prefix: string, base: number): JournalRecord[] {
  let lowest = Number.POSITIVE_INFINITY;
  for (const record of records) {
    if (record.kind === 'event' || record.kind === 'step' || record.kind === 'context') lowest = Math.min(lowest, record.seq);
    if (record.kind === 'actor') lowest = Math.min(lowest, record.createdSeq);
  }
  const shift = Number.isFinite(lowest) ? base - lowest : 0;
  const id = (value: string) => `${prefix}/${value}`;
  const out: JournalRecord[] = [];
  for (const record of records) {
    switch (record.kind) {
      case 'sender':
        break;
      case 'definition':
        out.push(record);
        break;
      case 'actor':
        out.push({ ...record, sessionId: id(record.sessionId), rootId: id(record.rootId), parentId: record.parentId === undefined ? undefined : id(record.parentId), createdSeq: record.createdSeq + shift });
        break;
      case 'event':
        out.push({ ...record, seq: record.seq + shift, sessionId: id(record.sessionId), rootId: id(record.rootId), sourceId: record.sourceId === undefined ? undefined : id(record.sourceId) });
        break;
      case 'step':
      case 'context':
        out.push({ ...record, seq: record.seq + shift, sessionId: id(record.sessionId) });
        break;
    }
  }
  return out;
}
