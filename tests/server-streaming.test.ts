import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { APIUserAbortError } from 'openai';
import type { Run } from '../src/index.ts';
import { functionTool, startTestServer, type TestServer } from './helpers/server.ts';
import { collapseDeltas, streamRequest } from './helpers/streams.ts';

const test = suite<{ t: TestServer; plainAssistant: string; weatherAssistant: string }>('streaming');

test.before(async (context) => {
  context.t = await startTestServer();
  context.plainAssistant = (await context.t.openai.beta.assistants.create({ model: 'scripted' })).id;
  context.weatherAssistant = (await context.t.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] })).id;
});
test.after(async ({ t }) => {
  assert.equal(t.internalErrors, []);
  await t.close();
});

const TEXT_RUN = [
  'thread.run.created',
  'thread.run.queued',
  'thread.run.in_progress',
  'thread.run.step.created',
  'thread.run.step.in_progress',
  'thread.message.created',
  'thread.message.in_progress',
  'thread.message.delta…',
  'thread.message.completed',
  'thread.run.step.completed',
  'thread.run.completed',
];

test('a text run streams in the API order and the SDK ends with the completed run and message', async ({ t, plainAssistant }) => {
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Hello there' }] });
  const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: plainAssistant });
  const names: string[] = [];
  const runs: Run[] = [];
  stream.on('event', ({ event, data }) => {
    names.push(event);
    if (event.startsWith('thread.run.') && !event.startsWith('thread.run.step')) runs.push(data as Run);
  });
  const textDeltas: string[] = [];
  stream.on('textDelta', (delta) => textDeltas.push(delta.value ?? ''));
  const finalRun = await stream.finalRun();
  assert.equal(collapseDeltas(names), TEXT_RUN);
  assert.ok(textDeltas.length > 5, 'the answer arrives in several small deltas');
  assert.is(finalRun.status, 'completed');
  const [message] = await stream.finalMessages();
  const expected = textDeltas.join('');
  assert.match(expected, /^You said: "Hello there"\./);
  assert.equal(message?.content, [{ type: 'text', text: { value: expected, annotations: [] } }]);
  // usage only once terminal; started_at from in_progress on; completed_at at the end.
  assert.equal(runs.map((run) => run.usage === null), [true, true, true, false]);
  assert.equal(runs.map((run) => run.started_at !== null), [false, false, true, true]);
  assert.ok(finalRun.completed_at! >= finalRun.started_at! && finalRun.started_at! >= finalRun.created_at);
  assert.ok(finalRun.usage!.total_tokens > 0);
  assert.is(finalRun.expires_at, null);
});

test('our own AssistantStream accepts the stream and ends in the same state', async ({ t, plainAssistant }) => {
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
  const { stream, events } = streamRequest(t, `/threads/${thread.id}/runs`, { assistant_id: plainAssistant });
  const run = await stream.finalRun();
  assert.equal(collapseDeltas(events.map((event) => event.event)), TEXT_RUN);
  assert.is(run.status, 'completed');
  const [step] = await stream.finalRunSteps();
  assert.equal([step?.type, step?.status, step?.run_id], ['message_creation', 'completed', run.id]);
  const stored = await t.openai.beta.threads.messages.list(thread.id, { order: 'asc' });
  const [message] = await stream.finalMessages();
  assert.equal(stored.data[1]?.content, message?.content, 'the stored message is what was streamed');
});

test('create-and-run streams open with thread.created', async ({ t, plainAssistant }) => {
  const stream = t.openai.beta.threads.createAndRunStream({ assistant_id: plainAssistant, thread: { messages: [{ role: 'user', content: 'Hi' }] } });
  const names: string[] = [];
  stream.on('event', ({ event }) => names.push(event));
  const run = await stream.finalRun();
  assert.equal(collapseDeltas(names), ['thread.created', ...TEXT_RUN]);
  assert.is(run.status, 'completed');
});

test('function calling: the stream stops at requires_action, the tool-outputs stream opens with the completed tool step', async ({ t, weatherAssistant }) => {
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: "What's the weather in Paris?" }] });
  const first = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: weatherAssistant });
  const firstNames: string[] = [];
  first.on('event', ({ event }) => firstNames.push(event));
  const paused = await first.finalRun();
  assert.equal(collapseDeltas(firstNames), [
    'thread.run.created',
    'thread.run.queued',
    'thread.run.in_progress',
    'thread.run.step.created',
    'thread.run.step.in_progress',
    'thread.run.step.delta…',
    'thread.run.requires_action',
  ]);
  assert.is(paused.status, 'requires_action');
  const [call] = paused.required_action!.submit_tool_outputs.tool_calls;
  assert.equal([call?.type, call?.function.name, call?.function.arguments], ['function', 'get_weather', '{"city":"Paris"}']);
  const [toolStep] = await first.finalRunSteps();
  assert.equal([toolStep?.type, toolStep?.status], ['tool_calls', 'in_progress'], 'the tool step is still open');

  const second = t.openai.beta.threads.runs.submitToolOutputsStream(paused.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: call!.id, output: '{"temperature":"22C","sky":"clear"}' }],
  });
  const secondEvents: Array<{ event: string; data: unknown }> = [];
  second.on('event', (event) => secondEvents.push(event));
  const done = await second.finalRun();
  assert.equal(collapseDeltas(secondEvents.map((event) => event.event)), ['thread.run.step.completed', 'thread.run.queued', ...TEXT_RUN.slice(2)]);
  const completedStep = secondEvents[0]!.data as { id: string; step_details: { tool_calls: Array<{ function: { output: string } }> } };
  assert.is(completedStep.id, toolStep!.id);
  assert.is(completedStep.step_details.tool_calls[0]!.function.output, '{"temperature":"22C","sky":"clear"}');
  assert.is(done.status, 'completed');
  const answer = (await second.finalMessages())[0]!.content[0]!;
  assert.equal(answer, { type: 'text', text: { value: 'get_weather returned: {"temperature":"22C","sky":"clear"}', annotations: [] } });
});

test('our AssistantStream accepts both halves of a tool-calling run', async ({ t, weatherAssistant }) => {
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'weather in Oslo please' }] });
  const first = streamRequest(t, `/threads/${thread.id}/runs`, { assistant_id: weatherAssistant });
  const paused = await first.stream.finalRun();
  assert.is(paused.status, 'requires_action');
  const toolCalls: string[] = [];
  first.stream.on('toolCallDone', (toolCall) => toolCalls.push(toolCall.type));
  const callId = paused.required_action!.submit_tool_outputs.tool_calls[0]!.id;
  const second = streamRequest(t, `/threads/${thread.id}/runs/${paused.id}/submit_tool_outputs`, { tool_outputs: [{ tool_call_id: callId, output: 'snow' }] });
  const done = await second.stream.finalRun();
  assert.is(done.status, 'completed');
  assert.equal((await second.stream.finalRunSteps()).map((step) => [step.type, step.status]), [
    ['tool_calls', 'completed'],
    ['message_creation', 'completed'],
  ]);
});

test('a dropped stream does not stop the run: polling picks it up', async ({ t, plainAssistant }) => {
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
  const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: plainAssistant });
  const created = await new Promise<Run>((resolve) => stream.once('event', ({ data }) => resolve(data as Run)));
  const aborted = stream.done().catch((error: unknown) => error instanceof APIUserAbortError);
  stream.abort();
  assert.is(await aborted, true);
  const run = await t.openai.beta.threads.runs.poll(created.id, { thread_id: thread.id });
  assert.is(run.status, 'completed');
});

test.run();
