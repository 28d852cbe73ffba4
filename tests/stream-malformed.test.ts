// Every kind of bad input, one row each: the stream fails with a typed error that says what
// and where, the error is reported once (error, then end), and snapshot() still holds what
// arrived before the fault. Nothing reaches Object.prototype.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, AssistantStreamError, type AssistantStreamErrorKind, type ByteSource } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toNDJSON, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
import { formatSSEFrame } from '../src/wire/index.ts';

const messageDelta = (content: unknown[], id = 'msg_1') => ({ id, object: 'thread.message.delta', delta: { content } });
const text = (index: number, value: string) => ({ index, type: 'text', text: { value } });
const toolStep = makeRunStep({ id: 'step_tools', type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: [] } });
const stepDelta = (delta: object, id = 'step_tools') => ({ id, object: 'thread.run.step.delta', delta });

/** A healthy beginning: the run is going and the message holds "Hello". */
const PREFIX: ScriptedEvent[] = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  { event: 'thread.run.step.created', data: makeRunStep() },
  { event: 'thread.message.created', data: makeMessage() },
  { event: 'thread.message.delta', data: messageDelta([{ index: 0, type: 'text', text: { value: 'Hello', annotations: [] } }]) },
];
const sse = (...events: ScriptedEvent[]) => toSSE([...PREFIX, ...events], { done: false });

interface Row {
  name: string;
  source: () => ByteSource;
  kind: AssistantStreamErrorKind;
  /** 1-based number of the offending event, when the fault is tied to one. */
  eventIndex?: number;
  eventName?: string;
  path?: string;
  /** The text of msg_1 that must survive the fault (default "Hello"). */
  survivingText?: string | null;
  ndjson?: boolean;
}

const AFTER_PREFIX = PREFIX.length + 1;

