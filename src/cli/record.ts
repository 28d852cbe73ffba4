import { optionalString, type Command } from './command.ts';
import { startInspection } from './inspection.ts';
import { readRunRequest, RUN_OPTIONS, streamRun } from './run.ts';
import { createTerminal } from './terminal.ts';

/**
 * The file a recording goes to: `--out`, else `.recordings/run-<time>.ndjson`; `--gzip` adds
 * `.gz` when the name lacks it (a `.gz` name is always gzipped).
 *
 * @example `recordingPath(undefined, true, new Date(0)) // '.recordings/run-1970-01-01T00-00-00-000Z.ndjson.gz'`
 */
export function recordingPath(out: string | undefined, gzip: boolean, now = new Date()): string {
  const path = out ?? `.recordings/run-${now.toISOString().replace(/[:.]/g, '-')}.ndjson`;
  return gzip && !path.endsWith('.gz') ? `${path}.gz` : path;
}

/** `record`: `run`, saving the stream. */
export const recordCommand: Command = {
  name: 'record',
  summary: 'like run, and save the stream as NDJSON that replay and the official SDK can replay',
  usage: 'record --assistant ID [--out FILE] [--gzip] [--thread ID] [--base-url URL] [--states] [--inspect [WS_URL]] MESSAGE',
  description: [
    'Does what `run` does and saves the stream: exactly the NDJSON of stream.toReadableStream(),',
    'one {"event","data"} object per line, so `assistant-machines replay FILE` and the official',
    "SDK's AssistantStream.fromReadableStream both replay it. When each event arrived goes to a",
    'sidecar FILE without .ndjson[.gz] plus .timing.json, for replays at the recorded pace.',
  ].join('\n'),
  options: {
    ...RUN_OPTIONS,
    out: { type: 'string', value: 'FILE', description: 'where to save (default .recordings/run-<time>.ndjson)' },
    gzip: { type: 'boolean', description: 'gzip the recording (also implied by an --out ending in .gz)' },
  },
  positionals: { min: 1, max: 1, name: 'MESSAGE' },
  async run(args, io) {
    const request = readRunRequest(args, io.env);
    const term = createTerminal(io);
    const path = recordingPath(optionalString(args, 'out'), args.values['gzip'] === true);
    const inspection = await startInspection(optionalString(args, 'inspect'), term);
    const { exitCode, recording } = await streamRun(request, term, { states: args.values['states'] === true, recordTo: path, signal: io.signal, inspect: inspection?.inspect });
    if (recording !== undefined) term.line(term.colors.dim(`recorded ${recording.events} events to ${recording.path} (timing: ${recording.timingPath})`));
    await inspection?.finish(io.signal);
    return exitCode;
  },
};
