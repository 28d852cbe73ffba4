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
import type { InspectionEvent } from 'xstate';
import { makeMessage, makeRun, makeRunStep, toNDJSON, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
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
  // Timers never fire early, so a paced replay's lower bound is exact under any load; the replays
  // that must not pause are checked against sidecars so slow (5 s a line) that obeying one would
  // take several times the bound they are held to, however loaded the machine.
  const paced = await timed(false);
  assert.is(paced.code, 0);
  assert.ok(paced.ms >= 290, `paced replay took ${paced.ms} ms`);
  await writeFile(join(dir, 'paced.timing.json'), JSON.stringify({ format: TIMING_FORMAT, offsetsMs: [0, 5_000, 10_000] }));
  const fast = await timed(true);
  assert.ok(fast.ms < 2_500, `fast replay took ${fast.ms} ms: it kept the recorded pace`);
  assert.is(withoutTimes(fast.io.out()), withoutTimes(paced.io.out()));

  await writeFile(join(dir, 'paced.timing.json'), JSON.stringify({ format: TIMING_FORMAT, offsetsMs: [0, 5_000] }));
  const misfit = await timed(false);
  assert.ok(misfit.ms < 2_500, `a misfit sidecar is not used (${misfit.ms} ms)`);
  assert.is(misfit.io.err(), '(no timing sidecar that fits paced.ndjson: replaying without pauses)\n');
});

// A run whose bytes arrive in chunks that cut its fragments into uneven runs, one chunk ending in
// the middle of a frame: a live stream batches the fragments of each chunk.
const toolStep = makeRunStep({ id: 'step_1', type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: [] } });
const stepDelta = (call: object) => ({ event: 'thread.run.step.delta', data: { id: 'step_1', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [call] } } } });
const textDelta = (value: string) => ({ event: 'thread.message.delta', data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } } });
const CHUNKED_RUN: ScriptedEvent[][] = [
  [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.run.step.created', data: toolStep },
    stepDelta({ index: 0, id: 'call_1', type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }),
  ],
  Array.from({ length: 5 }, (_, i) => stepDelta({ index: 0, type: 'code_interpreter', code_interpreter: { input: `x${i} = ${i}\n` } })),
  [stepDelta({ index: 0, type: 'code_interpreter', code_interpreter: { input: 'y = 1\n' } })],
  [
    ...Array.from({ length: 3 }, (_, i) => stepDelta({ index: 0, type: 'code_interpreter', code_interpreter: { input: `z${i} = ${i}\n` } })),
    { event: 'thread.run.step.completed', data: { ...toolStep, status: 'completed' } },
    { event: 'thread.message.created', data: makeMessage() },
    textDelta('He'),
    textDelta('l'),
  ],
  [textDelta('l'), textDelta('o'), { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'Hello', annotations: [] } }] }) }],
  [{ event: 'thread.run.completed', data: makeRun({ status: 'completed' }) }],
];

async function* liveChunks(): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  const texts = CHUNKED_RUN.map((events, index) => toSSE(events, { done: index === CHUNKED_RUN.length - 1 }));
  // The third chunk ends in the middle of its frame, whose rest comes with the fourth.
  const cut = texts[2]!.length - 20;
  texts[3] = texts[2]!.slice(cut) + texts[3]!;
  texts[2] = texts[2]!.slice(0, cut);
  for (const text of texts) yield encoder.encode(text);
}

/** What the stream's actors were sent, batches with their size, and the event counts at its chunk ends. */
function watch(make: (inspect: (event: InspectionEvent) => void) => AssistantStream): { stream: AssistantStream; sent: string[]; chunkEnds: number[] } {
  const sent: string[] = [];
  const stream = make((event) => {
    if (event.type !== '@xstate.event') return;
    const { type, fragments } = event.event as { type: string; fragments?: unknown[] };
    const to = (event.actorRef as unknown as { id: string }).id;
    if (type.includes('delta') || fragments !== undefined) sent.push(`${to} ${fragments === undefined ? type : `${type}×${fragments.length}`}`);
  });
  const chunkEnds: number[] = [];
  stream.observeChunks((eventCount) => chunkEnds.push(eventCount));
  return { stream, sent, chunkEnds };
}

test("a replay feeds the recording in the live stream's chunks, so it batches exactly as the live run did", async ({ dir }) => {
  const path = join(dir, 'chunked.ndjson');
  const live = watch((inspect) => AssistantStream.fromSSE(liveChunks(), { inspect }));
  const recording = recordStream(live.stream, path);
  await live.stream.done();
  assert.is((await recording).events, CHUNKED_RUN.flat().length);
  // The count after each chunk: the third ends inside its only frame, which the fourth completes.
  assert.equal(live.chunkEnds, [4, 9, 9, 17, 20, 21]);
  const liveEnds = [...new Set(live.chunkEnds)];
  assert.ok(live.sent.includes('runStep:step_1 toolCall.fragments×5') && live.sent.includes('message:msg_1 text.fragments×2'), live.sent.join(', '));

  const read = await readRecording(path);
  assert.equal(read.chunkEnds, liveEnds);
  for (const offsetsMs of [undefined, read.offsetsMs]) {
    const replayed = watch((inspect) => AssistantStream.fromReadableStream(replaySource(read.ndjson, { chunkEnds: read.chunkEnds, offsetsMs }), { inspect }));
    await replayed.stream.done();
    assert.equal([...new Set(replayed.chunkEnds)], liveEnds, 'the same chunk boundaries');
    assert.equal(replayed.sent, live.sent, 'the same batches, sent to the same actors in the same order');
  }
  // Without the chunks (a sidecar written before they were kept) a fast replay is one chunk, batched otherwise.
  const unchunked = watch((inspect) => AssistantStream.fromReadableStream(replaySource(read.ndjson), { inspect }));
  await unchunked.stream.done();
  assert.not.equal(unchunked.sent, live.sent);
});

test('chunk ends that do not fit the recording are left out, its offsets kept', async ({ dir }) => {
  const path = join(dir, 'misfit.ndjson');
  await writeFile(path, toNDJSON(CHUNKED_RUN[0]!));
  for (const chunkEnds of [[2, 2, 4], [3, 5], [0, 4], ['2']]) {
    await writeFile(join(dir, 'misfit.timing.json'), JSON.stringify({ format: TIMING_FORMAT, offsetsMs: [0, 1, 2, 3], chunkEnds }));
    const read = await readRecording(path);
    assert.equal([read.offsetsMs, read.chunkEnds], [[0, 1, 2, 3], undefined], JSON.stringify(chunkEnds));
  }
  await writeFile(join(dir, 'misfit.timing.json'), JSON.stringify({ format: TIMING_FORMAT, offsetsMs: [0, 1, 2, 3], chunkEnds: [1, 3] }));
  const read = await readRecording(path);
  assert.equal(read.chunkEnds, [1, 3]);
  // Lines after the last recorded end come as one more chunk.
  const chunks: string[] = [];
  const reader = replaySource(read.ndjson, read).getReader();
  for (let next = await reader.read(); next.done !== true; next = await reader.read()) chunks.push(new TextDecoder().decode(next.value));
  assert.equal(chunks.map((chunk) => chunk.split('\n').length - 1), [1, 2, 1]);
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
