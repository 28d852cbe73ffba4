// The other ways to consume a stream: iterating events or text, NDJSON round trips (also
// through the official SDK), the finals, the current* accessors, and abort.
import { AssistantStream as OfficialStream } from 'openai/lib/AssistantStream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, type AssistantStreamError, isStreamEvent } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

const delta = (value: string) => ({ id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } });
const EVENTS: ScriptedEvent[] = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  { event: 'thread.run.step.created', data: makeRunStep() },
  { event: 'thread.message.created', data: makeMessage() },
  { event: 'thread.message.delta', data: delta('Hel') },
  { event: 'thread.message.delta', data: delta('') },
  { event: 'thread.message.delta', data: delta('lo') },
  { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'Hello', annotations: [] } }] }) },
  { event: 'thread.run.step.completed', data: makeRunStep({ status: 'completed' }) },
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
];
const fromEvents = (events = EVENTS) => AssistantStream.fromSSE(textSource(toSSE(events)));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

test('for await yields every event as { event, data }, unchanged by later accumulation', async () => {
  const events = await collect(fromEvents());
  assert.equal(events, EVENTS);
});

test('isStreamEvent narrows an event by its name, and never matches an unknown one', async () => {
  const texts: string[] = [];
  let unknown = 0;
  const events = [...EVENTS.slice(0, 4), { event: 'thread.future', data: { delta: 1 } }, ...EVENTS.slice(4)];
  for await (const event of fromEvents(events)) {
    if (isStreamEvent(event, 'thread.message.delta')) {
      const [part] = event.data.delta.content ?? [];
      texts.push(part?.type === 'text' ? (part.text?.value ?? '') : '?');
    }
    if (!isStreamEvent(event, event.event as 'thread.run.created') && event.event === 'thread.future') unknown++;
  }
  assert.equal(texts, ['Hel', '', 'lo']);
  assert.is(unknown, 1);
});

test('textDeltas yields the text of each non-empty delta', async () => {
  assert.equal(await collect(fromEvents().textDeltas), ['Hel', 'lo']);
});

test('two iterators and a listener all see everything', async () => {
  const stream = fromEvents();
  const heard: string[] = [];
  stream.on('event', ({ event }) => heard.push(event));
  const [a, b] = await Promise.all([collect(stream), collect(stream.textDeltas)]);
  assert.is(a.length, EVENTS.length);
  assert.equal(b, ['Hel', 'lo']);
  assert.is(heard.length, EVENTS.length);
});

test('breaking out of the loop aborts the stream and releases the source', async () => {
  let released = false;
  const source = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(new TextEncoder().encode(toSSE(EVENTS.slice(0, 5), { done: false }))),
    cancel: () => {
      released = true;
    },
  });
  const stream = AssistantStream.fromSSE(source);
  for await (const text of stream.textDeltas) {
    assert.is(text, 'Hel');
    break;
  }
  const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.is(error.kind, 'aborted');
  assert.ok(released);
});

test('an iterator over a failing stream yields what arrived, then rejects once', async () => {
  const stream = AssistantStream.fromSSE(textSource(toSSE(EVENTS.slice(0, 5), { done: false }), 'event: error\ndata: {"message":"boom"}\n\n'));
  const seen: string[] = [];
  const error = await (async () => {
    try {
      for await (const { event } of stream) seen.push(event);
    } catch (thrown) {
      return thrown as AssistantStreamError;
    }
    return undefined;
  })();
  assert.is(error?.kind, 'api-error');
  assert.is(seen.length, 6, 'the five events and the error event');
});

test('toReadableStream → fromReadableStream replays the same callbacks, ours and the official SDK', async () => {
  const original = fromEvents();
  const ndjson = await new Response(original.toReadableStream()).text();
  assert.is(ndjson, `${EVENTS.map((event) => JSON.stringify(event)).join('\n')}\n`);

  const replayed = AssistantStream.fromReadableStream(textSource(ndjson));
  const official = OfficialStream.fromReadableStream(new Response(ndjson).body!);
  const texts: string[] = [];
  replayed.on('textDone', (text) => texts.push(`ours:${text.value}`));
  official.on('textDone', (text) => texts.push(`official:${text.value}`));
  await Promise.all([replayed.done(), official.done()]);
  assert.equal(texts.sort(), ['official:Hello', 'ours:Hello']);
  assert.equal(await replayed.finalRun(), await official.finalRun());

  const fromOfficial = AssistantStream.fromReadableStream(OfficialStream.fromReadableStream(new Response(ndjson).body!).toReadableStream());
  assert.equal(await fromOfficial.finalMessages(), await replayed.finalMessages());
});

