// restate-server itself SIGKILLed mid-run and started again on the same base directory: the run
// completes. Killed while the model streams the answer (after the tools' outputs were journaled),
// each tool ran once; killed while a tool runs, the tool runs again — the one case a journal
// cannot cover — with the same idempotency key, and the outputs are still submitted once.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AssistantRunOutput } from '../src/index.ts';
import { answerOf, ASK_WEATHER_AND_TIME, EXPECTED_ANSWER, sleep, startRestateSuite, until, type RestateSuite } from './helpers/restateSuite.ts';

const test = suite<{ suite: RestateSuite }>('restate-server SIGKILLed mid-run');

test.before(async (context) => {
  // A paced model: the answer streams for about a second, long enough to be cut.
  context.suite = await startRestateSuite({ pace: { deltaDelayMs: 40, stepDelayMs: 0 } });
});
test.after(async ({ suite }) => {
  assert.equal(suite.ts.internalErrors, []);
  await suite.close();
});


/** Starts a run, kills restate-server once the run is in `state`, restarts it, and returns the run's output and its tool executions. */
async function killServerIn(suite: RestateSuite, state: string, toolDelayMs: number) {
  const worker = await suite.worker({ TOOL_DELAY_MS: String(toolDelayMs) });
  try {
    const threadId = (await suite.ts.openai.beta.threads.create()).id;
    const invocationId = await suite.sendRun('assistantThread', threadId, { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME() });
    await until(state, async () => ((await suite.state('assistantThread', threadId))?.state === state ? true : null));
    await sleep(150);
    await suite.restate.kill();
    await sleep(300);
    await suite.restate.restart();
    const { status, body } = await suite.attach<AssistantRunOutput>(invocationId);
    assert.is(status, 200, JSON.stringify(body));
    assert.is(answerOf(body), EXPECTED_ANSWER());
    assert.is((await suite.ts.openai.beta.threads.runs.retrieve(body.run.id, { thread_id: threadId })).status, 'completed');
    assert.is((await suite.ts.openai.beta.threads.runs.list(threadId)).data.length, 1, 'one run on the thread');
    const submits = suite.posts.filter((post) => post.kind === 'submit' && post.target === body.run.id);
    assert.is(new Set(submits.map((post) => post.idempotencyKey)).size, 1, 'one submission (every retry with its key)');
    assert.ok(submits.every((post) => post.status === 200));
    const steps = await suite.ts.openai.beta.threads.runs.steps.list(body.run.id, { thread_id: threadId });
    const callIds = steps.data.flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls.map((call) => call.id) : []));
    const executions = suite.records().filter(([kind, call]) => kind === 'tool' && callIds.includes(call!));
    return { callIds, executions, runId: body.run.id };
  } finally {
    await worker.kill();
  }
}

test('killed while the answer streams: the run completes, each tool ran once', async ({ suite }) => {
  const { callIds, executions } = await killServerIn(suite, 'active.working.submitting', 0);
  assert.is(callIds.length, 2);
  assert.equal(executions.map(([, call]) => call).sort(), [...callIds].sort());
});

test('killed while the tools run: the run completes; a tool cut mid-way ran again with the same idempotency key', async ({ suite }) => {
  const { callIds, executions, runId } = await killServerIn(suite, 'active.working.runningTools', 1_500);
  for (const id of callIds) {
    const runs = executions.filter(([, call]) => call === id);
    assert.ok(runs.length >= 1 && runs.length <= 2, `${id} ran ${runs.length} times`);
    assert.equal([...new Set(runs.map(([, , key]) => key))], [`${runId}/${id}`], 'every execution of a call had its key');
  }
});

test.run();
