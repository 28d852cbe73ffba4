import { BadRequestError } from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Message } from '../src/index.ts';
import { functionTool, startTestServer, type TestServer } from './helpers/server.ts';
import { collapseDeltas, streamRequest } from './helpers/streams.ts';

// How runs end other than `completed`: the scenario overrides, cancellation, and the thread
// lock while a run is active.

const test = suite<{ t: TestServer; assistantId: string; toolAssistantId: string }>('run endings');

test.before(async (context) => {
  context.t = await startTestServer();
  context.assistantId = (await context.t.openai.beta.assistants.create({ model: 'scripted' })).id;
  context.toolAssistantId = (await context.t.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] })).id;
});
test.after(async ({ t }) => {
  assert.equal(t.internalErrors, []);
  await t.close();
});

const START = [
  'thread.run.created', 'thread.run.queued', 'thread.run.in_progress', 'thread.run.step.created', 'thread.run.step.in_progress',
  'thread.message.created', 'thread.message.in_progress', 'thread.message.delta…',
];

async function scenarioRun(t: TestServer, assistantId: string, scenario: string) {
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a story' }] });
  const { stream, events } = streamRequest(t, `/threads/${thread.id}/runs`, { assistant_id: assistantId, metadata: { scenario } });
  const run = await stream.finalRun();
  const [message] = await stream.finalMessages();
  const [step] = await stream.finalRunSteps();
  return { run, message: message!, step: step!, names: collapseDeltas(events.map((event) => event.event)), threadId: thread.id };
}

test('scenario failed: the answer stops halfway, the step fails, the run fails with last_error', async ({ t, assistantId }) => {
  const { run, message, step, names } = await scenarioRun(t, assistantId, 'failed');
  assert.equal(names, [...START, 'thread.message.incomplete', 'thread.run.step.failed', 'thread.run.failed']);
  assert.equal(run.last_error, { code: 'server_error', message: 'The scripted scenario "failed" ended this run.' });
  assert.ok(run.failed_at !== null && run.usage !== null && run.completed_at === null);
  assert.equal([message.status, message.incomplete_details], ['incomplete', { reason: 'run_failed' }]);
  assert.equal([step.status, step.last_error?.code], ['failed', 'server_error']);
});

test('scenario incomplete: the message ends at max_tokens, the run is incomplete', async ({ t, assistantId }) => {
  const { run, message, step, names } = await scenarioRun(t, assistantId, 'incomplete');
  assert.equal(names, [...START, 'thread.message.incomplete', 'thread.run.step.completed', 'thread.run.incomplete']);
  assert.equal(run.incomplete_details, { reason: 'max_completion_tokens' });
  assert.equal([message.status, message.incomplete_details], ['incomplete', { reason: 'max_tokens' }]);
  assert.is(step.status, 'completed');
});

test('scenario expired: the message and the step expire with the run', async ({ t, assistantId }) => {
  const { run, message, step, names } = await scenarioRun(t, assistantId, 'expired');
  assert.equal(names, [...START, 'thread.message.incomplete', 'thread.run.step.expired', 'thread.run.expired']);
  assert.is(run.status, 'expired');
  assert.ok(run.expires_at !== null);
  assert.equal([message.status, message.incomplete_details], ['incomplete', { reason: 'run_expired' }]);
  assert.ok(step.status === 'expired' && step.expired_at !== null);
});

test('scenario slow + cancel: cancelling, then the message and step in flight close, then cancelled', async ({ t, assistantId }) => {
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a long story' }] });
  const stream = t.openai.beta.threads.runs.stream(thread.id, { assistant_id: assistantId, metadata: { scenario: 'slow' } });
  const names: string[] = [];
  stream.on('event', ({ event }) => names.push(event));
  const firstDelta = new Promise<void>((resolve) => stream.once('textDelta', () => resolve()));
  await firstDelta;
  const runId = stream.currentRun()!.id;
  const cancelling = await t.openai.beta.threads.runs.cancel(runId, { thread_id: thread.id });
  assert.is(cancelling.status, 'cancelling');
  const run = await stream.finalRun();
  assert.equal(collapseDeltas(names), [
    ...START, 'thread.run.cancelling', 'thread.message.incomplete', 'thread.run.step.cancelled', 'thread.run.cancelled',
  ]);
  assert.ok(run.status === 'cancelled' && run.cancelled_at !== null && run.usage !== null);
  const [message] = (await t.openai.beta.threads.messages.list(thread.id)).data as Message[];
  assert.equal([message?.status, message?.incomplete_details], ['incomplete', { reason: 'run_cancelled' }]);
  const [step] = (await t.openai.beta.threads.runs.steps.list(runId, { thread_id: thread.id })).data;
  assert.ok(step?.status === 'cancelled' && step.cancelled_at !== null);
});

test('cancelling a run that waits for tool outputs cancels its tool step', async ({ t, toolAssistantId }) => {
  const paused = await t.openai.beta.threads.createAndRunPoll({ assistant_id: toolAssistantId, thread: { messages: [{ role: 'user', content: 'weather in Rome' }] } });
  assert.is(paused.status, 'requires_action');
  const cancelling = await t.openai.beta.threads.runs.cancel(paused.id, { thread_id: paused.thread_id });
  assert.equal([cancelling.status, cancelling.required_action], ['cancelling', null]);
  const run = await t.openai.beta.threads.runs.poll(paused.id, { thread_id: paused.thread_id });
  assert.is(run.status, 'cancelled');
  const [step] = (await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id })).data;
  assert.equal([step?.type, step?.status], ['tool_calls', 'cancelled']);
});

test('a finished run cannot be cancelled', async ({ t, assistantId }) => {
  const run = await t.openai.beta.threads.createAndRunPoll({ assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'Hi' }] } });
  const response = await t.request(`/threads/${run.thread_id}/runs/${run.id}/cancel`, { method: 'POST' });
  assert.is(response.status, 400);
  assert.is(((await response.json()) as { error: { message: string } }).error.message, "Cannot cancel run with status 'completed'.");
});

test('a thread with an active run refuses new runs and messages with the API 400, and accepts them once it ends', async ({ t, assistantId }) => {
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
  const active = await t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistantId, metadata: { scenario: 'slow' } });
  const failure = async (call: () => Promise<unknown>) => {
    try {
      await call();
      return 'no error';
    } catch (error) {
      assert.instance(error, BadRequestError);
      return (error as BadRequestError).message;
    }
  };
  assert.is(
    await failure(() => t.openai.beta.threads.runs.create(thread.id, { assistant_id: assistantId })),
    `400 Thread ${thread.id} already has an active run ${active.id}.`,
  );
  assert.is(
    await failure(() => t.openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'More' })),
    `400 Can't add messages to ${thread.id} while a run ${active.id} is active.`,
  );
  await t.openai.beta.threads.runs.cancel(active.id, { thread_id: thread.id });
  const cancelled = await t.openai.beta.threads.runs.poll(active.id, { thread_id: thread.id });
  assert.is(cancelled.status, 'cancelled');
  await t.openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'More' });
  const next = await t.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
  assert.is(next.status, 'completed');
  assert.equal((await t.openai.beta.threads.runs.list(thread.id)).data.map((run) => run.status), ['completed', 'cancelled']);
});

test.run();
