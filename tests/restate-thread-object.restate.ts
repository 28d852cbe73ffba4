// The thread object's handlers, on the real restate-server: runs on one thread queue behind each
// other (never together), `send` cancels a run or answers its pause, `state` and `output` read it,
// bad input is refused with a 400 that names the field, and on the Responses API a key's runs
// continue one conversation.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AssistantRunOutput } from '../src/index.ts';
import type { RestateWorker } from './helpers/restateWorkers.ts';
import { answerOf, ASK_WEATHER_AND_TIME, EXPECTED_ANSWER, startRestateSuite, until, type RestateSuite } from './helpers/restateSuite.ts';

const test = suite<{ suite: RestateSuite; worker: RestateWorker }>('Restate: the thread object');

test.before(async (context) => {
  context.suite = await startRestateSuite();
  // Slow tools: a run stays in its tool round long enough to be watched, cancelled, overlapped.
  context.worker = await context.suite.worker({ TOOL_DELAY_MS: '400' });
});
test.after(async ({ suite }) => {
  assert.equal(suite.ts.internalErrors, []);
  await suite.close();
});


test('two runs sent to one thread at once: the second starts after the first ended', async ({ suite }) => {
  const threadId = (await suite.ts.openai.beta.threads.create()).id;
  const input = { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME() };
  const [first, second] = await Promise.all([suite.sendRun('assistantThread', threadId, input), suite.sendRun('assistantThread', threadId, input)]);
  // While one runs its tools, the other waits in Restate's queue for the thread's object.
  await until('the first run in its tools', async () => ((await suite.state('assistantThread', threadId))?.state === 'active.working.runningTools' ? true : null));
  const statuses = Object.fromEntries((await suite.restate.query<{ id: string; status: string }>(`select id, status from sys_invocation where id in ('${first}', '${second}')`)).map((row) => [row.id, row.status]));
  // (Restate 1.7 calls a queued invocation `pending`; earlier versions said `inboxed`.)
  assert.equal(Object.values(statuses).sort(), ['pending', 'running'], JSON.stringify(statuses));

  const outputs = await Promise.all([first, second].map((id) => suite.attach<AssistantRunOutput>(id)));
  assert.equal(outputs.map(({ status }) => status), [200, 200]);
  const runs = (await suite.ts.openai.beta.threads.runs.list(threadId, { order: 'asc' })).data;
  assert.is(runs.length, 2);
  assert.ok(runs.every((run) => run.status === 'completed'));
  assert.ok(runs[1]!.created_at >= runs[0]!.completed_at!, 'the second run was created once the first had completed');
  // No create was refused for an active run on the thread.
  assert.ok(suite.posts.filter((post) => post.kind === 'create' && post.target === threadId).every((post) => post.status === 200));
});

test('send { type: "cancel" } cancels the running run: the output is the cancelled run', async ({ suite }) => {
  const threadId = (await suite.ts.openai.beta.threads.create()).id;
  const invocationId = await suite.sendRun('assistantThread', threadId, { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME() });
  await until('the tool round', async () => ((await suite.state('assistantThread', threadId))?.state === 'active.working.runningTools' ? true : null));
  const sent = await suite.ingress<{ invocationId: string }>(`/assistantThread/${threadId}/send`, { type: 'cancel' });
  assert.equal(sent, { status: 200, body: { invocationId } });
  const { status, body } = await suite.attach<AssistantRunOutput>(invocationId);
  assert.is(status, 200);
  assert.is(body.run.status, 'cancelled');
  assert.is((await suite.ts.openai.beta.threads.runs.retrieve(body.run.id, { thread_id: threadId })).status, 'cancelled');
  // `output` answers the same for the thread's last run.
  const output = await suite.ingress<AssistantRunOutput>(`/assistantThread/${threadId}/output`, {});
  assert.is(output.body.run.status, 'cancelled');
});

