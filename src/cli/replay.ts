import type { InspectionEvent } from 'xstate';
import { basename } from 'node:path';
import { AssistantStream } from '../index.ts';
import { optionalString, type Command } from './command.ts';
import { both, INSPECT_OPTION, startInspection } from './inspection.ts';
import { StateJournal } from './journal.ts';
import { TranscriptPrinter } from './printer.ts';
import { readRecording, recordingFiles, replaySource } from './recording.ts';
import { formatHistories, printOutcome, settleStream } from './summary.ts';
import { createTerminal, type Terminal } from './terminal.ts';

/** Options of {@link replayRecordings}. */
export interface ReplayOptions {
  /** Feed every event at once instead of at the recorded pace. */
  fast?: boolean;
  /** Also print the states each statechart went through. */
  states?: boolean;
  signal?: AbortSignal | undefined;
  /** Also an inspection observer of every stream (an inspector's `inspect`). */
  inspect?: ((event: InspectionEvent) => void) | undefined;
}

/**
 * Replays recordings through the statecharts and prints them as `run` prints a live stream:
 * `path` is one recording, or a folder of them (a demo's streams, in order). Each file is fed
 * to `AssistantStream.fromReadableStream` in the chunks the live stream read and at its
 * recorded pace (both from the timing sidecar), or without pauses with `fast` or without a
 * sidecar. Resolves with the exit code: 1 if any stream
 * failed or its run did not complete or stop for tool outputs.
 *
 * @example `process.exitCode = await replayRecordings('.recordings/run.ndjson', term, { fast: true });`
 */
export async function replayRecordings(path: string, term: Terminal, options: ReplayOptions = {}): Promise<number> {
  const files = await recordingFiles(path);
  if (files.length === 0) throw new Error(`no recordings (*.ndjson, *.ndjson.gz) in ${path}`);
  let exitCode = 0;
  for (const file of files) {
    if (files.length > 1) term.line(term.colors.dim(`── ${basename(file)}`));
    const recording = await readRecording(file);
    if (recording.offsetsMs === undefined && options.fast !== true) {
      term.error(`(no timing sidecar that fits ${basename(file)}: replaying without pauses)`);
    }
    const startedAt = performance.now();
    const journal = new StateJournal();
    // In the chunks the live stream read, so it batches (and an inspector shows) what the live run did.
    const pacing = { chunkEnds: recording.chunkEnds, offsetsMs: options.fast === true ? undefined : recording.offsetsMs };
    const stream = AssistantStream.fromReadableStream(replaySource(recording.ndjson, pacing), {
      handler: new TranscriptPrinter(term),
      inspect: both(options.states === true ? journal.inspect : undefined, options.inspect),
      signal: options.signal,
    });
    exitCode = Math.max(exitCode, printOutcome(term, await settleStream(stream), startedAt));
    if (options.states === true) for (const line of formatHistories(journal.histories(), term.colors)) term.line(`  ${line}`);
  }
  return exitCode;
}

/** `replay`: feed a recording through the machines. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'feed a recording through the statecharts and print it as run would',
  usage: 'replay [--fast] [--states] [--inspect [WS_URL]] FILE|DIR',
  description: [
    'Reads a recording (NDJSON of stream.toReadableStream(), gzipped or not) and feeds it through',
    'AssistantStream.fromReadableStream, printing it as `run` prints a live stream: at the recorded',
    'pace (from the .timing.json sidecar) or, with --fast, at once. A folder replays each of its',
    '*.ndjson[.gz] files in order (a demo records one file per stream).',
  ].join('\n'),
  options: {
    fast: { type: 'boolean', description: 'no pauses: print the whole recording at once' },
    states: { type: 'boolean', description: 'also print the states each statechart went through' },
    inspect: INSPECT_OPTION,
  },
  positionals: { min: 1, max: 1, name: 'FILE (a recording, or a folder of them)' },
  async run(args, io) {
    const term = createTerminal(io);
    const inspection = await startInspection(optionalString(args, 'inspect'), term);
    const exitCode = await replayRecordings(args.positionals[0]!, term, {
      fast: args.values['fast'] === true,
      states: args.values['states'] === true,
      signal: io.signal,
      inspect: inspection?.inspect,
    });
    await inspection?.finish(io.signal);
    return exitCode;
  },
};
