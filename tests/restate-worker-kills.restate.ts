// A worker SIGKILLed at every event boundary of a tool-loop run — after the 1st, 2nd, … event of
// the run's stream and of the tool-outputs stream — then started again on the same port: every
// run ends completed with the expected answer, in the status the server gives it, created once,
// submitted once (one Idempotency-Key answered per pause, nothing refused), and each tool call
// executed once. On the Assistants API, and on the Responses API (a chain of responses).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { answerOf, ASK_WEATHER_AND_TIME, callsTarget, EXPECTED_ANSWER, startRestateSuite, type RestateSuite } from './helpers/restateSuite.ts';
import type { AssistantRunOutput } from '../src/index.ts';

const test = suite<{ suite: RestateSuite }>('a Restate worker killed at every event boundary');

test.before(async (context) => {
  context.suite = await startRestateSuite();
});
test.after(async ({ suite }) => {
  assert.equal(suite.ts.internalErrors, []);
  await suite.close();
});

/**
 * Runs tool-loop runs, killing the worker after event 1, 2, … of each, until a run ends before
 * its worker reached the kill: returns how many boundaries were cut.
 */
async function killAtEveryBoundary(suite: RestateSuite, object: string, newKey: () => Promise<string>, check: (key: string, output: AssistantRunOutput, boundary: number) => Promise<void>): Promise<number> {
  for (let boundary = 1; ; boundary++) {
    const key = await newKey();
    const doomed = await suite.worker({ KILL_AT_EVENT: String(boundary) });
    const invocationId = await suite.sendRun(object, key, { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME() });
    const outcome = await Promise.race([doomed.exited.then(() => 'killed' as const), suite.attach<AssistantRunOutput>(invocationId)]);
    if (outcome !== 'killed') {
      // The run had fewer events than this: every boundary before it was cut.
      await doomed.kill();
      assert.is(outcome.status, 200);
      await check(key, outcome.body, boundary);
      return boundary - 1;
    }
    const replacement = await suite.worker();
    try {
      const { status, body } = await suite.attach<AssistantRunOutput>(invocationId);
      assert.is(status, 200, `boundary ${boundary}: ${JSON.stringify(body)}`);
      await check(key, body, boundary);
    } finally {
      await replacement.kill();
    }
  }
}

/** Each tool call of `runCalls` ran exactly once, over every worker that served it. */
function assertEachToolRanOnce(suite: RestateSuite, callIds: string[], boundary: number) {
  const executions = suite.records().filter(([kind]) => kind === 'tool');
  for (const id of callIds) assert.is(executions.filter(([, call]) => call === id).length, 1, `boundary ${boundary}: tool call ${id} executed once`);
}

test('Assistants API: each run completes, created once, submitted once, each tool run once', async ({ suite }) => {
  const cut = await killAtEveryBoundary(
    suite,
    'assistantThread',
    async () => (await suite.ts.openai.beta.threads.create()).id,
    async (threadId, output, boundary) => {
      const where = `boundary ${boundary}`;
      assert.is(answerOf(output), EXPECTED_ANSWER(), where);
      const onServer = await suite.ts.openai.beta.threads.runs.retrieve(output.run.id, { thread_id: threadId });
      assert.is(output.run.status, onServer.status, where);
      assert.is(onServer.status, 'completed', where);
      const runs = await suite.ts.openai.beta.threads.runs.list(threadId);
      assert.is(runs.data.length, 1, `${where}: one run on the thread`);
      const creates = suite.posts.filter((post) => post.kind === 'create' && post.target === threadId);
      assert.is(new Set(creates.map((post) => post.idempotencyKey)).size, 1, `${where}: one create (every retry with its key)`);
      const submits = suite.posts.filter((post) => post.kind === 'submit' && post.target === output.run.id);
      assert.is(new Set(submits.map((post) => post.idempotencyKey)).size, 1, `${where}: one submission (every retry with its key)`);
      assert.ok(submits.every((post) => post.status === 200), `${where}: no submission refused`);
      const steps = await suite.ts.openai.beta.threads.runs.steps.list(output.run.id, { thread_id: threadId });
      const callIds = steps.data.flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls.map((call) => call.id) : []));
      assert.is(callIds.length, 2, where);
      assertEachToolRanOnce(suite, callIds, boundary);
    },
  );
  console.log(`  (Assistants: the worker was killed at ${cut} boundaries)`);
  // Both streams were cut at every event: the create stream's and the submission's.
  assert.ok(cut >= 12, `cut at ${cut} boundaries`);
});

test('Responses API (a key is a conversation): each run completes, continued once, each tool run once', async ({ suite }) => {
  let n = 0;
  const cut = await killAtEveryBoundary(
    suite,
    'assistantConversation',
    async () => `conversation-${++n}`,
    async (key, output, boundary) => {
      const where = `boundary ${boundary}`;
      assert.is(answerOf(output), EXPECTED_ANSWER(), where);
      assert.is(output.run.status, 'completed', where);
      // The run's id is its first response's; its continuation is counted by the calls it answers.
      const first = await suite.ts.openai.responses.retrieve(output.run.id);
      const callIds = first.output.filter((item) => item.type === 'function_call').map((item) => (item as { call_id: string }).call_id);
      assert.is(callIds.length, 2, where);
      const continuations = suite.posts.filter((post) => post.kind === 'submit' && post.target === callsTarget(callIds));
      assert.is(new Set(continuations.map((post) => post.idempotencyKey)).size, 1, `${where}: one continuation (every retry with its key)`);
      assert.ok(continuations.every((post) => post.status === 200), `${where}: no continuation refused`);
      // The key's conversation was made once (every retry with its key), and the run is in it.
      const made = suite.posts.filter((post) => post.kind === 'conversation' && post.target === key);
      assert.is(new Set(made.map((post) => post.idempotencyKey)).size, 1, `${where}: one conversation made for the key`);
      assert.match(first.conversation?.id ?? '', /^conv_/, where);
      assertEachToolRanOnce(suite, callIds, boundary);
    },
  );
  console.log(`  (Responses: the worker was killed at ${cut} boundaries)`);
  assert.ok(cut >= 8, `cut at ${cut} boundaries`);
});

test.run();