test('for await and toReadableStream() yield copies taken at emission: an event listener editing its events later changes none of them, as in the official SDK', async () => {
  const FIVE: ScriptedEvent[] = [EVENTS[0]!, EVENTS[3]!, EVENTS[4]!, EVENTS[7]!, EVENTS[9]!];
  const official = (events: ScriptedEvent[]) => OfficialStream.fromReadableStream(new Response(events.map((e) => `${JSON.stringify(e)}\n`).join('')).body!);
  for (const [who, make] of [
    ['official', official],
    ['ours', fromEvents],
  ] as const) {
    const stream = make(FIVE) as AssistantStream;
    const handed: Array<{ data: Record<string, unknown> }> = [];
    stream.on('event', (event) => void handed.push(event as never));
    // Both opened before the first event, read only after the listener's edits.
    const iterator = stream[Symbol.asyncIterator]();
    const ndjson = stream.toReadableStream();
    await stream.done();
    for (const event of handed) event.data['id'] = 'edited';
    const iterated: unknown[] = [];
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) iterated.push(next.value);
    const serialized = (await new Response(ndjson).text()).trim().split('\n').map((line) => JSON.parse(line) as unknown);
    const edited = (values: unknown[]) => values.filter((value) => (value as { data: { id: string } }).data.id === 'edited').length;
    assert.is(handed.length, 5, who);
    assert.equal([iterated.length, edited(iterated)], [5, 0], `${who}: for await`);
    assert.equal([serialized.length, edited(serialized)], [5, 0], `${who}: toReadableStream()`);
    assert.equal(iterated, FIVE, who);
  }
});

test('finals: the run, the messages and steps in order of appearance', async () => {
  const stream = fromEvents();
  assert.is((await stream.finalRun()).status, 'completed');
  assert.equal((await stream.finalMessages()).map((message) => message.id), ['msg_1']);
  assert.equal((await stream.finalRunSteps()).map((step) => step.status), ['completed']);
});

test('current* accessors follow the stream as it goes', async () => {
  const stream = fromEvents();
  const seen: string[] = [];
  stream.on('textDelta', () => {
    seen.push(`${stream.currentEvent()?.event}|${stream.currentRun()?.status}|${stream.currentMessageSnapshot()?.id}|${stream.currentRunStepSnapshot()?.id}`);
  });
  stream.on('messageDone', () => seen.push(`during messageDone: ${stream.currentMessageSnapshot()?.status}`));
  stream.on('runStepCreated', () => seen.push(`before the message: ${stream.currentMessageSnapshot()?.id}`));
  await stream.done();
  assert.equal(seen, [
    'before the message: undefined',
    'thread.message.delta|in_progress|msg_1|step_1',
    'thread.message.delta|in_progress|msg_1|step_1',
    'thread.message.delta|in_progress|msg_1|step_1',
    'during messageDone: completed',
  ]);
  assert.is(stream.currentMessageSnapshot(), undefined);
  assert.is(stream.currentRunStepSnapshot(), undefined);
  assert.is(stream.currentRun()?.status, 'completed');
});

test('abort(): abort then end, done() rejects with kind aborted, what arrived stays readable', async () => {
  const source = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new TextEncoder().encode(toSSE(EVENTS.slice(0, 5), { done: false }))) });
  const stream = AssistantStream.fromSSE(source);
  const log: string[] = [];
  stream.on('abort', (error) => log.push(`abort:${error.kind}`));
  stream.on('error', () => log.push('error'));
  stream.on('end', () => log.push('end'));
  stream.on('textDelta', () => stream.abort('enough'));
  const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.is(error.kind, 'aborted');
  assert.is(error.cause, 'enough');
  assert.equal(log, ['abort:aborted', 'end']);
  assert.is(stream.snapshot().status, 'aborted');
  assert.is(stream.snapshot().messages[0]?.content[0]?.type, 'text');
});

test('a signal aborts the stream, also one that is aborted already', async () => {
  const controller = new AbortController();
  const pending = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode(toSSE(EVENTS.slice(0, 3), { done: false }))) });
  const stream = AssistantStream.fromSSE(pending, { signal: controller.signal });
  stream.on('connect', () => controller.abort(new Error('user left')));
  assert.is(((await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError).kind, 'aborted');

  const early = AssistantStream.fromSSE(textSource(toSSE(EVENTS)), { signal: AbortSignal.abort() });
  const log: string[] = [];
  early.on('connect', () => log.push('connect'));
  assert.is(((await early.done().catch((thrown: unknown) => thrown)) as AssistantStreamError).kind, 'aborted');
  assert.equal(log, [], 'nothing was read');
});

test('stream.actor is the root actor: its children are the run, the steps and the messages', async () => {
  const stream = fromEvents();
  const ids: string[] = [];
  stream.on('messageDelta', () => {
    if (ids.length === 0) ids.push(...Object.keys(stream.actor.getSnapshot().children));
  });
  await stream.done();
  assert.equal(ids.sort(), ['message:msg_1', 'run:run_1', 'runStep:step_1', 'source']);
  assert.is(stream.actor.getSnapshot().status, 'done');
  assert.equal(stream.actor.getSnapshot().value, 'done');
});

test.run();
