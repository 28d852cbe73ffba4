import { JOURNAL_HEADER, JournalError, RecordDecoder, RecordEncoder, type JournalRecord } from './journal.ts';
import type { InspectorStore } from './store.ts';

/**
 * An exported session, line by line: a header, then every record that makes the store (or the
 * session `rootId`) what it is. `inspect --open FILE`, a file dropped on the page, and
 * `POST /api/import` read it back. A journal that goes on appending passes its `encoder`.
 *
 * @example `for (const line of exportLines(store)) file.write(`${line}\n`);`
 */
export function* exportLines(store: InspectorStore, rootId?: string, encoder = new RecordEncoder()): Generator<string> {
  yield JSON.stringify({ ...JOURNAL_HEADER, exportedAt: new Date().toISOString(), ...(rootId === undefined ? {} : { session: rootId }) });
  for (const record of store.records(rootId)) yield encoder.encode(record);
}

/** What an import added. */
export interface ImportResult {
  sessions: number;
  events: number;
}

/** Event lines parsed by one JSON.parse (a million small parses cost twice one big one). */
const BATCH_LINES = 5000;

/**
 * Reads an exported session (or an on-disk journal) into `store`. Into an empty store (`inspect
 * --open FILE`, a restart with `--data-dir`) it goes as it was: the same ids, the same event
 * numbers. Into a store that has sessions already (`as: 'added'`, a file dropped on the page)
 * its ids are prefixed with `prefix` (`f1/…`) and its events numbered after the store's own,
 * so nothing collides. A line that cannot be read is a {@link JournalError} naming it; with
 * `tolerateTail` a last line cut short (a journal written when the process died) is skipped.
 *
 * The text may come in pieces, each cut after a newline ({@link readSessionFile} reads a file
 * so): a piece is read as it is, never joined to the others.
 *
 * @example `importText(store, await file.text(), { as: 'added', prefix: 'f1' })`
 */
export function importText(store: InspectorStore, text: string | readonly string[], options: { as?: 'original' | 'added'; prefix?: string; tolerateTail?: boolean } = {}): ImportResult {
  const roots = new Set<string>();
  let events = 0;
  const take = (record: JournalRecord) => {
    if (record.kind === 'actor') roots.add(record.rootId);
    else if (record.kind === 'event') events += 1;
    store.restore(record);
  };
  // Record by record, never all of them at once: a million-event file makes no million-record array.
  readRecords(linePieces(text), options.tolerateTail === true, options.as === 'added' ? renumbering(options.prefix ?? 'f', store.cursor.nextSeq, take) : take);
  return { sessions: roots.size, events };
}

// The text as pieces that each end at a line's end (but the last): a piece that does not is
// joined to the next.
function linePieces(text: string | readonly string[]): string[] {
  if (typeof text === 'string') return [text];
  const pieces: string[] = [];
  let pending = '';
  for (const piece of text) {
    pending += piece;
    if (pending.endsWith('\n')) {
      pieces.push(pending);
      pending = '';
    }
  }
  if (pending !== '' || pieces.length === 0) pieces.push(pending);
  return pieces;
}

// The records of a file, in order: its header checked, its event lines parsed in batches.
function readRecords(pieces: readonly string[], tolerateTail: boolean, take: (record: JournalRecord) => void): void {
  const decoder = new RecordDecoder();
  const records = { push: take };
  let piece = 0;
  let text = pieces[0]!;
  let position = 0;
  let lineNumber = 0;
  // Moves to the next piece when this one is read; false when none is left.
  const more = (): boolean => {
    while (position >= text.length) {
      if (piece + 1 >= pieces.length) return false;
      piece += 1;
      text = pieces[piece]!;
      position = 0;
    }
    return true;
  };
  const nextLine = (): string | undefined => {
    if (!more()) return undefined;
    const end = text.indexOf('\n', position);
    const line = text.slice(position, end === -1 ? text.length : end);
    position = end === -1 ? text.length : end + 1;
    lineNumber += 1;
    return line;
  };
  let header = nextLine();
  while (header !== undefined && header.trim() === '') header = nextLine();
  if (header === undefined) throw new JournalError('the file is empty: it is no exported inspector session', 1);
  let parsed: { format?: unknown; version?: unknown } | undefined;
  try {
    parsed = JSON.parse(header) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (parsed?.format !== JOURNAL_HEADER.format) throw new JournalError(`line ${lineNumber} is not an inspector session's header (${JSON.stringify(JOURNAL_HEADER)})`, lineNumber);
  if (parsed.version !== JOURNAL_HEADER.version) throw new JournalError(`line ${lineNumber}: format version ${String(parsed.version)} is not one this inspector reads (${JOURNAL_HEADER.version})`, lineNumber);
  while (more()) {
    // A run of event lines (`["e",…`) goes to JSON.parse at once, as one array.
    if (text.startsWith('["e",', position)) {
      const start = position;
      const firstLine = lineNumber + 1;
      let count = 0;
      let end = position;
      while (count < BATCH_LINES && end < text.length && text.startsWith('["e",', end)) {
        const newline = text.indexOf('\n', end);
        end = newline === -1 ? text.length : newline + 1;
        count += 1;
      }
      const batch = text.slice(start, end).trimEnd();
      let rows: unknown[] | undefined;
      try {
        rows = JSON.parse(`[${batch.replaceAll('\n', ',')}]`) as unknown[];
      } catch {
        rows = undefined;
      }
      if (rows !== undefined && rows.length === count) {
        for (let index = 0; index < rows.length; index++) records.push(decoder.read(rows[index], firstLine + index));
        position = end;
        lineNumber += count;
        continue;
      }
      // A bad line in the batch: its lines one by one, to say which.
      for (let index = 0; index < count; index++) readLine();
      continue;
    }
    readLine();
  }

  function readLine(): void {
    const line = nextLine()!;
    if (line.trim() === '') return;
    try {
      records.push(decoder.decode(line, lineNumber));
    } catch (error) {
      // A journal's last line cut short when its process died: everything before it is kept.
      if (tolerateTail && text.slice(position).trim() === '' && pieces.slice(piece + 1).every((rest) => rest.trim() === '')) return;
      throw error;
    }
  }
}

// Ids prefixed, event numbers moved after the store's own; senders left out (they are the
// bookkeeping of connections, not of these sessions). The first record with a number sets the
// shift: an export lists its actors in the order they came (the first has the lowest number),
// before any event, step or context (none older than its actor).
function renumbering(prefix: string, base: number, take: (record: JournalRecord) => void): (record: JournalRecord) => void {
  let shift: number | undefined;
  const id = (value: string) => `${prefix}/${value}`;
  const moved = (seq: number) => {
    shift ??= base - seq;
    return seq + shift;
  };
  return (record) => {
    switch (record.kind) {
      case 'sender':
        return;
      case 'definition':
        return take(record);
      case 'actor':
        return take({ ...record, sessionId: id(record.sessionId), rootId: id(record.rootId), parentId: record.parentId === undefined ? undefined : id(record.parentId), createdSeq: moved(record.createdSeq) });
      case 'event':
        return take({ ...record, seq: moved(record.seq), sessionId: id(record.sessionId), rootId: id(record.rootId), sourceId: record.sourceId === undefined ? undefined : id(record.sourceId) });
      case 'step':
      case 'context':
        return take({ ...record, seq: moved(record.seq), sessionId: id(record.sessionId) });
    }
  };
}
