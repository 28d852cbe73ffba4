// A run left at requires_action expires at its expires_at: the API's 10 minutes by default, or
// the server's `runExpirySeconds`; outputs submitted after are refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from '../src/server/index.ts';
import { functionTool, startTestServer } from './helpers/server.ts';

async function pausedRun(t: Awaited<ReturnType<typeof startTestServer>>) {
  const assistant = await t.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Paris?' }] });
  const run = await t.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id, tool_choice: { type: 'function', function: { name: 'get_weather' } } }, { pollIntervalMs: 5 });
  return { thread, run };
}

test('by default a paused run expires in the API’s 600 seconds', async () => {
  const t = await startTestServer();
  try {
    const { run } = await pausedRun(t);
    assert.is(run.status, 'requires_action');
    assert.is(run.expires_at! - run.created_at, 600);
  } finally {
    await t.close();
  }
});

test('runExpirySeconds: a paused run ends expired at its expires_at, and late outputs are a 400', async () => {
  const t = await startTestServer({ runExpirySeconds: 1 });
  try {
    const { thread, run } = await pausedRun(t);
    assert.is(run.expires_at! - run.created_at, 1);
    let ended = run;
    for (let tries = 0; ended.status === 'requires_action' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ended = await t.openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
    }
    assert.is(ended.status, 'expired');
    const callId = run.required_action!.submit_tool_outputs.tool_calls[0]!.id;
    const late = await t.request(`/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, { method: 'POST', body: JSON.stringify({ tool_outputs: [{ tool_call_id: callId, output: 'x' }] }) });
    assert.is(late.status, 400);
  } finally {
    await t.close();
  }
});

test('runExpirySeconds must be a positive whole number', async () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    try {
      await createServer({ runExpirySeconds: bad });
      assert.unreachable(`accepted ${bad}`);
    } catch (error) {
      assert.instance(error, TypeError);
      assert.match((error as Error).message, /runExpirySeconds must be a positive whole number/);
    }
  }
});

test.run();
