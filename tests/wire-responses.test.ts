import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { outputText, ResponsesTranslator, type WireEvent } from '../src/wire/index.ts';
import { responseEvents } from './helpers/responsesEvents.ts';

// The translator alone: the Assistants events one response becomes, in order.

function translate(events: ReturnType<typeof responseEvents>, runId?: string): WireEvent[] {
  const out: WireEvent[] = [];
  const translator = new ResponsesTranslator((event) => out.push(event), { runId });
  for (const [index, event] of events.entries()) translator.feed(event, index + 1, event.type);
  return out;
}

const names = (events: WireEvent[]) => events.map((event) => (event.type === 'wire.unknown' ? `unknown ${event.event}` : event.type));

test('a function call then a message: one tool step, one message step, the run pauses for the call', () => {
  const events = responseEvents({
    id: 'resp_1',
    items: [
      { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: ['{"city":', '"Paris"}'] },
      { type: 'message', id: 'msg_1', parts: [{ text: ['Checking', '…'] }] },
    ],
  });
  const out = translate(events);
  assert.equal(names(out), [
    'thread.run.created',
    'thread.run.in_progress',
    'thread.run.step.created',
    'thread.run.step.in_progress',
    'thread.run.step.delta',
    'thread.run.step.delta',
    'thread.run.step.delta',
    'thread.run.step.completed',
    'thread.run.step.created',
    'thread.run.step.in_progress',
    'thread.message.created',
    'thread.message.in_progress',
    'thread.message.delta',
    'thread.message.delta',
    'thread.message.completed',
    'thread.run.step.completed',
    'thread.run.requires_action',
  ]);
  const pause = out.at(-1)!;
  assert.ok(pause.type === 'thread.run.requires_action');
  assert.equal(pause.data.required_action?.submit_tool_outputs.tool_calls, [
    { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
  ]);
  assert.is(pause.data.id, 'resp_1');
  const argumentsDelta = out[5]!;
  assert.ok(argumentsDelta.type === 'thread.run.step.delta' && argumentsDelta.fragment === true);
});

test('each tool item is a step of its own: parallel function calls, then a code interpreter and a file search call', () => {
  const out = translate(
    responseEvents({
      id: 'resp_3',
      items: [
        { type: 'function_call', id: 'fc_a', call_id: 'call_a', name: 'get_weather', arguments: ['{}'] },
        { type: 'function_call', id: 'fc_b', call_id: 'call_b', name: 'get_time', arguments: ['{}'] },
        { type: 'code_interpreter_call', id: 'ci_1', code: ['print(6*7)'], logs: '42' },
        { type: 'file_search_call', id: 'fs_1', queries: ['hotels'], results: [{ file_id: 'file_1', filename: 'policy.txt', score: 0.9, text: 'Up to 150 euros.' }] },
      ],
    }),
  );
  const ended = out.flatMap((event) => (event.type === 'thread.run.step.completed' ? [event.data] : []));
  assert.equal(
    ended.map((step) => [step.id, step.step_details.type === 'tool_calls' ? step.step_details.tool_calls.map((call) => call.type) : []]),
    [
      ['step_fc_a', ['function']],
      ['step_fc_b', ['function']],
      ['step_ci_1', ['code_interpreter']],
      ['step_fs_1', ['file_search']],
    ],
  );
  // Each step ends when its item is done, before the next item's step starts.
  const order = out.flatMap((event) => (event.type === 'thread.run.step.created' || event.type === 'thread.run.step.completed' ? [`${event.type.slice(16)} ${event.data.id}`] : []));
  assert.equal(order, ['created step_fc_a', 'completed step_fc_a', 'created step_fc_b', 'completed step_fc_b', 'created step_ci_1', 'completed step_ci_1', 'created step_fs_1', 'completed step_fs_1']);
  const pause = out.at(-1)!;
  assert.ok(pause.type === 'thread.run.requires_action');
  assert.equal(pause.data.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id), ['call_a', 'call_b']);
});

test('a response in a conversation: the conversation is the run thread', () => {
  const events = responseEvents({ id: 'resp_4', items: [{ type: 'message', id: 'msg_4', parts: [{ text: ['Hi'] }] }] });
  for (const event of events) {
    const response = (event as { response?: Record<string, unknown> }).response;
    if (response !== undefined) response['conversation'] = { id: 'conv_1' };
  }
  const out = translate(events);
  const threads = new Set(out.flatMap((event) => ('data' in event && typeof event.data === 'object' && event.data !== null && 'thread_id' in event.data ? [event.data.thread_id] : [])));
  assert.equal([...threads], ['conv_1']);
});

test('a continuation keeps the chain run id and starts queued, not created', () => {
  const out = translate(responseEvents({ id: 'resp_2', items: [{ type: 'message', id: 'msg_2', parts: [{ text: ['Done'] }] }] }), 'resp_1');
  assert.equal(names(out).slice(0, 2), ['thread.run.queued', 'thread.run.in_progress']);
  const end = out.at(-1)!;
  assert.ok(end.type === 'thread.run.completed');
  assert.equal([end.data.id, end.data['response_id']], ['resp_1', 'resp_2']);
});

test('outputText joins the output_text parts of message items, in order', () => {
  assert.is(
    outputText([
      { type: 'reasoning' },
      {
        type: 'message',
        content: [
          { type: 'output_text', text: 'a' },
          { type: 'refusal', refusal: 'no' },
          { type: 'output_text', text: 'b' },
        ],
      } as never,
      { type: 'message', content: [{ type: 'output_text', text: 'c' }] } as never,
    ]),
    'abc',
  );
});

test.run();
