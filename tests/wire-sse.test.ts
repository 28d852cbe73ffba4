// SSE decoding under hostile chunking, and the framing rules: comments, [DONE], unknown events.
import OpenAI from 'openai';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, AssistantStreamError } from '../src/index.ts';
import { byteChunks, makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
import { createSSEDecoder } from '../src/wire/index.ts';
import { fakeFetch } from './helpers/fakeFetch.ts';

const MULTIBYTE = 'héllo — 日本語 👩‍👩‍👧 ✓';

function multibyteRun(): ScriptedEvent[] {
  const delta = (index: number, value: string) => ({ id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index, type: 'text', text: { value } }] } });
  return [
    { event: 'thread.run.created', data: makeRun() },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.run.step.created', data: makeRunStep() },
    { event: 'thread.message.created', data: makeMessage() },
    ...[...MULTIBYTE].map((char) => ({ event: 'thread.message.delta', data: delta(0, char) })),
    { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: MULTIBYTE, annotations: [] } }] }) },
    { event: 'thread.run.step.completed', data: makeRunStep({ status: 'completed' }) },
    { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
  ];
}

async function streamedText(stream: AssistantStream): Promise<string> {
  let text = '';
  stream.on('textDelta', (delta) => (text += delta.value ?? ''));
  await stream.done();
  return text;
}

for (const size of [1, 2, 3, 5, 7, 64]) {
  test(`${size}-byte chunks split UTF-8 characters and CRLF pairs, and change nothing`, async () => {
    const crlf = toSSE(multibyteRun()).replaceAll('\n', '\r\n');
    assert.is(await streamedText(AssistantStream.fromSSE(byteChunks(crlf, size))), MULTIBYTE);
  });
}

test('bare CR line endings decode too', async () => {
  const cr = toSSE(multibyteRun()).replaceAll('\n', '\r');
  assert.is(await streamedText(AssistantStream.fromSSE(byteChunks(cr, 3))), MULTIBYTE);
});

test('a leading byte-order mark is ignored', async () => {
  assert.is(await streamedText(AssistantStream.fromSSE(textSource(`\uFEFF${toSSE(multibyteRun())}`))), MULTIBYTE);
});

test('comments, retry and id fields are ignored', async () => {
  const noisy = toSSE(multibyteRun()).replaceAll('event: ', ': keep-alive\nid: 7\nretry: 1000\nevent: ');
  assert.is(await streamedText(AssistantStream.fromSSE(textSource(': ping\n\n', noisy))), MULTIBYTE);
});

test('data: [DONE] ends the stream whatever follows, and whatever its event name', async () => {
  const events = multibyteRun();
  const sse = `${toSSE(events, { done: false })}event: anything\ndata: [DONE]\n\ngarbage that is not SSE\n\nevent: error\ndata: {"message":"late"}\n\n`;
  let cancelled = false;
  const source = (async function* () {
    try {
      yield sse;
      yield 'more';
    } finally {
      cancelled = true;
    }
  })();
  const stream = AssistantStream.fromSSE(source);
  assert.is(await streamedText(stream), MULTIBYTE);
  assert.is((await stream.finalRun()).status, 'completed');
  assert.ok(cancelled, 'the source is released once [DONE] arrives');
});

// Issue 27, item 5: a frame that starts as the marker but says more is not the marker. The
// official SDK (the oracle) rejects each of these (their data is not JSON); the Python SDK
// would end the stream at any data starting with [DONE], and we must not end it either way.
for (const [what, frame] of [
  ['`event: done` with [DONE] and another data line', 'event: done\ndata: [DONE]\ndata: more\n\n'],
  ['`event: done` with [DONE] and a trailing space', 'event: done\ndata: [DONE] \n\n'],
  ['another name with [DONE] and another data line', 'event: anything\ndata: [DONE]\ndata: {}\n\n'],
] as const) {
  test(`${what} neither ends the stream nor passes as an event: it fails it, as the official SDK does`, async () => {
    const events = multibyteRun();
    const last = events.pop()!;
    // The frame comes before the run completes: ending there would lose the completion.
    const sse = `${toSSE(events, { done: false })}${frame}${toSSE([last])}`;
    const official = new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, logLevel: 'off', fetch: fakeFetch(() => new Response(sse, { headers: { 'content-type': 'text/event-stream' } })).fetch });
    const theirs = await official.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }).done().then(() => 'done', () => 'failed');
    assert.is(theirs, 'failed', 'the oracle refuses it');

    const stream = AssistantStream.fromSSE(textSource(sse));
    const heard: string[] = [];
    stream.on('event', (event) => heard.push(event.event));
    const ours = await stream.done().then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.instance(ours, AssistantStreamError);
    assert.is((ours as AssistantStreamError).kind, 'sse');
    assert.is((ours as AssistantStreamError).eventIndex, events.length + 1, 'it names the frame');
    assert.not.ok(heard.includes('done') || heard.includes('anything'), 'no listener heard it as an event');
    assert.is(stream.currentRun()?.status, 'in_progress', 'what came before stays readable');
  });
}

