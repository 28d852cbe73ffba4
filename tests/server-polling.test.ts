import OpenAI, { RateLimitError } from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { functionTool, startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ t: TestServer; assistantId: string }>('polling');

test.before(async (context) => {
  context.t = await startTestServer({ pace: { deltaDelayMs: 1, stepDelayMs: 2 } });
  context.assistantId = (await context.t.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] })).id;
});
test.after(async ({ t }) => {
  assert.equal(t.internalErrors, []);
  await t.close();
});

test('retrieving a run answers with openai-poll-after-ms', async ({ t, assistantId }) => {
  const run = await t.openai.beta.threads.createAndRun({ assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'Hi' }] } });
  assert.is(run.status, 'queued');
  const response = await t.request(`/threads/${run.thread_id}/runs/${run.id}`);
  assert.is(response.headers.get('openai-poll-after-ms'), '5');
});

test('createAndPoll and createAndRunPoll return the final run, polling at the header pace', async ({ t, assistantId }) => {
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Hello' }] });
  const polled = await t.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId });
  assert.is(polled.status, 'completed');
  const fromThread = await t.openai.beta.threads.createAndRunPoll({ assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'Hi' }] } });
  assert.is(fromThread.status, 'completed');
  const messages = await t.openai.beta.threads.messages.list(fromThread.thread_id, { run_id: fromThread.id });
  assert.equal(messages.data.map((message) => [message.role, message.run_id, message.status]), [['assistant', fromThread.id, 'completed']]);
});

test('submitToolOutputsAndPoll resumes a run paused for tool outputs', async ({ t, assistantId }) => {
  const paused = await t.openai.beta.threads.createAndRunPoll({ assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'weather in Cairo' }] } });
  assert.is(paused.status, 'requires_action');
  const [call] = paused.required_action!.submit_tool_outputs.tool_calls;
  const run = await t.openai.beta.threads.runs.submitToolOutputsAndPoll(paused.id, {
    thread_id: paused.thread_id,
    tool_outputs: [{ tool_call_id: call!.id, output: 'hot' }],
  });
  assert.equal([run.status, run.required_action], ['completed', null]);
  const steps = await t.openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, order: 'asc' });
  assert.equal(steps.data.map((step) => [step.type, step.status]), [['tool_calls', 'completed'], ['message_creation', 'completed']]);
  const toolStep = await t.openai.beta.threads.runs.steps.retrieve(steps.data[0]!.id, { thread_id: run.thread_id, run_id: run.id });
  assert.equal(toolStep.step_details, {
    type: 'tool_calls',
    tool_calls: [{ id: call!.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Cairo"}', output: 'hot' } }],
  });
});

test('a rate-limited server answers 429 with Retry-After; the SDK retries and succeeds', async () => {
  const limited = await startTestServer({ rateLimit: { every: 2, retryAfterMs: 10 } });
  try {
    const first = await limited.request('/assistants', { method: 'POST', body: JSON.stringify({ model: 'm' }) });
    assert.is(first.status, 200);
    const second = await limited.request('/assistants');
    assert.is(second.status, 429);
    assert.equal([second.headers.get('retry-after'), second.headers.get('retry-after-ms')], ['1', '10']);
    assert.equal(((await second.json()) as { error: object }).error, {
      message: 'Rate limit reached for requests (the server was configured to refuse every 2th request).',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
    const noRetries = new OpenAI({ baseURL: limited.server.url, apiKey: 'k', maxRetries: 0 });
    await noRetries.beta.assistants.list(); // the 3rd request passes
    try {
      await noRetries.beta.assistants.list(); // the 4th is refused
      assert.unreachable('expected a 429');
    } catch (error) {
      assert.instance(error, RateLimitError);
    }
    const retrying = new OpenAI({ baseURL: limited.server.url, apiKey: 'k', maxRetries: 2 });
    const page = await retrying.beta.assistants.list(); // 5th passes, and the retry of any refused one would too
    assert.is(page.data.length, 1);
    const created = await retrying.beta.assistants.create({ model: 'm' }); // 6th is refused, its retry (7th) passes
    assert.is(created.object, 'assistant');
  } finally {
    await limited.close();
  }
});

test.run();