test('an invocation cancelled through Restate cancels its run on the server, and ends with it', async ({ suite }) => {
  const threadId = (await suite.ts.openai.beta.threads.create()).id;
  const invocationId = await suite.sendRun('assistantThread', threadId, { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME() });
  await until('the tool round', async () => ((await suite.state('assistantThread', threadId))?.state === 'active.working.runningTools' ? true : null));
  const cancelled = await fetch(`${suite.restate.adminUrl}/invocations/${invocationId}/cancel`, { method: 'PATCH' });
  assert.ok(cancelled.ok, `${cancelled.status} ${await cancelled.text()}`);
  // As with send { type: 'cancel' }: the run is cancelled on the server, and the output says so.
  const { status, body } = await suite.attach<AssistantRunOutput>(invocationId);
  assert.equal([status, body.run.status], [200, 'cancelled']);
  assert.is((await suite.ts.openai.beta.threads.runs.retrieve(body.run.id, { thread_id: threadId })).status, 'cancelled');
});

test('{ runId } attaches to a run started elsewhere: its tools run here, it completes', async ({ suite }) => {
  const threadId = (await suite.ts.openai.beta.threads.create()).id;
  const started = await suite.ts.openai.beta.threads.runs.create(threadId, { assistant_id: suite.assistantId, additional_messages: ASK_WEATHER_AND_TIME() });
  const { status, body } = await suite.ingress<AssistantRunOutput>(`/assistantThread/${threadId}/run`, { runId: started.id });
  assert.is(status, 200, JSON.stringify(body));
  assert.equal([body.run.id, body.run.status], [started.id, 'completed']);
  assert.is(answerOf(body), EXPECTED_ANSWER());
});

test('a stream cut mid-way is re-attached by the chart, as in process: the run completes, created once', async ({ suite }) => {
  const threadId = (await suite.ts.openai.beta.threads.create()).id;
  suite.cutNextCreate(threadId);
  const { status, body } = await suite.ingress<AssistantRunOutput>(`/assistantThread/${threadId}/run`, { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME() });
  assert.is(status, 200, JSON.stringify(body));
  assert.is(answerOf(body), EXPECTED_ANSWER());
  assert.is((await suite.ts.openai.beta.threads.runs.list(threadId)).data.length, 1);
  // (The client may repeat the cut request: with the same key, which the server answers with the same run.)
  const creates = suite.posts.filter((post) => post.kind === 'create' && post.target === threadId);
  assert.is(new Set(creates.map((post) => post.idempotencyKey)).size, 1, 'the cut stream was not created again');
  const reattached = suite.posts.some((post) => post.kind === 'retrieve' && (post.target === body.run.id || post.target === `thread:${threadId}`));
  assert.ok(reattached, 'the chart re-attached: it read the run (by id, or by its key when the cut came before its id was recorded)');
});

test('a pause without tools waits for send { type: "submitToolOutputs" }', async ({ suite }) => {
  const threadId = (await suite.ts.openai.beta.threads.create()).id;
  const invocationId = await suite.sendRun('assistantThreadWithoutTools', threadId, { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME() });
  const paused = await until('the pause', async () => {
    const state = await suite.state('assistantThreadWithoutTools', threadId);
    return state?.state === 'active.working.awaitingOutputs' ? state : null;
  });
  const calls = paused.run?.required_action?.submit_tool_outputs.tool_calls ?? [];
  assert.equal(calls.map((call) => call.function.name).sort(), ['get_time', 'get_weather']);
  const toolOutputs = calls.map((call) => ({ tool_call_id: call.id, output: call.function.name === 'get_weather' ? '{"city":"Paris","temp":"22C"}' : '14:00' }));
  assert.is((await suite.ingress(`/assistantThreadWithoutTools/${threadId}/send`, { type: 'submitToolOutputs', toolOutputs })).status, 200);
  const { status, body } = await suite.attach<AssistantRunOutput>(invocationId);
  assert.is(status, 200);
  assert.is(answerOf(body), EXPECTED_ANSWER());
  const state = await suite.state('assistantThreadWithoutTools', threadId);
  assert.equal([state?.state, state?.ended, state?.run?.status], ['done', true, 'completed']);
});

