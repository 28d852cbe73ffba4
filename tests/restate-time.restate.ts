// Time and people that outlast processes: a deadline that passes while every worker is down
// cancels the run once a worker is back (a durable timer), and the draft-review workflow, its
// worker killed while it waits for a human, resumes when the approval comes later (a durable
// promise). Restate has no simulated clock: the waits here are short real ones.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DraftReviewOutcome } from '../examples/restate/draft-review.ts';
import { ASK_WEATHER_AND_TIME, sleep, startRestateSuite, until, type RestateSuite } from './helpers/restateSuite.ts';
import { functionTool } from './helpers/server.ts';

const test = suite<{ suite: RestateSuite }>('Restate: deadlines and approvals that outlast workers');

test.before(async (context) => {
  context.suite = await startRestateSuite();
});
test.after(async ({ suite }) => {
  assert.equal(suite.ts.internalErrors, []);
  await suite.close();
});


test('a deadline that passed while every worker was down cancels the run once one is back', async ({ suite }) => {
  const worker = await suite.worker();
  const threadId = (await suite.ts.openai.beta.threads.create()).id;
  // No tools on this object: the run pauses and waits for outputs nobody sends.
  const invocationId = await suite.sendRun('assistantThreadWithoutTools', threadId, { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME(), deadlineMs: 1_500 });
  const paused = await until('the pause', async () => {
    const state = await suite.state('assistantThreadWithoutTools', threadId);
    return state?.state === 'active.working.awaitingOutputs' ? state : null;
  });
  await worker.kill();
  await sleep(2_500); // the deadline passes with no worker up
  const runId = paused.runId!;
  assert.is((await suite.ts.openai.beta.threads.runs.retrieve(runId, { thread_id: threadId })).status, 'requires_action', 'nothing cancelled it while every worker was down');

  const back = await suite.worker();
  try {
    const { status, body } = await suite.attach<{ message: string }>(invocationId);
    assert.is(status, 408, JSON.stringify(body));
    assert.match(body.message, /deadline-exceeded/);
    assert.is((await suite.ts.openai.beta.threads.runs.retrieve(runId, { thread_id: threadId })).status, 'cancelled');
    const state = await suite.state('assistantThreadWithoutTools', threadId);
    assert.equal([state?.state, state?.ended, state?.failure?.name], ['failed', true, 'DeadlineExceededError']);
  } finally {
    await back.kill();
  }
});

test('draft-review on Restate: the worker killed while it waits, the approval sent later resumes it', async ({ suite }) => {
  const { openai } = suite.ts;
  const drafter = await openai.beta.assistants.create({ model: 'scripted', name: 'Drafter', tools: [functionTool('find_facts', 'topic')] });
  const reviewer = await openai.beta.assistants.create({ model: 'scripted', name: 'Reviewer', tools: [functionTool('check_spelling', 'text')] });
  const thread = await openai.beta.threads.create();
  const worker = await suite.worker();
  const started = await suite.ingress('/draftReview/review-1/run/send', { threadId: thread.id, drafterId: drafter.id, reviewerId: reviewer.id, topic: 'Lisbon' });
  assert.is(started.status, 202, JSON.stringify(started.body));
  const draft = await until('the draft', async () => (await suite.ingress<string | null>('/draftReview/review-1/draft')).body);
  assert.match(draft, /Lisbon/);
  await worker.kill();

  // Later, with no worker up: the approval is accepted by Restate and waits for one.
  await sleep(1_000);
  const approval = await suite.ingress('/draftReview/review-1/approve/send', { by: 'editor@example.com' });
  assert.is(approval.status, 202, JSON.stringify(approval.body));
  const back = await suite.worker();
  try {
    const { status, body } = await suite.ingress<DraftReviewOutcome>('/restate/workflow/draftReview/review-1/attach');
    assert.is(status, 200, JSON.stringify(body));
    assert.is(body.state, 'published');
    assert.is(body.approvedBy, 'editor@example.com');
    assert.is(body.draft, draft);
    assert.match(body.review ?? '', /check_spelling/);
    // Both assistant runs went to the thread one after the other: two runs, both completed.
    const runs = await openai.beta.threads.runs.list(thread.id);
    assert.equal(runs.data.map((run) => run.status), ['completed', 'completed']);
  } finally {
    await back.kill();
  }
});

test.run();
