/**
 * Recordings: one stream per file, exactly the NDJSON of `stream.toReadableStream()` (so the
 * official SDK's `AssistantStream.fromReadableStream` replays it too), gzipped when the name
 * ends in `.gz`. When each event arrived, and which events arrived in one chunk, is kept beside
 * it in a small JSON sidecar, because an extra field in the NDJSON would make the file differ
 * from what `toReadableStream()` produces; without the sidecar a recording still replays, only
 * without its pauses and in other chunks.
 *
 * Chunks matter because the stream batches fragments within a chunk, never across two: a replay
 * that feeds the recorded chunks runs the same transitions as the live stream, so an inspector
 * shows it exactly as it showed the live run (docs/design.md, "Recordings keep their chunks").
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import type { AssistantStream } from '../index.ts';

/** The sidecar's format tag; a reader refuses any other. */
export const TIMING_FORMAT = 'assistant-machines.timing/1';

/**
 * The sidecar of a recording: when each NDJSON line arrived, in ms after the first, and (since
 * chunks were recorded; older sidecars lack it) how many lines had arrived at the end of each
 * chunk of bytes the stream read.
 */
export interface RecordingTiming {
  format: typeof TIMING_FORMAT;
  offsetsMs: number[];
  chunkEnds?: number[];
}

/** What {@link recordStream} wrote. */
export interface RecordedFile {
  path: string;
  timingPath: string;
  events: number;
}

/** A recording read back: its NDJSON bytes (decompressed) and, if the sidecar was there, its timing and chunks. */
export interface Recording {
  path: string;
  ndjson: Uint8Array;
  offsetsMs: number[] | undefined;
  chunkEnds: number[] | undefined;
}

/** How {@link replaySource} feeds a recording: at the recorded pace or at once, in the recorded chunks or not. */
export interface ReplayPacing {
  /** When each line arrived (ms after the first): each chunk waits for the time of its last line. */
  offsetsMs?: readonly number[] | undefined;
  /** The line count at the end of each recorded chunk: the lines are fed in those chunks. */
  chunkEnds?: readonly number[] | undefined;
}

const RECORDING_NAME = /\.ndjson(?:\.gz)?$/;
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The sidecar path of a recording: `run.ndjson` and `run.ndjson.gz` both time into `run.timing.json`.
 *
 * @example `timingPathFor('.recordings/1-run.ndjson.gz') // '.recordings/1-run.timing.json'`
 */
export function timingPathFor(path: string): string {
  return `${path.replace(RECORDING_NAME, '')}.timing.json`;
}

/**
 * Writes `stream.toReadableStream()` to `path` (gzipped if it ends in `.gz`), and the arrival
 * time of every event and the chunks they arrived in to the sidecar. Resolves once the stream
 * has ended and both files are written — also when the stream failed: the events before the
 * failure are the recording.
 *
 * @example
 * ```ts
 * const stream = client.beta.threads.runs.stream(threadId, { assistant_id });
 * const recorded = recordStream(stream, '.recordings/run.ndjson');
 * await stream.done();
 * console.log((await recorded).events);
 * ```
 */
export async function recordStream(stream: AssistantStream, path: string): Promise<RecordedFile> {
  // Opened at once, before the first event: toReadableStream() sees only what comes after it.
  const reader = stream.toReadableStream().getReader();
  // The events of one chunk are announced together, before the next chunk is read.
  const chunkEnds: number[] = [];
  const eventsBefore = stream.snapshot().eventCount;
  const stopObserving = stream.observeChunks((eventCount) => {
    const lines = eventCount - eventsBefore;
    if (lines > (chunkEnds.at(-1) ?? 0)) chunkEnds.push(lines);
  });
  const offsetsMs: number[] = [];
  let firstAt: number | undefined;
  async function* lines(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const now = performance.now();
        firstAt ??= now;
        offsetsMs.push(Math.round(now - firstAt));
        yield value;
      }
    } catch {
      // The stream failed or was aborted: it reports that itself; the events so far are kept.
    }
  }
  await mkdir(dirname(path), { recursive: true });
  const file = createWriteStream(path);
  if (path.endsWith('.gz')) await pipeline(Readable.from(lines()), createGzip(), file);
  else await pipeline(Readable.from(lines()), file);
  stopObserving();
  const timingPath = timingPathFor(path);
  const timing: RecordingTiming = { format: TIMING_FORMAT, offsetsMs, chunkEnds: chunkEnds.filter((end) => end <= offsetsMs.length) };
  await writeFile(timingPath, `${JSON.stringify(timing)}\n`);
  return { path, timingPath, events: offsetsMs.length };
}

/**
 * Reads a recording: gunzips it when its bytes say gzip (whatever its name), and reads the
 * timing sidecar if there is one that fits (one offset per line; chunk ends that count up to at
 * most the lines there are). A part of the sidecar that does not fit is left out.
 *
 * @example `const { ndjson, offsetsMs, chunkEnds } = await readRecording('.recordings/run.ndjson.gz');`
 */
