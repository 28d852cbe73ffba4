// Sessions that last: exported to a file and opened again (`inspect --open FILE`, a file dropped
// on the page, `POST /api/import`), and kept in a data directory (`inspect --data-dir DIR`) so
// they survive the inspector's restart — a sender reconnecting to the restarted inspector goes
// on with the same actors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, createMachine } from 'xstate';
import { createFrameSender, createInspector, exportLines, importText, InspectorStore, JournalError, createFrameObserver, openSessionFile, readSessionFile, type Inspector } from '../inspect/index.ts';
import { runCli } from '../src/cli/main.ts';
import { AssistantStream } from '../src/index.ts';
import { buildBenchRun } from '../bench/fixture.ts';
import { captureIO } from './helpers/cli.ts';

const test = suite<{ dir: string }>('inspect-sessions');
test.before((context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'inspect-sessions-'));
});
test.after(({ dir }) => rmSync(dir, { recursive: true, force: true }));

const describe = (store: InspectorStore) => ({
  actors: store.actors(),
  events: store.events({ limit: 1000 }),
  state: store.stateAt(store.cursor.nextSeq - 1),
  middle: store.stateAt(Math.floor(store.cursor.nextSeq / 2)),
  sessions: store.sessions(),
  histories: store.actors().map((actor) => store.history(actor.sessionId)),
});

async function streamInto(inspect: Inspector['inspect'], deltas = 300): Promise<void> {
  await AssistantStream.fromSSE(new Response(buildBenchRun({ textDeltas: deltas }).sse).body!, { inspect }).done();
}

test('an exported session opens again exactly as it was: actors, events, every state at every event, histories', async () => {
  const store = new InspectorStore();
  const observe = createFrameObserver((frame) => store.ingest(frame));
  await streamInto(observe);
  await streamInto(observe);
  const text = [...exportLines(store)].join('\n');
  const opened = new InspectorStore();
  assert.equal(importText(opened, text), { sessions: 2, events: store.cursor.nextSeq });
  assert.equal(describe(opened), describe(store));
  // One session alone.
  const [first] = store.sessions();
  const alone = new InspectorStore();
  importText(alone, [...exportLines(store, first!.rootId)].join('\n'));
  assert.equal(alone.sessions().map((session) => session.rootId), [first!.rootId]);
});

test('a file read from disk in pieces (its lines past ASCII decoded apart) opens as its whole text does; a reserved store is the same store', async ({ dir }) => {
  const store = new InspectorStore();
  const observe = createFrameObserver((frame) => store.ingest(frame));
  await streamInto(observe);
  // Events whose text is past ASCII, in two lines apart and at the very end.
  createActor(createMachine({ id: 'übung', initial: 'a', states: { a: { on: { GO: 'b' } }, b: { on: { GO: 'a' } } } }), { inspect: observe })
    .start()
    .send({ type: 'GO', note: 'café … 東京 😀' });
  await streamInto(observe, 20);
  const text = `${[...exportLines(store)].join('\n')}\n`;
  const path = join(dir, 'pieces.ndjson');
  writeFileSync(path, text);
  const file = readSessionFile(path);
  assert.ok(file.pieces.length >= 3, `cut around the lines past ASCII: ${file.pieces.length} pieces`);
  assert.ok(file.pieces.every((piece, index) => index === file.pieces.length - 1 || piece.endsWith('\n')));
  assert.is(file.text, text);
  assert.is(file.events, store.cursor.nextSeq);
  const whole = new InspectorStore();
  importText(whole, text);
  const pieced = new InspectorStore();
  pieced.reserve(file.events);
  assert.equal(openSessionFile(pieced, file.pieces), { sessions: 3, events: store.cursor.nextSeq });
  assert.equal(describe(pieced), describe(whole));
  assert.equal(describe(pieced), describe(store));
  assert.ok(JSON.stringify(pieced.events({ limit: 1000 })).includes('café … 東京 😀'));
  // Pieces cut anywhere (not at a line's end) are joined before they are read.
  const odd = new InspectorStore();
  openSessionFile(odd, [text.slice(0, 101), text.slice(101, 5000), text.slice(5000)]);
  assert.equal(describe(odd), describe(store));
});

