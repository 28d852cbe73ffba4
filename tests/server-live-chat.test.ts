import type { Run } from 'openai/resources/beta/threads/runs/runs';
import * as assert from 'uvu/assert';
import { liveModelSuite } from './helpers/liveModelSuite.ts';
import { startChatCompletions } from './helpers/modelUpstream.ts';

// Our server as a shim in front of a Chat Completions API (a small loopback one that streams
// chat.completion.chunk SSE with tool_calls deltas), driven by the official SDK's Assistants code.

const test = liveModelSuite('live model: Chat Completions', 'chat', async () => {
  const upstream = await startChatCompletions();
  const slow = await startChatCompletions({ chunkDelayMs: 25 });
  return { upstream, slow, close: async () => void (await Promise.all([upstream.close(), slow.close()])) };
});

test('the whole conversation goes upstream each time: instructions as system, the call and its result as tool messages', async ({ openai, backend }) => {
  const assistant = await openai.beta.assistants.create({
    model: 'gpt-live',
    instructions: 'Answer in one line.',
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
  });
  const first = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: "What's the weather in Lima?" }] } }, { pollIntervalMs: 5 });
  const [call] = first.required_action?.submit_tool_outputs.tool_calls ?? [];
  const before = backend.upstream.requests.length;
  const run = await openai.beta.threads.runs.submitToolOutputsAndPoll(first.id, { thread_id: first.thread_id, tool_outputs: [{ tool_call_id: call!.id, output: 'fog' }] }, { pollIntervalMs: 5 });
  assert.is(run.status, 'completed');
  const messages = backend.upstream.bodies()[before]?.['messages'] as Array<Record<string, unknown>>;
  assert.equal(
    messages.map((message) => message['role']),
    ['system', 'user', 'assistant', 'tool'],
  );
  assert.is(messages[0]?.['content'], 'Answer in one line.');
  assert.equal(messages[3], { role: 'tool', tool_call_id: call!.id, content: 'fog' });
});

test('usage per step and per run is what the backend counted', async ({ openai }) => {
  const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
  const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Count these five words' }] } }, { pollIntervalMs: 5 });
  // The endpoint counts words: 4 in the prompt, 6 in `You said: "Count these five words".`
  assert.equal(run.usage, { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 });
  const steps = await openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
  assert.equal(steps.data[0]?.usage, { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 });
});

test('max_completion_tokens goes upstream; finish_reason length ends the run incomplete', async ({ openai, backend }) => {
  const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
  const before = backend.upstream.requests.length;
  const long = Array.from({ length: 300 }, (_, index) => `word${index}`).join(' ');
  const stream = openai.beta.threads.createAndRunStream({ assistant_id: assistant.id, max_completion_tokens: 256, thread: { messages: [{ role: 'user', content: long }] } });
  const run = (await stream.finalRun()) as Run;
  assert.is(run.status, 'incomplete');
  assert.equal(run.incomplete_details, { reason: 'max_completion_tokens' });
  assert.is(backend.upstream.bodies()[before]?.['max_completion_tokens'], 256);
  const [message] = await stream.finalMessages();
  assert.is(message?.status, 'incomplete');
  assert.is(run.usage?.completion_tokens, 256);
});

test('code_interpreter is not faked: Chat Completions has none, so the run fails saying so', async ({ openai, backend }) => {
  const assistant = await openai.beta.assistants.create({ model: 'gpt-live', tools: [{ type: 'code_interpreter' }] });
  const before = backend.upstream.requests.length;
  const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Compute 2**10' }] } }, { pollIntervalMs: 5 });
  assert.is(run.status, 'failed');
  assert.is(run.last_error?.code, 'invalid_prompt');
  assert.match(run.last_error?.message ?? '', /code_interpreter tool is not available.*Chat Completions/);
  assert.is(backend.upstream.requests.length, before, 'nothing went upstream');
});

test('text, then tool calls in one completion: a message step, then the tool step, then the answer', async ({ openai }) => {
  const assistant = await openai.beta.assistants.create({
    model: 'gpt-live',
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
  });
  const first = await openai.beta.threads.createAndRunPoll(
    { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: "First, what's the weather in Quito?" }] } },
    { pollIntervalMs: 5 },
  );
  assert.is(first.status, 'requires_action');
  const [call] = first.required_action?.submit_tool_outputs.tool_calls ?? [];
  const run = await openai.beta.threads.runs.submitToolOutputsAndPoll(first.id, { thread_id: first.thread_id, tool_outputs: [{ tool_call_id: call!.id, output: 'rain' }] }, { pollIntervalMs: 5 });
  assert.is(run.status, 'completed');
  const steps = await openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, order: 'asc' });
  assert.equal(steps.data.map((step) => step.step_details.type), ['message_creation', 'tool_calls', 'message_creation']);
  const messages = await openai.beta.threads.messages.list(run.thread_id, { order: 'asc' });
  const texts = messages.data.map((message) => (message.content[0]?.type === 'text' ? message.content[0].text.value : ''));
  assert.equal(texts, ["First, what's the weather in Quito?", 'Let me look that up.', 'get_weather returned: rain']);
});

test.run();
