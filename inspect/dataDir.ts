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

/**
 * An exported session's text (`.ndjson`, or `.ndjson.gz`), and how many events it holds (its
 * event lines), to size the store before it is read.
 *
 * @example `const { text, events } = readSessionFile('demo.ndjson');`
 */
export function readSessionFile(path: string): { text: string; events: number } {
  const bytes = readFileSync(path);
  const text = path.endsWith('.gz') || (bytes[0] === 0x1f && bytes[1] === 0x8b) ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  let events = 0;
  for (let at = text.indexOf('\n["e",'); at !== -1; at = text.indexOf('\n["e",', at + 7)) events += 1;
  return { text, events };
}

/**
 * Reads an exported session into a store, as it was.
 *
 * @example `openSessionFile(store, readSessionFile('demo.ndjson').text) // { sessions: 4, events: 253 }`
 */
export function openSessionFile(store: InspectorStore, text: string): ImportResult {
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