const ROWS: Row[] = [
  {
    name: 'a line no SSE field can start with',
    source: () => textSource(sse(), 'this is not SSE\n\n'),
    kind: 'sse',
  },
  {
    name: 'invalid JSON in a known event',
    source: () => textSource(sse(), 'event: thread.message.delta\ndata: {"id": "msg_1", \n\n'),
    kind: 'json',
    eventIndex: AFTER_PREFIX,
    eventName: 'thread.message.delta',
  },
  {
    name: 'a run without an id',
    source: () => textSource(sse(), formatSSEFrame('thread.run.completed', { ...makeRun({ status: 'completed' }), id: undefined })),
    kind: 'schema',
    eventIndex: AFTER_PREFIX,
    eventName: 'thread.run.completed',
    path: 'data.id',
  },
  {
    name: 'a content index that is not a number',
    source: () => textSource(sse({ event: 'thread.message.delta', data: messageDelta([{ index: '1', type: 'text', text: { value: 'x' } }]) })),
    kind: 'schema',
    eventIndex: AFTER_PREFIX,
    path: 'data.delta.content[0]',
  },
  {
    name: 'a payload whose status contradicts its event',
    source: () => textSource(sse({ event: 'thread.run.completed', data: makeRun({ status: 'in_progress' }) })),
    kind: 'schema',
    eventIndex: AFTER_PREFIX,
    path: 'data.status',
  },
  {
    name: 'a delta for a message never created',
    source: () => textSource(sse({ event: 'thread.message.delta', data: messageDelta([text(0, 'x')], 'msg_ghost') })),
    kind: 'unknown-id',
    eventIndex: AFTER_PREFIX,
    eventName: 'thread.message.delta',
  },
  {
    name: 'a delta for a run step not yet created',
    source: () => textSource(sse({ event: 'thread.run.step.delta', data: stepDelta({ step_details: { type: 'tool_calls', tool_calls: [] } }) })),
    kind: 'unknown-id',
    eventIndex: AFTER_PREFIX,
  },
  {
    name: 'a delta after the message completed',
    source: () =>
      textSource(
        sse(
          { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'Hello', annotations: [] } }] }) },
          { event: 'thread.message.delta', data: messageDelta([text(0, '!')]) },
        ),
      ),
    kind: 'lifecycle',
    eventIndex: AFTER_PREFIX + 1,
  },
  {
    name: 'a message created twice',
    source: () => textSource(sse({ event: 'thread.message.created', data: makeMessage() })),
    kind: 'lifecycle',
    eventIndex: AFTER_PREFIX,
    eventName: 'thread.message.created',
  },
  {
    name: 'a run that goes back from completed',
    source: () =>
      textSource(sse({ event: 'thread.run.completed', data: makeRun({ status: 'completed' }) }, { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) })),
    kind: 'lifecycle',
    eventIndex: AFTER_PREFIX + 1,
  },
  {
    name: 'a content index absurdly far',
    source: () => textSource(sse({ event: 'thread.message.delta', data: messageDelta([text(5000, 'x')]) })),
    kind: 'invalid-index',
    path: 'data.delta.content[0].index',
  },
  {
    name: 'a negative index',
    source: () => textSource(sse({ event: 'thread.message.delta', data: messageDelta([text(-1, 'x')]) })),
    kind: 'invalid-index',
  },
  {
    name: 'a fractional index',
    source: () => textSource(sse({ event: 'thread.message.delta', data: messageDelta([text(1.5, 'x')]) })),
    kind: 'invalid-index',
    path: 'data.delta.content[0].index',
  },
  {
    name: 'one slot named twice in one delta',
    source: () => textSource(sse({ event: 'thread.message.delta', data: messageDelta([text(1, 'a'), text(1, 'b')]) })),
    kind: 'invalid-index',
    path: 'data.delta.content[1].index',
  },
  {
    name: 'a delta that returns to a finished content block',
    source: () =>
      textSource(sse({ event: 'thread.message.delta', data: messageDelta([text(1, ' world')]) }, { event: 'thread.message.delta', data: messageDelta([text(0, 'again')]) })),
    kind: 'invalid-index',
    survivingText: null,
  },
  {
    name: 'a __proto__ key in a message delta',
    source: () => textSource(sse(), 'event: thread.message.delta\ndata: {"id":"msg_1","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"text","text":{"__proto__":{"polluted":true}}}]}}\n\n'),
    kind: 'unsafe-key',
    path: 'data.delta.content[0].text.__proto__',
  },
  {
    name: 'a constructor key deep in a step delta',
    source: () =>
      textSource(
        sse(
          { event: 'thread.run.step.created', data: toolStep },
          { event: 'thread.run.step.delta', data: stepDelta({ step_details: { type: 'tool_calls', tool_calls: [{ index: 0, type: 'function', id: 'call_1', function: { name: 'f', arguments: '' }, constructor: { prototype: { polluted: true } } }] } }) },
        ),
      ),
    kind: 'unsafe-key',
    path: 'data.delta.step_details.tool_calls[0].constructor',
  },
  {
    name: 'a value that cannot merge into the snapshot',
    source: () =>
      textSource(
        sse(
          { event: 'thread.run.step.created', data: toolStep },
          { event: 'thread.run.step.delta', data: stepDelta({ metadata: 'plain' }) },
          { event: 'thread.run.step.delta', data: stepDelta({ metadata: { nested: 'object' } }) },
        ),
      ),
    kind: 'type-mismatch',
    path: 'data.delta.metadata',
  },
  {
    name: 'a tool-call delta for a message-creation step',
    source: () =>
      textSource(sse({ event: 'thread.run.step.delta', data: stepDelta({ step_details: { type: 'tool_calls', tool_calls: [] } }, 'step_1') })),
    kind: 'type-mismatch',
    path: 'data.delta.step_details.type',
  },
  {
    name: 'a stream that ends before the run does',
    source: () => textSource(toSSE(PREFIX)),
    kind: 'no-final-run',
  },
  {
    name: 'an error event',
    source: () => textSource(sse(), formatSSEFrame('error', { message: 'The server had an error', type: 'server_error', code: 'internal', param: null })),
    kind: 'api-error',
    eventIndex: AFTER_PREFIX,
    eventName: 'error',
  },
  {
    name: 'a connection cut in the middle of an event',
    source: () => textSource(sse(), 'event: thread.message.delta\ndata: {"id":"msg_1","object":"thread.me'),
    kind: 'truncated',
  },
  {
    name: 'bytes that are not UTF-8',
    source: () =>
      (async function* () {
        yield new TextEncoder().encode(sse());
        yield new Uint8Array([0xff, 0xfe, 0x0a]);
      })(),
    kind: 'sse',
  },
  {
    name: 'a network failure while reading',
    source: () =>
      (async function* () {
        yield sse();
        throw new TypeError('socket hang up');
      })(),
    kind: 'source',
  },
  {
    name: 'a non-2xx response',
    source: () => new Response(JSON.stringify({ error: { message: 'No run found', type: 'invalid_request_error', param: null, code: null } }), { status: 404 }),
    kind: 'api-error',
    survivingText: null,
  },
  {
    name: 'an NDJSON line that is not JSON',
    source: () => textSource(toNDJSON(PREFIX), '{"event": "thread.message.delta", "data": \n'),
    kind: 'json',
    ndjson: true,
  },
  {
    name: 'an NDJSON line that is not an event object',
    source: () => textSource(toNDJSON(PREFIX), '42\n'),
    kind: 'schema',
    ndjson: true,
  },
];

