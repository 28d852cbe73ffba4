import OpenAI from 'openai';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import * as assert from 'uvu/assert';
import { createServer } from '../src/server/index.ts';
import { liveModelSuite } from './helpers/liveModelSuite.ts';
import { startLoopback } from './helpers/loopback.ts';
import { startResponsesProxy } from './helpers/modelUpstream.ts';

// Our server as a shim in front of our own /v1/responses (a second embedded server, the
// scripted model behind it), driven by the official SDK's Assistants code.

const test = liveModelSuite('live model: Responses', 'responses', async () => {
  const backend = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  const slowBackend = await createServer({ pace: { deltaDelayMs: 25, stepDelayMs: 0 } });
  // A run given max_completion_tokens makes the backend stop at its limit (the scripted model
  // has no tokens to count: its `incomplete` scenario stops halfway, as a limit would).
  const upstream = await startResponsesProxy(backend.url, (body) => (body['max_output_tokens'] === undefined ? body : { ...body, metadata: { scenario: 'incomplete' } }));
  const slow = await startResponsesProxy(slowBackend.url);
  return {
    upstream,
    slow,
    close: async () => {
      await Promise.all([upstream.close(), slow.close()]);
      await Promise.all([backend.close(), slowBackend.close()]);
    },
  };
});

test('a function round trip chains with previous_response_id and sends only the output', async ({ openai, backend }) => {
  const assistant = await openai.beta.assistants.create({
    model: 'gpt-live',
    tools: [{ type: 'function', function: { name: 'get_stock_price', parameters: { type: 'object', properties: { symbol: { type: 'string' } }, required: ['symbol'] } } }],
  });
  const thread = await openai.beta.threads.create({ messages: [{ role: 'user', content: 'What is the stock price of "ACME"?' }] });
  const before = backend.upstream.requests.length;
  const first = await openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 5 });
  const [call] = first.required_action?.submit_tool_outputs.tool_calls ?? [];
  const run = await openai.beta.threads.runs.submitToolOutputsAndPoll(first.id, { thread_id: thread.id, tool_outputs: [{ tool_call_id: call!.id, output: '42.5' }] }, { pollIntervalMs: 5 });
  assert.is(run.status, 'completed');
  const [opening, continuation] = backend.upstream.bodies().slice(before);
  assert.is(opening?.['previous_response_id'], undefined);
  assert.type(continuation?.['previous_response_id'], 'string');
  const input = continuation?.['input'] as Array<Record<string, unknown>>;
  assert.equal(input.map((item) => [item['type'], item['output']]), [['function_call_output', '42.5']]);
});

test('code_interpreter is the backend\'s own: its code and logs become the run\'s step', async ({ openai }) => {
  const assistant = await openai.beta.assistants.create({ model: 'gpt-live', tools: [{ type: 'code_interpreter' }] });
  const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Compute 2**10 + 3*7' }] } }, { pollIntervalMs: 5 });
  assert.is(run.status, 'completed');
  const steps = await openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, order: 'asc' });
  const call = steps.data[0]?.step_details.type === 'tool_calls' ? steps.data[0].step_details.tool_calls[0] : undefined;
  assert.is(call?.type, 'code_interpreter');
  if (call?.type !== 'code_interpreter') return;
  assert.is(call.code_interpreter.input, 'print(2**10 + 3*7)');
  assert.equal(call.code_interpreter.outputs, [{ type: 'logs', logs: '1045' }]);
  const messages = await openai.beta.threads.messages.list(run.thread_id);
  const content = messages.data[0]?.content[0];
  assert.match(content?.type === 'text' ? content.text.value : '', /1045/);
});

test('max_completion_tokens goes upstream as max_output_tokens; a response cut at its limit ends the run incomplete', async ({ openai, backend }) => {
  const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
  const before = backend.upstream.requests.length;
  const stream = openai.beta.threads.createAndRunStream({ assistant_id: assistant.id, max_completion_tokens: 300, thread: { messages: [{ role: 'user', content: 'Hello' }] } });
  const run = (await stream.finalRun()) as Run;
  assert.is(run.status, 'incomplete');
  assert.equal(run.incomplete_details, { reason: 'max_completion_tokens' });
  assert.is(backend.upstream.bodies()[before]?.['max_output_tokens'], 300);
  const [message] = await stream.finalMessages();
  assert.is(message?.status, 'incomplete');
});

test('without server state (store: false) every request carries the whole thread and the run\'s calls; usage is the backend\'s', async () => {
  // A backend that keeps nothing: it answers from the input alone, a canned stream per request.
  const backend = await startLoopback((request, response) => {
    const body = JSON.parse(request.body) as { input: Array<{ type?: string; output?: string }> };
    const output = body.input.find((item) => item.type === 'function_call_output')?.output;
    const item =
      output === undefined
        ? { type: 'function_call', id: 'fc_1', call_id: 'upstream_call_1', name: 'get_weather', arguments: '{"city":"Oslo"}', status: 'completed' }
        : { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [] };
    const events = [
      { type: 'response.created', response: { id: `resp_${request.body.length}` } },
      { type: 'response.output_item.added', output_index: 0, item },
      ...(output === undefined ? [] : [`It is ${output} in Oslo.`.split(' ')].flat().map((word, index) => ({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, delta: index === 0 ? word : ` ${word}` }))),
      { type: 'response.output_item.done', output_index: 0, item },
      { type: 'response.completed', response: { id: 'resp', usage: { input_tokens: 11, output_tokens: 7, total_tokens: 18 } } },
    ];
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join(''));
  });
  const shim = await createServer({ model: { baseURL: backend.url, protocol: 'responses', store: false }, pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5 });
  try {
    const openai = new OpenAI({ baseURL: shim.url, apiKey: 'client-key', maxRetries: 0 });
    const assistant = await openai.beta.assistants.create({
      model: 'gpt-live',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
    });
    const first = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: "What's the weather in Oslo?" }] } }, { pollIntervalMs: 5 });
    const [call] = first.required_action?.submit_tool_outputs.tool_calls ?? [];
    assert.equal(JSON.parse(call?.function.arguments ?? ''), { city: 'Oslo' });
    const run = await openai.beta.threads.runs.submitToolOutputsAndPoll(first.id, { thread_id: first.thread_id, tool_outputs: [{ tool_call_id: call!.id, output: 'snow' }] }, { pollIntervalMs: 5 });
    assert.is(run.status, 'completed');
    const [, continuation] = backend.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);
    assert.is(continuation?.['previous_response_id'], undefined);
    assert.is(continuation?.['store'], false);
    const input = continuation?.['input'] as Array<Record<string, unknown>>;
    assert.equal(input.map((item) => item['type'] ?? item['role']), ['user', 'function_call', 'function_call_output']);
    const messages = await openai.beta.threads.messages.list(run.thread_id);
    const content = messages.data[0]?.content[0];
    assert.is(content?.type === 'text' ? content.text.value : '', 'It is snow in Oslo.');
    // Two upstream responses, 18 tokens each: one per step, summed for the run.
    assert.equal(run.usage, { prompt_tokens: 22, completion_tokens: 14, total_tokens: 36 });
    const steps = await openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
    assert.equal(steps.data.map((step) => step.usage), [
      { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    ]);
  } finally {
    await shim.close();
    await backend.close();
  }
});

test.run();
