/**
 * Recordings: one stream per file, exactly the NDJSON of `stream.toReadableStream()` (so the
 * official SDK's `AssistantStream.fromReadableStream` replays it too), gzipped when the name
 * ends in `.gz`. When each event arrived is kept beside it, in a small JSON sidecar, because
 * an extra field in the NDJSON would make the file differ from what `toReadableStream()`
 * produces; without the sidecar a recording still replays, only without its pauses.
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

/** The sidecar of a recording: when each NDJSON line arrived, in ms after the first. */
export interface RecordingTiming {
  format: typeof TIMING_FORMAT;
  offsetsMs: number[];
}

/** What {@link recordStream} wrote. */
export interface RecordedFile {
  path: string;
  timingPath: string;
  events: number;
}

/** A recording read back: its NDJSON bytes (decompressed) and, if the sidecar was there, its timing. */
export interface Recording {
  path: string;
  ndjson: Uint8Array;
  offsetsMs: number[] | undefined;
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
 * Writes `stream.toReadableStream()` to `path` (gzipped if it ends in `.gz`) and the arrival
 * time of every event to the sidecar. Resolves once the stream has ended and both files are
 * written — also when the stream failed: the events before the failure are the recording.
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
  const timingPath = timingPathFor(path);
  const timing: RecordingTiming = { format: TIMING_FORMAT, offsetsMs };
  await writeFile(timingPath, `${JSON.stringify(timing)}\n`);
  return { path, timingPath, events: offsetsMs.length };
}

/**
 * Reads a recording: gunzips it when its bytes say gzip (whatever its name), and reads the
 * timing sidecar if there is one that fits (one offset per line).
 *
 * @example `const { ndjson, offsetsMs } = await readRecording('.recordings/run.ndjson.gz');`
 */
export async function readRecording(path: string): Promise<Recording> {
  const raw = await readFile(path);
  const ndjson = raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1] ? gunzipSync(raw) : raw;
  const offsetsMs = await readTiming(timingPathFor(path), ndjsonLines(ndjson).length);
  return { path, ndjson: new Uint8Array(ndjson.buffer, ndjson.byteOffset, ndjson.byteLength), offsetsMs };
}

async function readTiming(path: string, lineCount: number): Promise<number[] | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  const timing = parsed as Partial<RecordingTiming> | null;
  if (timing?.format !== TIMING_FORMAT || !Array.isArray(timing.offsetsMs)) return undefined;
  const offsets = timing.offsetsMs;
  const valid = offsets.length === lineCount && offsets.every((offset, index) => Number.isFinite(offset) && offset >= (offsets[index - 1] ?? 0));
  return valid ? offsets : undefined;
}

/**
 * The recording as a byte stream for `AssistantStream.fromReadableStream` (ours or the
 * official SDK's): all at once, or — given offsets — each line when it arrived originally.
 *
 * @example `AssistantStream.fromReadableStream(replaySource(recording.ndjson, recording.offsetsMs))`
 */
export function replaySource(ndjson: Uint8Array, offsetsMs?: readonly number[]): ReadableStream<Uint8Array> {
  if (offsetsMs === undefined) {
    return new ReadableStream({
      start(controller) {
        controller.enqueue(ndjson);
        controller.close();
      },
    });
  }
  const lines = ndjsonLines(ndjson);
  const startedAt = performance.now();
  let next = 0;
  return new ReadableStream({
    async pull(controller) {
      if (next >= lines.length) return controller.close();
      // Against the clock rather than line to line, so small delays do not add up.
      const wait = startedAt + offsetsMs[next]! - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      controller.enqueue(lines[next]!);
      next += 1;
    },
  });
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
