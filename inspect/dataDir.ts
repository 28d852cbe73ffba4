import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { RecordEncoder, type JournalRecord } from './journal.ts';
import { exportLines, importText, type ImportResult } from './sessionFile.ts';
import type { InspectorStore } from './store.ts';

/** The journal's file in a data directory. */
export const JOURNAL_FILE = 'inspector.ndjson';
/** Records are written at most this often (and when the inspector closes). */
const FLUSH_MS = 100;

/** An exported session read from disk: its text in line-aligned pieces, and its event count. */
export interface SessionFileText {
  /** The text, cut at lines' ends: what {@link openSessionFile} reads. */
  pieces: string[];
  /** The whole text (joined when asked for). */
  readonly text: string;
  /** Its event lines: to size the store before it is read. */
  events: number;
}

/**
 * An exported session's text (`.ndjson`, or `.ndjson.gz`), and how many events it holds (its
 * event lines), to size the store before it is read. One character past ASCII (a cut string's
 * `…`) makes V8 keep a whole decoded string two bytes a character, which costs its decoding
 * (≈3× a one-byte string's) and every slice and JSON.parse after it: so the bytes are read as
 * latin1 (one byte, one character, at once), and only the lines that hold a byte past ASCII
 * are decoded again as UTF-8, as pieces of their own.
 *
 * @example `const { pieces, events } = readSessionFile('demo.ndjson');`
 */
export function readSessionFile(path: string): SessionFileText {
  const read = readFileSync(path);
  const bytes = path.endsWith('.gz') || (read[0] === 0x1f && read[1] === 0x8b) ? gunzipSync(read) : read;
  // Latin1 gives each byte its own character: offsets in `latin` are offsets in `bytes`.
  const latin = bytes.toString('latin1');
  const pieces: string[] = [];
  const pastAscii = /[\x80-\xff]/g;
  let start = 0;
  for (let found = pastAscii.exec(latin); found !== null; found = pastAscii.exec(latin)) {
    const lineStart = latin.lastIndexOf('\n', found.index) + 1;
    const newline = latin.indexOf('\n', found.index);
    const lineEnd = newline === -1 ? latin.length : newline + 1;
    if (lineStart > start) pieces.push(latin.slice(start, lineStart));
    pieces.push(bytes.toString('utf8', lineStart, lineEnd));
    start = lineEnd;
    pastAscii.lastIndex = lineEnd;
  }
  if (start < latin.length || pieces.length === 0) pieces.push(start === 0 ? latin : latin.slice(start));
  let events = 0;
  for (let at = latin.indexOf('\n["e",'); at !== -1; at = latin.indexOf('\n["e",', at + 7)) events += 1;
  return {
    pieces,
    events,
    get text() {
      return pieces.join('');
    },
  };
}

/**
 * Reads an exported session into a store, as it was.
 *
 * @example `openSessionFile(store, readSessionFile('demo.ndjson').pieces) // { sessions: 4, events: 253 }`
 */
export function openSessionFile(store: InspectorStore, text: string | readonly string[]): ImportResult {
  return importText(store, text);
}

/** The on-disk store of an inspector started with `dataDir`. */
export interface DataDir {
  /** What was read back at the start. */
  restored: ImportResult;
  /** Writes what is buffered, then closes the file. */
  close(): Promise<void>;
}

/**
 * Keeps the store in `dir` so it survives a restart: what the directory holds is read back
 * first (a last line cut short by a crash is skipped), written again compacted to what the
 * store keeps (its bounds apply on disk too), and from then on every change is appended, in
 * batches every 100 ms.
 *
 * @example `const disk = openDataDir(store, '.inspector'); … await disk.close();`
 */
export function openDataDir(store: InspectorStore, dir: string): DataDir {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, JOURNAL_FILE);
  let restored: ImportResult = { sessions: 0, events: 0 };
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    if (text.trim() !== '') restored = importText(store, text, { tolerateTail: true });
  }
  // Compacted: the file holds what the store keeps, no more.
  const fresh = `${path}.tmp`;
  const encoder = new RecordEncoder();
  writeFileSync(fresh, `${[...exportLines(store, undefined, encoder)].join('\n')}\n`);
  renameSync(fresh, path);
  const out: WriteStream = createWriteStream(path, { flags: 'a' });
  let buffered: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (buffered.length === 0) return;
    out.write(`${buffered.join('\n')}\n`);
    buffered = [];
  };
  store.journal = (record: JournalRecord) => {
    buffered.push(encoder.encode(record));
    if (timer === undefined) {
      timer = setTimeout(flush, FLUSH_MS);
      timer.unref();
    }
  };
  return {
    restored,
    close() {
      store.journal = undefined;
      if (timer !== undefined) clearTimeout(timer);
      flush();
      return new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error == null ? resolve() : reject(error))));
    },
  };
}
