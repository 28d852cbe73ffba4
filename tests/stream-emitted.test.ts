// The rest of the official stream surface: emitted(name), events(name), the ended / errored /
// aborted flags and the controller, each checked against the official SDK on the same input.
import { AssistantStream as OfficialStream } from 'openai/lib/AssistantStream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, type AssistantStreamError } from '../src/index.ts';
import { makeMessage, makeRun, textSource, type ScriptedEvent } from '../src/testing/index.ts';

const delta = (value: string) => ({ id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } });
const EVENTS: ScriptedEvent[] = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  { event: 'thread.message.created', data: makeMessage() },
  { event: 'thread.message.delta', data: delta('Hel') },
  { event: 'thread.message.delta', data: delta('lo') },
  { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'Hello', annotations: [] } }] }) },
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
];
const FAILING: ScriptedEvent[] = [...EVENTS.slice(0, 4), { event: 'error', data: { message: 'boom' } }];
const ndjson = (events: ScriptedEvent[]) => events.map((event) => `${JSON.stringify(event)}\n`).join('');
const ours = (events: ScriptedEvent[]) => AssistantStream.fromReadableStream(textSource(ndjson(events)));
const official = (events: ScriptedEvent[]) => OfficialStream.fromReadableStream(new Response(ndjson(events)).body!);

test('emitted resolves to the single argument, or to the tuple of a multi-argument event', async () => {
  for (const make of [ours, official]) {
    const stream = make(EVENTS);
    const [created, [textDelta, snapshot], run] = await Promise.all([stream.emitted('textCreated'), stream.emitted('textDelta'), stream.emitted('run')]);
    assert.is(created.value, 'Hello', 'the live text snapshot, grown by the time it is read');
    // The official SDK's first delta of a block is the snapshot itself (a documented quirk).
    assert.is(textDelta.value, make === ours ? 'Hel' : 'Hello');
    assert.is(typeof snapshot.value, 'string');
    assert.is(run.status, 'completed');
    await stream.done();
  }
});

test('emitted rejects when the stream fails first, except when waiting for error itself', async () => {
  for (const make of [ours, official]) {
    const stream = make(FAILING);
    const [pending, failure] = await Promise.allSettled([stream.emitted('messageDone'), stream.emitted('error')]);
    assert.is(pending.status, 'rejected');
    assert.is(failure.status, 'fulfilled');
    assert.match(String((failure as PromiseFulfilledResult<Error>).value.message), 'boom');
    await stream.done().catch(() => {});
  }
});

test('events(name) yields argument tuples in order and drains them before the failure', async () => {
  const results: Array<{ values: string[]; failed: boolean }> = [];
  for (const make of [ours, official]) {
    const values: string[] = [];
    let failed = false;
    try {
      for await (const [textDelta] of make(FAILING).events('textDelta')) values.push(textDelta.value ?? '');
    } catch {
      failed = true;
    }
    results.push({ values, failed });
  }
  assert.equal(results[0], { values: ['Hel'], failed: true });
  assert.equal(results[0], results[1]);
});

test('events(name) ends with the stream, and return() removes its listener without aborting', async () => {
  const stream = ours(EVENTS);
  const values: string[] = [];
  for await (const [messageDelta] of stream.events('messageDelta')) values.push((messageDelta.content![0] as { text: { value: string } }).text.value);
  assert.equal(values, ['Hel', 'lo']);

  const early = ours(EVENTS);
  for await (const _ of early.events('textDelta')) break;
  await early.done();
  assert.is(early.aborted, false);
});

test('the flags after a success, a failure and an abort, as the official SDK sets them', async () => {
  const flags = (stream: { ended: boolean; errored: boolean; aborted: boolean }) => [stream.ended, stream.errored, stream.aborted];
  for (const make of [ours, official]) {
    const done = make(EVENTS);
    assert.equal(flags(done), [false, false, false]);
    await done.done();
    assert.equal(flags(done), [true, false, false]);

    const failed = make(FAILING);
    await failed.done().catch(() => {});
    assert.equal(flags(failed), [true, true, false]);

    const aborted = make(EVENTS);
    aborted.abort();
    await aborted.done().catch(() => {});
    assert.equal(flags(aborted), [true, true, true]);
  }
});

test('the controller: aborting it aborts the stream, and abort() aborts it', async () => {
  const viaController = ours(EVENTS);
  viaController.controller.abort();
  const error = (await viaController.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.is(error.kind, 'aborted');

  const viaAbort = ours(EVENTS);
  viaAbort.abort();
  assert.ok(viaAbort.controller.signal.aborted);
  await viaAbort.done().catch(() => {});
});

test('an iterator opened after a failure rejects with it, for events, text and the NDJSON copy', async () => {
  const stream = ours(FAILING);
  const failure = await stream.done().catch((thrown: unknown) => thrown);
  const attempts = [
    (async () => {
      for await (const _ of stream);
    })(),
    (async () => {
      for await (const _ of stream.textDeltas);
    })(),
    new Response(stream.toReadableStream()).text(),
  ];
  for (const attempt of attempts) assert.is(await attempt.then(() => 'ended', (thrown: unknown) => thrown), failure);
});

test.run();