for (const row of ROWS) {
  test(`bad input: ${row.name} → ${row.kind}`, async () => {
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).join();
    const stream = row.ndjson ? AssistantStream.fromReadableStream(row.source()) : AssistantStream.fromSSE(row.source());
    const reported: string[] = [];
    stream.on('error', (error) => reported.push(`error:${error.kind}`));
    stream.on('end', () => reported.push('end'));
    const error = await stream.done().then(
      () => assert.unreachable('the stream must fail'),
      (thrown: unknown) => thrown,
    );
    assert.instance(error, AssistantStreamError);
    const fault = error as AssistantStreamError;
    assert.is(fault.kind, row.kind, fault.message);
    if (row.eventIndex !== undefined) assert.is(fault.eventIndex, row.eventIndex, fault.message);
    if (row.eventName !== undefined) assert.is(fault.eventName, row.eventName);
    if (row.path !== undefined) assert.is(fault.path, row.path, fault.message);
    assert.ok(fault.message.length > 0);
    assert.equal(reported, [`error:${row.kind}`, 'end'], 'reported once, then end');
    await stream.finalRun().then(
      () => assert.unreachable('finalRun must reject too'),
      (thrown: unknown) => assert.is(thrown, error),
    );

    const snapshot = stream.snapshot();
    assert.is(snapshot.status, 'failed');
    assert.is(snapshot.error, error);
    const expectedText = row.survivingText === undefined ? 'Hello' : row.survivingText;
    if (expectedText !== null) {
      const first = snapshot.messages[0]?.content[0];
      assert.is(first?.type === 'text' ? first.text.value : undefined, expectedText, 'what arrived before the fault is kept');
    }
    assert.is(({} as Record<string, unknown>)['polluted'], undefined);
    assert.is(Object.getOwnPropertyNames(Object.prototype).join(), protoBefore);
  });
}

test('an error event carries the server error object', async () => {
  const stream = AssistantStream.fromSSE(textSource(sse(), formatSSEFrame('error', { error: { message: 'Rate limited', type: 'rate_limit', code: 'rate_limit_exceeded', param: null } })));
  const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.equal(error.apiError, { message: 'Rate limited', type: 'rate_limit', code: 'rate_limit_exceeded', param: null });
  assert.match(error.message, 'Rate limited');
});

test('a non-2xx response carries its status and error object', async () => {
  const body = { error: { message: 'Thread thread_1 already has an active run run_1.', type: 'invalid_request_error', param: null, code: null } };
  const stream = AssistantStream.fromSSE(new Response(JSON.stringify(body), { status: 400 }));
  const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.is(error.status, 400);
  assert.equal(error.apiError, body.error);
});

test('error messages never contain payload values', async () => {
  const secret = 'sk-SECRET-VALUE';
  const stream = AssistantStream.fromSSE(
    textSource(
      sse(
        { event: 'thread.run.step.created', data: toolStep },
        { event: 'thread.run.step.delta', data: stepDelta({ [secret]: 'one' }) },
        { event: 'thread.run.step.delta', data: stepDelta({ [secret]: { two: secret } }) },
      ),
    ),
  );
  const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.is(error.kind, 'type-mismatch');
  assert.not.match(error.message, secret);
  assert.is(error.path, 'data.delta.<field>');
});

test('the sparse-slot budget holds across deltas', async () => {
  const stream = AssistantStream.fromSSE(
    textSource(
      sse(
        { event: 'thread.run.step.created', data: toolStep },
        { event: 'thread.run.step.delta', data: stepDelta({ step_details: { type: 'tool_calls', tool_calls: [{ index: 1023, type: 'file_search', id: 'c', file_search: {} }] } }) },
        { event: 'thread.run.step.delta', data: stepDelta({ step_details: { type: 'tool_calls', tool_calls: [{ index: 2047, type: 'file_search', id: 'd', file_search: {} }] } }) },
      ),
    ),
  );
  const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
  assert.is(error.kind, 'invalid-index');
  assert.is(error.eventIndex, AFTER_PREFIX + 2);
  const step = stream.snapshot().runSteps.find((candidate) => candidate.id === 'step_tools')!;
  assert.is(step.step_details.type === 'tool_calls' && step.step_details.tool_calls.length, 1024, 'the first delta applied, the second did not');
});

test.run();