test('`event: done` with exactly [DONE] ends the stream, as the embedded server and the API send it', async () => {
  const stream = AssistantStream.fromSSE(textSource(`${toSSE(multibyteRun(), { done: false })}event: done\ndata: [DONE]\n\n`));
  assert.is(await streamedText(stream), MULTIBYTE);
});

test('a stream may end without [DONE] once the run is final', async () => {
  assert.is(await streamedText(AssistantStream.fromSSE(textSource(toSSE(multibyteRun(), { done: false })))), MULTIBYTE);
});

test('unknown event names reach the event listeners only, with their data', async () => {
  const events = multibyteRun();
  events.splice(2, 0, { event: 'thread.run.future_thing', data: { id: 'x', shiny: true } });
  const sse = toSSE(events).replace('event: thread.run.step.created', 'event: ping\ndata: not json\n\nevent: thread.run.step.created');
  const stream = AssistantStream.fromSSE(textSource(sse));
  const seen: unknown[] = [];
  stream.on('event', (event) => {
    if (event.event === 'thread.run.future_thing' || event.event === 'ping') seen.push(event);
  });
  assert.is(await streamedText(stream), MULTIBYTE);
  assert.equal(seen, [
    { event: 'thread.run.future_thing', data: { id: 'x', shiny: true } },
    { event: 'ping', data: 'not json' },
  ]);
});

test('unknown fields and unknown content types pass through to the snapshots', async () => {
  const events: ScriptedEvent[] = [
    { event: 'thread.run.created', data: { ...makeRun(), brand_new_field: { nested: 1 } } },
    { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
    { event: 'thread.message.created', data: makeMessage() },
    { event: 'thread.message.delta', data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'hologram', hologram: { frames: 3 } }] } } },
    { event: 'thread.run.completed', data: { ...makeRun({ status: 'completed' }), brand_new_field: { nested: 2 } } },
  ];
  const stream = AssistantStream.fromSSE(textSource(toSSE(events)));
  await stream.done();
  assert.equal((await stream.finalRun())['brand_new_field'], { nested: 2 });
  assert.equal((await stream.finalMessages())[0]!.content, [{ index: 0, type: 'hologram', hologram: { frames: 3 } }] as never);
});

test('every source kind reads the same: Response, ReadableStream, async iterable of bytes or strings', async () => {
  const sse = toSSE(multibyteRun());
  const bytes = new TextEncoder().encode(sse);
  const readable = () => new ReadableStream<Uint8Array>({
    start: (c) => {
      c.enqueue(bytes);
      c.close();
    },
  });
  const sources = [new Response(readable(), { headers: { 'content-type': 'text/event-stream' } }), readable(), byteChunks(sse, 9), textSource(sse), Promise.resolve(readable())];
  for (const source of sources) assert.is(await streamedText(AssistantStream.fromSSE(source)), MULTIBYTE);
});

test('a source of the wrong type is refused at once', () => {
  assert.throws(() => AssistantStream.fromSSE('event: x\n\n' as never), /a stream source must be/);
});

test('the decoder reports frames and [DONE] as it is fed', () => {
  const frames: Array<[string | undefined, string]> = [];
  const decoder = createSSEDecoder((name, data) => frames.push([name, data]));
  assert.is(decoder.feed('event: a\ndata: 1\n\nevent: b\ndata: 2\nda'), false);
  assert.is(decoder.feed('ta: 3\n\n'), false);
  assert.is(decoder.feed('data: [DONE]\n\nevent: c\ndata: 4\n\n'), true);
  decoder.finish();
  assert.equal(frames, [['a', '1'], ['b', '2\n3']]);
});

test.run();
