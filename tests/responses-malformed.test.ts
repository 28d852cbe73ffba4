import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, AssistantStreamError, type Message } from '../src/index.ts';
import { responseEvents, toSSE, type ResponsesEventObject } from './helpers/responsesEvents.ts';

// Bad Responses input ends the stream with a typed error that says what and where; what was
// received before stays readable (snapshots, the partial response).

const plan = {
  id: 'resp_1',
  items: [{ type: 'message' as const, id: 'msg_1', parts: [{ text: ['Hello', ' wide', ' world'] }] }],
};

function streamOf(events: readonly ResponsesEventObject[] | string): AssistantStream {
  const text = typeof events === 'string' ? events : toSSE(events);
  return AssistantStream.fromSSE(
    (async function* () {
      yield text;
    })(),
  );
}

async function failure(stream: AssistantStream): Promise<AssistantStreamError> {
  try {
    await stream.done();
  } catch (error) {
    assert.instance(error, AssistantStreamError);
    return error as AssistantStreamError;
  }
  throw new Error('the stream did not fail');
}

const textOf = (message: Message | undefined) => (message?.content ?? []).map((block) => (block.type === 'text' ? block.text.value : '')).join('');
const indexOf = (events: readonly ResponsesEventObject[], type: string, nth = 0) =>
  events.map((event, index) => [event.type, index] as const).filter(([name]) => name === type)[nth]![1];

test('a sequence_number that goes back is a lifecycle error; the text so far is kept', async () => {
  const events = responseEvents(plan);
  const second = indexOf(events, 'response.output_text.delta', 1);
  events[second] = { ...events[second]!, sequence_number: 2 };
  const stream = streamOf(events);
  const error = await failure(stream);
  assert.equal(error.kind, 'lifecycle');
  assert.equal(error.eventIndex, second + 1);
  assert.equal(error.eventName, 'response.output_text.delta');
  assert.equal(error.path, 'data.sequence_number');
  assert.match(error.message, /out of order/);
  assert.equal(textOf(stream.snapshot().messages[0]), 'Hello');
  assert.equal(stream.snapshot().error, error);
});

test('a gap in sequence_number (a lost event) is a lifecycle error', async () => {
  const events = responseEvents(plan);
  events.splice(indexOf(events, 'response.output_text.delta', 1), 1);
  const error = await failure(streamOf(events));
  assert.equal(error.kind, 'lifecycle');
  assert.match(error.message, /1 event\(s\) are missing/);
});

test('a delta for an item that was never added is an unknown-id error', async () => {
  const events = responseEvents(plan);
  const at = indexOf(events, 'response.output_text.delta', 1);
  events[at] = { ...events[at]!, item_id: 'msg_ghost' };
  const error = await failure(streamOf(events));
  assert.equal(error.kind, 'unknown-id');
  assert.equal(error.path, 'data.item_id');
});

test('an output_index out of range is an invalid-index error', async () => {
  const events = responseEvents(plan);
  const at = indexOf(events, 'response.output_text.delta', 0);
  events[at] = { ...events[at]!, output_index: 7 };
  const error = await failure(streamOf(events));
  assert.equal(error.kind, 'invalid-index');
  assert.equal(error.path, 'data.output_index');
  assert.match(error.message, /output_index 7 names no item \(the response has 1\)/);
});

for (const [shape, errorEvent] of [
  ['flat', { type: 'error', code: 'rate_limit_exceeded', message: 'Slow down', param: null }],
  ['nested', { type: 'error', error: { type: 'server_error', code: 'rate_limit_exceeded', message: 'Slow down', param: null } }],
] as const) {
  test(`an error event mid-stream (${shape}) is the stream's api-error; the partial message and response stay`, async () => {
    const events = responseEvents(plan);
    const at = indexOf(events, 'response.output_text.delta', 2);
    const cut = events.slice(0, at);
    cut.push({ ...errorEvent, sequence_number: at });
    const stream = streamOf(cut);
    const error = await failure(stream);
    assert.equal(error.kind, 'api-error');
    assert.equal(error.apiError?.code, 'rate_limit_exceeded');
    assert.equal(error.apiError?.message, 'Slow down');
    assert.equal(textOf(stream.snapshot().messages[0]), 'Hello wide');
    assert.equal(stream.currentResponse()?.id, 'resp_1');
  });
}

test('a connection cut between events ends with no-final-run; cut inside an event, with truncated', async () => {
  const events = responseEvents(plan);
  const upTo = indexOf(events, 'response.output_text.delta', 1) + 1;
  const between = streamOf(events.slice(0, upTo));
  assert.equal((await failure(between)).kind, 'no-final-run');
  assert.equal(textOf(between.snapshot().messages[0]), 'Hello wide');
  const sse = toSSE(events.slice(0, upTo));
  const inside = streamOf(`${sse}event: response.output_text.delta\ndata: {"type":"response.output_text.de`);
  assert.equal((await failure(inside)).kind, 'truncated');
  assert.equal(textOf(inside.snapshot().messages[0]), 'Hello wide');
});

test('events before response.created, and a second response.created, are lifecycle errors', async () => {
  const events = responseEvents(plan);
  const early = await failure(streamOf(events.slice(2).map((event, index) => ({ ...event, sequence_number: index }))));
  assert.equal(early.kind, 'lifecycle');
  assert.match(early.message, /must start with response.created/);
  const twice = [...events.slice(0, 2), { ...events[0]!, sequence_number: 2 }];
  assert.equal((await failure(streamOf(twice))).kind, 'lifecycle');
});

