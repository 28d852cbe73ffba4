// Recordings: `record` writes what `replay` and the official SDK's fromReadableStream both
// replay, identically; the timing sidecar paces a replay; a failed stream keeps its events.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AssistantStream as OfficialStream } from 'openai/lib/AssistantStream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli/main.ts';
import { readRecording, recordStream, replaySource, TIMING_FORMAT } from '../src/cli/recording.ts';
import { replayRecordings } from '../src/cli/replay.ts';
import { createTerminal } from '../src/cli/terminal.ts';
import { AssistantsClient, AssistantStream } from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';
import { toNDJSON } from '../src/testing/index.ts';
import { captureIO, withoutTimes } from './helpers/cli.ts';
import { LISTENER_EVENTS } from './helpers/record.ts';

interface Context {
  server: AssistantsServer;
  dir: string;
  recorded: { path: string; printed: string; exitCode: number };
}

const test = suite<Context>('cli recording');

test.before(async (context) => {
  context.server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  context.dir = await mkdtemp(join(tmpdir(), 'assistant-machines-rec-'));
  // A run with every kind of step: code, search with a citation, and text.
  const client = new AssistantsClient({ baseURL: context.server.url, apiKey: 'test' });
  const store = await client.vectorStores.create({ name: 'docs' });
  await client.vectorStores.files.uploadAndPoll(store.id, new File(['Refunds are paid within 14 days.'], 'faq.md'), { pollIntervalMs: 5 });
  const assistant = await client.beta.assistants.create({
    model: 'scripted',
    tools: [{ type: 'code_interpreter' }, { type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [store.id] } },
  });
  const io = captureIO({ OPENAI_BASE_URL: context.server.url, OPENAI_API_KEY: 'test' });
  const path = join(context.dir, 'run.ndjson.gz');
  const exitCode = await runCli(['record', '--assistant', assistant.id, '--out', path, 'What is 12 * 12, and when are refunds paid according to the FAQ file?'], io);
  context.recorded = { path, printed: io.out(), exitCode };
});