test('a file dropped on a busy inspector is added beside its sessions: ids prefixed, events numbered after its own', async () => {
  const source = new InspectorStore();
  await streamInto(createFrameObserver((frame) => source.ingest(frame)));
  const busy = new InspectorStore();
  await streamInto(createFrameObserver((frame) => busy.ingest(frame)), 50);
  const before = busy.cursor.nextSeq;
  const result = importText(busy, [...exportLines(source)].join('\n'), { as: 'added', prefix: 'f1' });
  assert.equal(result, { sessions: 1, events: source.cursor.nextSeq });
  assert.is(busy.cursor.nextSeq, before + source.cursor.nextSeq);
  const added = busy.actors().filter((actor) => actor.sessionId.startsWith('f1/'));
  assert.is(added.length, source.actors().length);
  assert.equal(added.map((actor) => actor.value), source.actors().map((actor) => actor.value));
  assert.is(busy.stateAt(busy.cursor.nextSeq - 1).find((actor) => actor.sessionId.startsWith('f1/') && actor.name === 'message')!.value, 'completed');
});

test('bad files are refused with the line that is wrong; a journal cut short by a crash is read up to its last whole line', () => {
  assert.throws(() => importText(new InspectorStore(), '{"not":"a header"}'), (error: unknown) => error instanceof JournalError && /line 1 is not an inspector session's header/.test(error.message));
  const store = new InspectorStore();
  createActor(createMachine({ id: 'light', initial: 'a', states: { a: { on: { GO: 'b' } }, b: {} } }), { inspect: createFrameObserver((frame) => store.ingest(frame)) })
    .start()
    .send({ type: 'GO' });
  const lines = [...exportLines(store)];
  const eventLine = lines.findIndex((line) => line.startsWith('["e",'));
  assert.throws(() => importText(new InspectorStore(), [...lines.slice(0, eventLine), '["e", 1', ...lines.slice(eventLine)].join('\n')), new RegExp(`line ${eventLine + 1} is not JSON`));
  const cut = [...lines, '["e",9,17000000'].join('\n');
  const restored = new InspectorStore();
  importText(restored, cut, { tolerateTail: true });
  assert.is(restored.actors()[0]!.value, 'b');
});

test('--data-dir: the sessions survive a restart, and a sender that reconnects goes on with the same actors', async ({ dir }) => {
  const dataDir = join(dir, 'data');
  const first = await createInspector({ dataDir, log: () => {} });
  const { port } = first;
  const token = new URL(first.url).searchParams.get('token')!;
  const sender = createFrameSender(first.wsUrl);
  const machine = createMachine({ id: 'counter', initial: 'one', states: { one: { on: { NEXT: 'two' } }, two: { on: { NEXT: 'three' } }, three: { type: 'final' } } });
  const actor = createActor(machine, { inspect: sender.inspect }).start();
  actor.send({ type: 'NEXT' });
  await sender.flush();
  const before = first.store.actors();
  await first.close();
  actor.send({ type: 'NEXT' });
  const second = await createInspector({ dataDir, port, token, log: () => {} });
  try {
    await sender.flush();
    const after = second.store.actors();
    assert.is(after.length, 1, 'the same actor, not a second one');
    assert.is(after[0]!.sessionId, before[0]!.sessionId);
    assert.is(after[0]!.value, 'three');
    assert.equal(second.store.warnings(), []);
    assert.equal(second.store.history(after[0]!.sessionId)!.map((entry) => entry.value), ['one', 'two', 'three']);
  } finally {
    await sender.close();
    await second.close();
  }
});

test('inspect --open FILE shows it; --open of a missing file is a usage error', async ({ dir }) => {
  const store = new InspectorStore();
  await streamInto(createFrameObserver((frame) => store.ingest(frame)));
  const file = join(dir, 'one.ndjson');
  writeFileSync(file, `${[...exportLines(store)].join('\n')}\n`);
  const controller = new AbortController();
  const io = { ...captureIO(), signal: controller.signal };
  const running = runCli(['inspect', '--no-open', '--open', file], io);
  for (let tries = 0; tries < 200 && !io.out().includes('session'); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
  const ui = /^(http:\/\/\S+)$/m.exec(io.out())?.[1];
  assert.ok(ui !== undefined, io.out());
  const url = new URL(ui!);
  const actors = (await (await fetch(`${url.origin}/api/actors${url.search}`)).json()) as Array<{ name: string; value: unknown }>;
  assert.equal(actors.map((actor) => actor.value), store.actors().map((actor) => actor.value));
  assert.match(io.out(), '1 session loaded');
  controller.abort();
  assert.is(await running, 0);
  const missing = captureIO();
  assert.is(await runCli(['inspect', '--no-open', '--open', join(dir, 'nope.ndjson')], missing), 2);
  assert.match(missing.err(), 'no such file');
});

test.run();