test('a protocol declared responses refuses a payload that is not an event object', async () => {
  const stream = AssistantStream.fromSSE(
    (async function* () {
      yield 'data: [1,2]\n\n';
    })(),
    { protocol: 'responses' },
  );
  const error = await failure(stream);
  assert.equal(error.kind, 'schema');
  assert.equal(error.path, 'data');
});

test('items without an Assistants counterpart pass through to listeners, never as an error', async () => {
  const events = responseEvents({
    id: 'resp_2',
    items: [
      { type: 'reasoning', id: 'rs_1', summary: ['Thinking', ' hard'] },
      { type: 'message', id: 'msg_2', parts: [{ text: ['Done'] }, { refusal: ['I will not'] }] },
    ],
  });
  const unknown: string[] = [];
  const summary: string[] = [];
  const stream = streamOf(events)
    .on('event', (event) => {
      if (!event.event.startsWith('thread.')) unknown.push(event.event);
    })
    .on('response.reasoning_summary_text.delta', (event) => summary.push(String((event as { delta?: unknown }).delta)));
  const run = await stream.finalRun();
  assert.equal(run.status, 'completed');
  assert.equal(unknown, [
    'response.output_item.added',
    'response.reasoning_summary_part.added',
    'response.reasoning_summary_text.delta',
    'response.reasoning_summary_text.delta',
    'response.reasoning_summary_text.done',
    'response.reasoning_summary_part.done',
    'response.output_item.done',
  ]);
  assert.equal(summary, ['Thinking', ' hard']);
  const [message] = await stream.finalMessages();
  assert.equal(message?.content, [
    { type: 'text', text: { value: 'Done', annotations: [] } },
    { type: 'refusal', refusal: 'I will not' },
  ]);
  const response = await stream.finalResponse();
  assert.equal(
    response.output.map((item) => item.type),
    ['reasoning', 'message'],
  );
  assert.equal(response.output_text, 'Done');
});

test('a citation by index becomes the empty range at that index', async () => {
  const events = responseEvents({
    id: 'resp_3',
    items: [
      {
        type: 'message',
        id: 'msg_3',
        parts: [{ text: ['Hotels: 180 euros.'], citations: [{ file_id: 'file_1', filename: 'policy.txt', index: 18 }] }],
      },
    ],
  });
  const [message] = await streamOf(events).finalMessages();
  const block = message?.content[0];
  assert.ok(block?.type === 'text');
  assert.equal(block.text.annotations, [{ type: 'file_citation', text: '', start_index: 18, end_index: 18, file_citation: { file_id: 'file_1' } }]);
});

test('a response without response.in_progress still passes through in_progress, before its first item', async () => {
  const events = responseEvents(plan)
    .filter((event) => event.type !== 'response.in_progress')
    .map((event, index) => ({ ...event, sequence_number: index }));
  const names: string[] = [];
  const run = await streamOf(events)
    .on('event', (event) => names.push(event.event))
    .finalRun();
  assert.equal(run.status, 'completed');
  assert.equal(names.slice(0, 3), ['thread.run.created', 'thread.run.in_progress', 'thread.run.step.created']);
  assert.equal(
    names.filter((name) => name.startsWith('thread.run.') && !name.startsWith('thread.run.step.')),
    ['thread.run.created', 'thread.run.in_progress', 'thread.run.completed'],
  );
});

test('an unnumbered keepalive passes through; a listener removed with off hears nothing more', async () => {
  const events = responseEvents(plan);
  const heard: string[] = [];
  const listener = (event: { delta: string }) => {
    heard.push(event.delta);
    stream.off('response.output_text.delta', listener);
  };
  const sse = `${toSSE(events.slice(0, 3))}event: keepalive\ndata: {"type":"keepalive"}\n\n${toSSE(events.slice(3))}`;
  const stream = streamOf(sse).on('response.output_text.delta', listener);
  assert.is((await stream.finalRun()).status, 'completed');
  assert.equal(heard, ['Hello']);
});

test('response.* listeners that edit their events steer nothing: the finals are the same', async () => {
  const untouched = streamOf(responseEvents(plan));
  const edited = streamOf(responseEvents(plan))
    .on('response.output_item.added', (event) => {
      (event.item as { id?: string }).id = 'msg_hijacked';
    })
    .on('response.output_text.delta', (event) => {
      event.delta = 'X';
      event.output_index = 9;
    });
  assert.equal(await edited.finalMessages(), await untouched.finalMessages());
  assert.equal(await edited.finalResponse(), await untouched.finalResponse());
});

test('finalResponse() on an Assistants stream is a TypeError', async () => {
  const stream = AssistantStream.fromSSE(
    (async function* () {
      yield 'event: thread.run.created\ndata: {"id":"run_1","object":"thread.run","thread_id":"t","status":"queued"}\n\nevent: thread.run.in_progress\ndata: {"id":"run_1","object":"thread.run","thread_id":"t","status":"in_progress"}\n\nevent: thread.run.completed\ndata: {"id":"run_1","object":"thread.run","thread_id":"t","status":"completed"}\n\n';
    })(),
  );
  try {
    await stream.finalResponse();
    assert.unreachable();
  } catch (error) {
    assert.instance(error, TypeError);
  }
});

test.run();