test.after(async ({ server, dir }) => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('record saves exactly the NDJSON of toReadableStream(), gzipped for a .gz name, with a timing sidecar', async ({ recorded }) => {
  assert.is(recorded.exitCode, 0);
  const raw = await readFile(recorded.path);
  assert.equal([raw[0], raw[1]], [0x1f, 0x8b], 'gzip');
  const lines = gunzipSync(raw).toString('utf8').split('\n');
  assert.is(lines.pop(), '', 'every line ends with a newline');
  for (const line of lines) assert.equal(Object.keys(JSON.parse(line) as object), ['event', 'data']);
  const timing = JSON.parse(await readFile(recorded.path.replace(/\.ndjson\.gz$/, '.timing.json'), 'utf8')) as { format: string; offsetsMs: number[] };
  assert.is(timing.format, TIMING_FORMAT);
  assert.is(timing.offsetsMs.length, lines.length);
  assert.ok(timing.offsetsMs.every((offset, index) => offset >= (timing.offsetsMs[index - 1] ?? 0)));
  assert.match(recorded.printed, `\nrecorded ${lines.length} events to ${recorded.path} (timing: `);
  assert.match(recorded.printed, 'assistant > code_interpreter\nprint(12 * 12)');
  assert.match(recorded.printed, 'assistant > file_search');
  assert.match(recorded.printed, '【0:0†source】 cites file file-');
});

test('replay prints a recording exactly as record printed the live stream', async ({ recorded }) => {
  const io = captureIO();
  assert.is(await runCli(['replay', '--fast', recorded.path], io), 0);
  const live = recorded.printed.split('\n').slice(1).filter((line) => !line.startsWith('recorded ')).join('\n');
  assert.is(withoutTimes(io.out()), withoutTimes(live));
  assert.is(io.err(), '');
});

test("the official SDK's fromReadableStream replays the recording with the same callbacks and finals as ours", async ({ recorded }) => {
  const { ndjson } = await readRecording(recorded.path);
  const ours = await observe(AssistantStream.fromReadableStream(replaySource(ndjson)));
  const official = await observe(OfficialStream.fromReadableStream(replaySource(ndjson)) as unknown as Observable);
  assert.is(ours.failed, false);
  assert.is(official.failed, false);
  assert.equal(ours.finals, official.finals);
  assert.is((ours.finals[0] as { status: string }).status, 'completed');
  // Argument lists per callback; the order across callbacks differs only where docs/compatibility.md says.
  for (const name of LISTENER_EVENTS) assert.equal(byName(ours.log, name), byName(official.log, name), name);
  assert.ok(byName(ours.log, 'textDelta').length > 0 && byName(ours.log, 'toolCallDelta').length > 0);
});

test('a replay keeps the recorded pace unless --fast; a sidecar that does not fit is ignored with a note', async ({ dir }) => {
  const events = [
    { event: 'thread.run.created', data: run('queued') },
    { event: 'thread.run.in_progress', data: run('in_progress') },
    { event: 'thread.run.completed', data: run('completed') },
  ];
  const path = join(dir, 'paced.ndjson');
  await writeFile(path, toNDJSON(events));
  await writeFile(join(dir, 'paced.timing.json'), JSON.stringify({ format: TIMING_FORMAT, offsetsMs: [0, 150, 300] }));
  const timed = async (fast: boolean) => {
    const io = captureIO();
    const startedAt = performance.now();
    const code = await replayRecordings(path, createTerminal(io), { fast });
    return { code, ms: performance.now() - startedAt, io };
  };
  const paced = await timed(false);
  assert.is(paced.code, 0);
  assert.ok(paced.ms >= 290, `paced replay took ${paced.ms} ms`);
  const fast = await timed(true);
  assert.ok(fast.ms < paced.ms - 200, `fast replay took ${fast.ms} ms`);
  assert.is(withoutTimes(fast.io.out()), withoutTimes(paced.io.out()));

  await writeFile(join(dir, 'paced.timing.json'), JSON.stringify({ format: TIMING_FORMAT, offsetsMs: [0, 150] }));
  const misfit = await timed(false);
  assert.ok(misfit.ms < 150, `a misfit sidecar is not used (${misfit.ms} ms)`);
  assert.is(misfit.io.err(), '(no timing sidecar that fits paced.ndjson: replaying without pauses)\n');
});

test('recording a stream that fails keeps the events it had; replaying it exits 1', async ({ dir }) => {
  const path = join(dir, 'broken.ndjson');
  const stream = AssistantStream.fromReadableStream(replaySource(new TextEncoder().encode(toNDJSON([{ event: 'thread.run.created', data: run('queued') }]))));
  const recording = await recordStream(stream, path);
  assert.is(recording.events, 1);
  assert.is((await readFile(path, 'utf8')).split('\n').length, 2);
  const io = captureIO();
  assert.is(await replayRecordings(path, createTerminal(io), { fast: true }), 1);
  assert.match(io.err(), /^stream failed: /);
});

type Entry = [name: string, args: unknown[]];
interface Observable {
  on(name: string, listener: (...args: unknown[]) => void): unknown;
  done(): Promise<void>;
  finalRun(): Promise<unknown>;
  finalMessages(): Promise<unknown>;
  finalRunSteps(): Promise<unknown>;
}

async function observe(stream: Observable): Promise<{ log: Entry[]; finals: unknown[]; failed: boolean }> {
  const log: Entry[] = [];
  for (const name of LISTENER_EVENTS) stream.on(name, (...args) => log.push([name, structuredClone(args)]));
  const failed = await stream.done().then(
    () => false,
    () => true,
  );
  return { log, finals: failed ? [] : [await stream.finalRun(), await stream.finalMessages(), await stream.finalRunSteps()], failed };
}

const byName = (log: Entry[], name: string) => log.filter(([entry]) => entry === name).map(([, args]) => args);

function run(status: string) {
  return { id: 'run_1', object: 'thread.run', thread_id: 'thread_1', status };
}

test.run();
