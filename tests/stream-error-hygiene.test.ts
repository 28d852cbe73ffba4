// Errors never carry payload: no bytes of the stream in a message, a path or a cause, even as
// util.inspect prints them; readers are released after every ending; `[DONE]` is only the
// exact sentinel.
import { inspect } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, type AssistantStreamError } from '../src/index.ts';
import { makeMessage, makeRun, textSource, toNDJSON, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

const SECRET = 'sk-synthetic0123456789secret';
const START: ScriptedEvent[] = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
];
const failure = (stream: AssistantStream): Promise<AssistantStreamError> =>
  stream.done().then(
    () => {
      throw new Error('the stream should have failed');
    },
    (error: AssistantStreamError) => error,
  );

const FAULTS: Array<{ name: string; stream: () => AssistantStream; kind: string }> = [
  {
    name: 'invalid JSON in an SSE frame',
    stream: () => AssistantStream.fromSSE(textSource(toSSE(START, { done: false }), `event: thread.run.completed\ndata: {"credential":${SECRET}}\n\n`)),
    kind: 'json',
  },
  {
    name: 'invalid JSON on an NDJSON line',
    stream: () => AssistantStream.fromReadableStream(textSource(toNDJSON(START), `{"event":"thread.run.completed","data":{"credential":${SECRET}}}\n`)),
    kind: 'json',
  },
  {
    name: 'a schema violation under a metadata key with control characters',
    stream: () =>
      AssistantStream.fromSSE(
        textSource(
          toSSE([...START, { event: 'thread.message.created', data: { ...makeMessage(), metadata: { [`\u001b[31m${SECRET}\nkey`]: 42 } } }], { done: false }),
        ),
      ),
    kind: 'schema',
  },
  {
    name: 'an API error event',
    stream: () => AssistantStream.fromSSE(textSource(toSSE(START, { done: false }), `event: error\ndata: {"message":"quota","code":"x"}\n\n`)),
    kind: 'api-error',
  },
];

for (const fault of FAULTS) {
  test(`${fault.name}: kind ${fault.kind}, and nothing of the payload in the error or its causes`, async () => {
    const error = await failure(fault.stream());
    assert.is(error.kind, fault.kind);
    const printed = inspect(error, { depth: 10 });
    // V8 quotes a few bytes around a JSON fault: even a fragment of the secret must not show.
    assert.not.ok(printed.includes('sk-synth'), printed);
    assert.not.ok(printed.includes('edential'), printed);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this checks for.
    assert.not.ok(/[\u0000-\u0008\u000b-\u001f]/.test(error.message), 'no control characters in the message');
    assert.not.ok(error.path?.includes('\n'), 'no raw newline in the path');
  });
}

test('a JSON error keeps where it happened, in a fixed description', async () => {
  const error = await failure(AssistantStream.fromSSE(textSource(toSSE(START, { done: false }), 'event: thread.run.completed\ndata: {"a":\n\n')));
  assert.instance(error.cause, SyntaxError);
  assert.match((error.cause as SyntaxError).message, /^invalid JSON/);
});

test('readers are released after a failure, after an abort and after the end', async () => {
  const readable = (text: string) => new Response(text).body!;
  const failing = readable(`${toNDJSON(START)}not json\n`);
  await failure(AssistantStream.fromReadableStream(failing));
  assert.is(failing.locked, false, 'after a failure');

  const open = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(toSSE(START, { done: false })));
    },
  });
  const aborted = AssistantStream.fromSSE(open);
  aborted.on('event', () => aborted.abort());
  await failure(aborted);
  assert.is(open.locked, false, 'after an abort');

  const complete = readable(toSSE([...START, { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) }]));
  await AssistantStream.fromSSE(complete).done();
  assert.is(complete.locked, false, 'after the end');
});

test('[DONE] is only the exact sentinel: anything else in an unnamed frame is an sse error', async () => {
  const exact = AssistantStream.fromSSE(textSource(toSSE([...START, { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) }], { done: false }), 'data: [DONE]\n\n'));
  await exact.done();
  for (const data of ['[DONE]x', '[DONE] ', 'hello']) {
    const stream = AssistantStream.fromSSE(textSource(toSSE(START, { done: false }), `data: ${data}\n\n`));
    const seen: string[] = [];
    stream.on('event', (event) => seen.push(event.event));
    const error = await failure(stream);
    assert.is(error.kind, 'sse', data);
    assert.equal(seen, ['thread.run.created', 'thread.run.in_progress'], 'nothing of the frame reached a listener');
  }
});

test.run();