export async function readRecording(path: string): Promise<Recording> {
  const raw = await readFile(path);
  const ndjson = raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1] ? gunzipSync(raw) : raw;
  const { offsetsMs, chunkEnds } = await readTiming(timingPathFor(path), ndjsonLines(ndjson).length);
  return { path, ndjson: new Uint8Array(ndjson.buffer, ndjson.byteOffset, ndjson.byteLength), offsetsMs, chunkEnds };
}

async function readTiming(path: string, lineCount: number): Promise<Pick<Recording, 'offsetsMs' | 'chunkEnds'>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return { offsetsMs: undefined, chunkEnds: undefined };
  }
  const timing = parsed as Partial<RecordingTiming> | null;
  if (timing?.format !== TIMING_FORMAT) return { offsetsMs: undefined, chunkEnds: undefined };
  const offsets = timing.offsetsMs;
  const offsetsFit = Array.isArray(offsets) && offsets.length === lineCount && offsets.every((offset, index) => Number.isFinite(offset) && offset >= (offsets[index - 1] ?? 0));
  const ends = timing.chunkEnds;
  const chunksFit =
    Array.isArray(ends) && ends.every((end, index) => Number.isSafeInteger(end) && end > (ends[index - 1] ?? 0) && end <= lineCount);
  return { offsetsMs: offsetsFit ? offsets : undefined, chunkEnds: chunksFit ? ends : undefined };
}

/**
 * The recording as a byte stream for `AssistantStream.fromReadableStream` (ours or the
 * official SDK's). With `chunkEnds`, in the chunks the live stream read; else, with `offsetsMs`,
 * one line per chunk, and without either all in one chunk. With `offsetsMs`, each chunk comes
 * when its last line arrived originally; without, at once.
 *
 * @example `AssistantStream.fromReadableStream(replaySource(recording.ndjson, recording))`
 */
export function replaySource(ndjson: Uint8Array, { offsetsMs, chunkEnds }: ReplayPacing = {}): ReadableStream<Uint8Array> {
  const lines = ndjsonLines(ndjson);
  const chunks =
    chunkEnds !== undefined
      ? chunksOf(lines, chunkEnds)
      : offsetsMs !== undefined
        ? lines.map((line, index) => ({ bytes: line, lastLine: index }))
        : [{ bytes: ndjson, lastLine: lines.length - 1 }];
  const startedAt = performance.now();
  let next = 0;
  return new ReadableStream({
    async pull(controller) {
      if (next >= chunks.length) return controller.close();
      const { bytes, lastLine } = chunks[next]!;
      // Against the clock rather than chunk to chunk, so small delays do not add up.
      const wait = offsetsMs === undefined ? 0 : startedAt + offsetsMs[lastLine]! - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      controller.enqueue(bytes);
      next += 1;
    },
  });
}

/** The lines joined into the recorded chunks; lines after the last recorded end make one more. */
function chunksOf(lines: Uint8Array[], chunkEnds: readonly number[]): Array<{ bytes: Uint8Array; lastLine: number }> {
  const ends = chunkEnds.at(-1) === lines.length ? chunkEnds : [...chunkEnds, lines.length];
  const chunks: Array<{ bytes: Uint8Array; lastLine: number }> = [];
  let start = 0;
  for (const end of ends) {
    if (end <= start) continue;
    const part = lines.slice(start, end);
    const bytes = new Uint8Array(part.reduce((sum, line) => sum + line.length, 0));
    let offset = 0;
    for (const line of part) {
      bytes.set(line, offset);
      offset += line.length;
    }
    chunks.push({ bytes, lastLine: end - 1 });
    start = end;
  }
  return chunks;
}

// Each line with its newline, as toReadableStream() wrote it; a last line without one counts too.
function ndjsonLines(ndjson: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let index = 0; index < ndjson.length; index += 1) {
    if (ndjson[index] !== 0x0a) continue;
    if (index > start) lines.push(ndjson.subarray(start, index + 1));
    start = index + 1;
  }
  if (start < ndjson.length) lines.push(ndjson.subarray(start));
  return lines;
}

/**
 * The recordings a path names: the file itself, or a directory's `*.ndjson` and `*.ndjson.gz`
 * files in name order (a demo writes `1-….ndjson`, `2-….ndjson`, one per stream).
 *
 * @example `await recordingFiles('.recordings/demo-2025-01-01T10-00-00') // ['…/1-runs.stream.ndjson', '…/2-submitToolOutputsStream.ndjson']`
 */
export async function recordingFiles(path: string): Promise<string[]> {
  const found = await stat(path).catch(() => undefined);
  if (found === undefined) throw new Error(`no such file or folder: ${path}`);
  if (!found.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => RECORDING_NAME.test(name));
  return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((name) => join(path, name));
}
