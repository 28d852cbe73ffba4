// One delta as large as a frame may be must parse, on the fast path or off it (issue 27, item
// 1: an 8 MiB text fragment overflowed the stack in the fast path's regular expression, whose
// repeated alternation kept one backtracking entry per character).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, AssistantsClient, MAX_FRAME_LENGTH } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
import { FULL_SCALE } from './helpers/scale.ts';

const MiB = 1024 * 1024;
/** Room for the frame's `data: ` line and the fragment's JSON around its value. */
const ROOM = 512;
/** What a connection hands over at a time: the frame limit bounds what is held between chunks. */
const CHUNK = 64 * 1024;

/** The stream's text in the pieces a connection would deliver it in. */
const inChunks = (text: string) => textSource(...Array.from({ length: Math.ceil(text.length / CHUNK) }, (_, at) => text.slice(at * CHUNK, (at + 1) * CHUNK)));

const textDelta = (value: string): ScriptedEvent => ({
  event: 'thread.message.delta',
  data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value } }] } },
});
const textRun = (delta: ScriptedEvent): ScriptedEvent[] => [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.message.created', data: makeMessage() },
  delta,
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
];

/** The text of the one message once the stream has ended. */
async function finalText(stream: AssistantStream): Promise<string> {
  await stream.done();
  const block = stream.snapshot().messages[0]?.content[0];
  return block?.type === 'text' ? block.text.value : '';
}

// The 60 MiB fragment (most of this file's time) runs in `npm run test:scale` (.ci/run runs it).
const SIZES: ReadonlyArray<readonly [string, number, number | undefined]> = [
  ['8 MiB', 8 * MiB, undefined],
  ['just under the 16 MiB frame limit', MAX_FRAME_LENGTH - ROOM, undefined],
  ...(FULL_SCALE ? [['60 MiB under a raised 64 MiB frame limit', 60 * MiB, 64 * MiB] as const] : []),
];
for (const [label, size, maxFrameLength] of SIZES) {
  test(`a text fragment of ${label} is read whole (the compact fast path)`, async () => {
    const value = 'x'.repeat(size);
    const stream = AssistantStream.fromSSE(inChunks(toSSE(textRun(textDelta(value)))), { maxFrameLength });
    assert.ok((await finalText(stream)) === value, 'the value arrives whole');
  });
}

test('a text fragment made only of escapes, just under the frame limit, is read whole (each escape decoded)', async () => {
  // Each of the three characters is two in JSON: `\n`, `\"`, `\\`.
  const value = '\n"\\'.repeat(Math.floor((MAX_FRAME_LENGTH - ROOM) / 6));
  const stream = AssistantStream.fromSSE(inChunks(toSSE(textRun(textDelta(value)))));
  assert.ok((await finalText(stream)) === value, 'the value arrives whole');
});

test('a text fragment of 8 MiB off the fast path (spaced JSON, an extra key) is read whole', async () => {
  const value = 'y'.repeat(8 * MiB);
  const spaced = toSSE(textRun(textDelta(value))).replace('"value":"', '"value": "');
  assert.ok((await finalText(AssistantStream.fromSSE(inChunks(spaced)))) === value);
  const annotated = toSSE(textRun(textDelta(value))).replace(`"value":"${value}"`, `"value":"${value}","annotations":[]`);
  assert.ok((await finalText(AssistantStream.fromSSE(inChunks(annotated)))) === value);
});

const toolStep = (status: 'in_progress' | 'completed') =>
  makeRunStep({ type: 'tool_calls', status, step_details: { type: 'tool_calls', tool_calls: [] } });
const toolCallDelta = (call: object): ScriptedEvent => ({
  event: 'thread.run.step.delta',
  data: { id: 'step_1', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [call] } } },
});

for (const [label, size] of [
  ['8 MiB', 8 * MiB],
  ['just under the 16 MiB frame limit', MAX_FRAME_LENGTH - ROOM],
] as const) {
  test(`tool-call fragments of ${label} (function arguments, code interpreter input) are read whole`, async () => {
    const value = 'z'.repeat(size);
    const stream = AssistantStream.fromSSE(
      inChunks(
        toSSE([
          { event: 'thread.run.created', data: makeRun() },
          { event: 'thread.run.step.created', data: toolStep('in_progress') },
          toolCallDelta({ index: 0, id: 'call_f', type: 'function', function: { name: 'f', arguments: '', output: null } }),
          toolCallDelta({ index: 0, type: 'function', function: { arguments: value } }),
          toolCallDelta({ index: 1, id: 'call_ci', type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }),
          toolCallDelta({ index: 1, type: 'code_interpreter', code_interpreter: { input: value } }),
          { event: 'thread.run.step.completed', data: toolStep('completed') },
          { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
        ]),
      ),
    );
    const done: Record<string, string> = {};
    stream.on('toolCallDone', (call) => {
      if (call.type === 'function') done['function'] = call.function.arguments;
      if (call.type === 'code_interpreter') done['code_interpreter'] = call.code_interpreter.input;
    });
    await stream.done();
    assert.ok(done['function'] === value, 'the arguments arrive whole');
    assert.ok(done['code_interpreter'] === value, 'the input arrives whole');
  });
}

test('the frame limit is the caller’s: an event past it is the typed too-large error', async () => {
  const failure = (stream: AssistantStream) =>
    stream.done().then(
      () => undefined,
      (thrown: unknown) => thrown as { kind?: string },
    );
  const sse = toSSE(textRun(textDelta('x'.repeat(2 * MiB))));
  assert.is((await failure(AssistantStream.fromSSE(inChunks(sse), { maxFrameLength: MiB })))?.kind, 'too-large');
  assert.is(await failure(AssistantStream.fromSSE(inChunks(sse), { maxFrameLength: 3 * MiB })), undefined);
  const beyondDefault = toSSE(textRun(textDelta('x'.repeat(MAX_FRAME_LENGTH + MiB))));
  assert.is((await failure(AssistantStream.fromSSE(inChunks(beyondDefault))))?.kind, 'too-large', 'the default limit holds');
});

test('the client’s stream helpers take the frame limit too', async () => {
  const sse = toSSE(textRun(textDelta('x'.repeat(2 * MiB))));
  const answer: typeof fetch = async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(sse);
          for (let at = 0; at < bytes.length; at += CHUNK) controller.enqueue(bytes.subarray(at, at + CHUNK));
          controller.close();
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', fetch: answer });
  const outcome = (stream: AssistantStream) =>
    stream.done().then(
      () => 'done',
      (thrown: { kind?: string }) => thrown.kind,
    );
  assert.is(await outcome(client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }, { maxFrameLength: MiB })), 'too-large');
  assert.is(await outcome(client.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }, { maxFrameLength: 3 * MiB })), 'done');
});

test.run();