test('bad input and commands without a run are refused with what and where', async ({ suite }) => {
  const threadId = (await suite.ts.openai.beta.threads.create()).id;
  const noAssistant = await suite.ingress<{ message: string }>(`/assistantThread/${threadId}/run`, { additionalMessages: ASK_WEATHER_AND_TIME() });
  assert.is(noAssistant.status, 400);
  assert.match(noAssistant.body.message, /input\.assistantId must be a non-empty string/);
  const otherThread = await suite.ingress<{ message: string }>(`/assistantThread/${threadId}/run`, { threadId: 'thread_other', assistantId: suite.assistantId });
  assert.is(otherThread.status, 400);
  assert.match(otherThread.body.message, /input\.threadId .* is not this object's key/);
  const noRun = await suite.ingress<{ message: string }>('/assistantThread/thread_never/send', { type: 'cancel' });
  assert.is(noRun.status, 404);
  assert.match(noRun.body.message, /no run is active on assistantThread\/thread_never/);
  const unknown = await suite.ingress<{ message: string }>(`/assistantThread/${threadId}/send`, { type: 'approve' });
  assert.ok(unknown.status === 404 || unknown.status === 400);
});

test('Responses API: a key is a conversation (made on its first run, or the conv_ id itself), its runs in it', async ({ suite }) => {
  const ask = (city: string) => ({ assistantId: 'scripted-assistant', additionalMessages: ASK_WEATHER_AND_TIME(city) });
  const first = await suite.ingress<AssistantRunOutput>('/assistantConversation/support-ticket-7/run', ask('Paris'));
  const second = await suite.ingress<AssistantRunOutput>('/assistantConversation/support-ticket-7/run', ask('Lisbon'));
  assert.equal([first.status, second.status], [200, 200]);
  assert.is(answerOf(second.body), EXPECTED_ANSWER('Lisbon'));
  const [one, two] = await Promise.all([first, second].map(({ body }) => suite.ts.openai.responses.retrieve(body.run.id)));
  assert.match(one!.conversation?.id ?? '', /^conv_/);
  assert.is(two!.conversation?.id, one!.conversation?.id, 'both runs in the key\'s conversation');
  assert.is(suite.posts.filter((post) => post.kind === 'conversation' && post.target === 'support-ticket-7').length, 1, 'made once, on the first run');

  // A conversation the caller made is a key as it is.
  const conversation = await suite.ts.openai.conversations.create({});
  const own = await suite.ingress<AssistantRunOutput>(`/assistantConversation/${conversation.id}/run`, ask('Rome'));
  assert.is(own.status, 200);
  assert.is((await suite.ts.openai.responses.retrieve(own.body.run.id)).conversation?.id, conversation.id);
});

test('Responses API, history previous_response_id: the runs of a key chained response to response', async ({ suite }) => {
  const key = 'chained';
  const ask = (city: string) => ({ assistantId: 'scripted-assistant', additionalMessages: ASK_WEATHER_AND_TIME(city) });
  const first = await suite.ingress<AssistantRunOutput>(`/assistantChain/${key}/run`, ask('Paris'));
  const second = await suite.ingress<AssistantRunOutput>(`/assistantChain/${key}/run`, ask('Lisbon'));
  assert.equal([first.status, second.status], [200, 200]);
  assert.is(answerOf(second.body), EXPECTED_ANSWER('Lisbon'));
  const secondStart = await suite.ts.openai.responses.retrieve(second.body.run.id);
  // The second run went on from the first run's last response (the one that wrote its answer).
  const previous = await suite.ts.openai.responses.retrieve(secondStart.previous_response_id!);
  const answer = previous.output.find((item) => item.type === 'message') as { id: string } | undefined;
  assert.is(answer?.id, first.body.messages.at(-1)!.id);
});

test.run();
