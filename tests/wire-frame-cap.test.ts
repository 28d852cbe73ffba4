import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, AssistantStreamError, MAX_FRAME_LENGTH, createNDJSONDecoder, createSSEDecoder, type FrameDecoder } from '../src/index.ts';
import { makeMessage, makeRun, toNDJSON, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

// An event that never ends must not grow memory without bound: both decoders stop at a cap
// with a typed `too-large` error, and what arrived before stays readable.

function failure(run: () => unknown): AssistantStreamError {
  try {
    run();
  } catch (error) {
    assert.instance(error, AssistantStreamError);
    return error as AssistantStreamError;
  }
  throw new assert.Assertion({ message: 'expected a too-large error', generated: false, operator: 'throws', expects: 'an error', actual: 'nothing thrown' });
}

const feedAll = (decoder: FrameDecoder, chunks: string[]) => {
  for (const chunk of chunks) decoder.feed(chunk);
};

test('SSE: a data line that never ends, fed in pieces, is too-large past the cap', () => {
  const frames: string[] = [];
  const decoder = createSSEDecoder((_, data) => frames.push(data), { maxFrameLength: 1000 });
  decoder.feed('event: e\ndata: first\n\n');
  const error = failure(() => feedAll(decoder, ['data: ', ...Array.from({ length: 20 }, () => 'x'.repeat(100))]));
  assert.equal([error.kind, error.eventIndex], ['too-large', 2]);
  assert.match(error.message, '1000 characters');
  assert.not.match(error.message, 'xxx', 'no payload in the message');
  assert.equal(frames, ['first']);
  assert.is(failure(() => decoder.feed('more\n\n')), error, 'later input gets the same error, not the parser’s');
  assert.is(failure(() => decoder.finish()), error);
});

test('SSE: an event of many data lines and no blank line is too-large too', () => {
  const decoder = createSSEDecoder(() => {}, { maxFrameLength: 1000 });
  const error = failure(() => feedAll(decoder, Array.from({ length: 50 }, () => `data: ${'y'.repeat(40)}\n`)));
  assert.is(error.kind, 'too-large');
});

test('SSE: events under the cap pass, however they are chunked', () => {
  const frames: string[] = [];
  const decoder = createSSEDecoder((_, data) => frames.push(data), { maxFrameLength: 1000 });
  const event = `event: e\ndata: ${'z'.repeat(900)}\n\n`;
  for (let round = 0; round < 5; round++) feedAll(decoder, [event.slice(0, 300), event.slice(300, 600), event.slice(600)]);
  decoder.finish();
  assert.is(frames.length, 5);
});

test('NDJSON: a line past the cap is too-large, whether it comes in one chunk or many', () => {
  const lines: string[] = [];
  const line = (size: number) => JSON.stringify({ event: 'e', data: 'q'.repeat(size) });
  const pieces = createNDJSONDecoder((_, __, raw) => lines.push(raw), { maxFrameLength: 1000 });
  pieces.feed(`${line(10)}\n`);
  const split = failure(() => feedAll(pieces, Array.from({ length: 20 }, () => 'q'.repeat(100))));
  assert.equal([split.kind, split.eventIndex], ['too-large', 2]);
  const whole = createNDJSONDecoder(() => {}, { maxFrameLength: 1000 });
  assert.is(failure(() => whole.feed(`${line(2000)}\n`)).kind, 'too-large');
  const fine = createNDJSONDecoder((_, __, raw) => lines.push(raw), { maxFrameLength: 1000 });
  fine.feed(`${line(900)}\n${line(900).slice(0, 500)}`);
  fine.feed(`${line(900).slice(500)}\n`);
  fine.finish();
  assert.is(lines.length, 3);
});

const PREFIX: ScriptedEvent[] = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.message.created', data: makeMessage() },
  { event: 'thread.message.delta', data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: 'Hello' } }] } } },
];
const CHUNK = 64 * 1024;

/**
 * The prefix, then one event that never ends: fresh bytes every chunk (so nothing is shared),
 * counted. It gives up at four times the cap, which the stream must never reach.
 */
function endless(prefix: string, opening: string, counter: { produced: number }): AsyncIterable<Uint8Array> {
  const encoder = new TextEncoder();
  return (async function* () {
    yield encoder.encode(prefix + opening);
    while (counter.produced < 4 * MAX_FRAME_LENGTH) {
      counter.produced += CHUNK;
      yield encoder.encode(String(counter.produced % 10).repeat(CHUNK));
    }
  })();
}

for (const format of ['sse', 'ndjson'] as const) {
  test(`${format}: an endless event ends the stream with too-large near the cap; earlier events stay readable`, async () => {
    const counter = { produced: 0 };
    const heapBefore = process.memoryUsage().heapUsed;
    const stream =
      format === 'sse'
        ? AssistantStream.fromSSE(endless(toSSE(PREFIX, { done: false }), 'event: thread.message.delta\ndata: ', counter))
        : AssistantStream.fromReadableStream(endless(toNDJSON(PREFIX), '{"event":"thread.message.delta","data":"', counter));
    const error = await stream.done().then(
      () => assert.unreachable('the stream must fail'),
      (thrown: unknown) => thrown,
    );
    assert.instance(error, AssistantStreamError);
    assert.is((error as AssistantStreamError).kind, 'too-large', (error as Error).message);
    assert.ok(counter.produced <= MAX_FRAME_LENGTH + 2 * CHUNK, `read ${counter.produced} characters of the endless event, the cap is ${MAX_FRAME_LENGTH}`);
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(heapGrowth < 4 * MAX_FRAME_LENGTH, `the heap grew by ${heapGrowth} bytes`);
    const message = stream.currentMessageSnapshot() ?? stream.snapshot().messages[0];
    const block = message?.content[0];
    assert.is(block?.type === 'text' ? block.text.value : undefined, 'Hello');
    assert.is(stream.currentRun()?.id, makeRun().id);
  });
}

test.run();
