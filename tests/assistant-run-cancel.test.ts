// Cancelling an assistantRun: on request (while streaming, while its tools run, while the run is
// queued on the server, while it waits its turn here), past its deadline, and on stop.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, toPromise, waitFor } from 'xstate';
import { createAssistantRun, DeadlineExceededError, RunNotStartedError, type AssistantRunInput, type AssistantRunProgress, type Run } from '../src/index.ts';
import { clientOf, WEATHER_AND_TIME } from './helpers/assistantRun.ts';
import { within } from './helpers/loopback.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ ts: TestServer; slowSteps: TestServer; assistantId: string; slowAssistantId: string }>('assistantRun cancel');

const ASK = [{ role: 'user' as const, content: "What's the weather and the time in Paris?" }];
const STORY = [{ role: 'user' as const, content: 'Tell me a long story' }];

test.before(async (context) => {
  context.ts = await startTestServer();
  // Every status change waits 150 ms here: a run stays queued long enough to cancel it there.
  // A run stays queued for a whole step delay: long enough that a loaded machine still cancels it there.
  context.slowSteps = await startTestServer({ pace: { deltaDelayMs: 0, stepDelayMs: 2_000 } });
  context.assistantId = (await context.ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME })).id;
  context.slowAssistantId = (await context.slowSteps.openai.beta.assistants.create({ model: 'scripted' })).id;
});
test.after(async ({ ts, slowSteps }) => {
  assert.equal(ts.internalErrors, []);
  assert.equal(slowSteps.internalErrors, []);
  await ts.close();
  await slowSteps.close();
});

function started(logic: ReturnType<typeof createAssistantRun>, input: AssistantRunInput) {
  const actor = createActor(logic, { input });
  const progress: AssistantRunProgress[] = [];
  actor.on('*', (item) => progress.push(item));
  actor.start();
  return { actor, progress };
}

async function serverStatus(ts: TestServer, run: Run): Promise<string> {
  return (await ts.openai.beta.threads.runs.retrieve(run.id, { thread_id: run.thread_id })).status;
}

test('cancel while streaming: the server run ends cancelled, and the actor ends once that is confirmed', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const { actor, progress } = started(createAssistantRun({ client: clientOf(ts.server.url) }), { threadId: thread.id, assistantId, metadata: { scenario: 'slow' }, additionalMessages: STORY });
  await waitFor(actor, () => progress.some((item) => item.type === 'assistantRun.textDelta'), { timeout: 5000 });
  actor.send({ type: 'cancel' });
  const output = await within(toPromise(actor), 5000, 'the cancelled run');
  assert.is(output.run.status, 'cancelled');
  assert.is(await serverStatus(ts, output.run), 'cancelled');
  assert.is(output.messages[0]?.status, 'incomplete');
});

test('cancel while the tools run: their signal aborts, nothing is submitted, the run ends cancelled', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const aborted: string[] = [];
  const hang = (name: string) => (_args: unknown, { signal }: { signal: AbortSignal }) =>
    new Promise((_resolve, reject) => signal.addEventListener('abort', () => {
      aborted.push(name);
      reject(new Error('aborted'));
    }));
  const { actor, progress } = started(createAssistantRun({ client: clientOf(ts.server.url), tools: { get_weather: hang('get_weather'), get_time: hang('get_time') } }), {
    threadId: thread.id,
    assistantId,
    additionalMessages: ASK,
  });
  await waitFor(actor, (snapshot) => snapshot.matches({ active: { working: 'runningTools' } }), { timeout: 5000 });
  actor.send({ type: 'cancel' });
  const output = await within(toPromise(actor), 5000, 'the cancelled run');
  assert.is(output.run.status, 'cancelled');
  assert.is(await serverStatus(ts, output.run), 'cancelled');
  assert.equal(aborted.sort(), ['get_time', 'get_weather']);
  assert.not.ok(progress.some((item) => item.type === 'assistantRun.toolOutputs'));
});

test('cancel while the run is queued on the server: it ends cancelled without ever running', async ({ slowSteps, slowAssistantId }) => {
  const thread = await slowSteps.openai.beta.threads.create();
  const { actor, progress } = started(createAssistantRun({ client: clientOf(slowSteps.server.url) }), { threadId: thread.id, assistantId: slowAssistantId, additionalMessages: STORY });
  await waitFor(actor, () => progress.some((item) => item.type === 'assistantRun.status' && item.run.status === 'queued'), { timeout: 5000 });
  actor.send({ type: 'cancel' });
  const output = await within(toPromise(actor), 5000, 'the cancelled run');
  assert.is(output.run.status, 'cancelled');
  assert.is(output.run.started_at ?? null, null, 'the run never started');
  assert.is(await serverStatus(slowSteps, output.run), 'cancelled');
  assert.equal(output.messages, []);
});

test('cancel while waiting for the thread: no run is created, the actor fails with RunNotStartedError', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const logic = createAssistantRun({ client: clientOf(ts.server.url) });
  const first = started(logic, { threadId: thread.id, assistantId, metadata: { scenario: 'slow' }, additionalMessages: STORY });
  const second = started(logic, { threadId: thread.id, assistantId, additionalMessages: STORY });
  assert.ok(second.actor.getSnapshot().matches({ active: { working: 'queued' } }));
  const ending = toPromise(second.actor).then(() => undefined, (thrown: unknown) => thrown);
  second.actor.send({ type: 'cancel' });
  const error = await ending;
  assert.instance(error, RunNotStartedError);
  assert.is((error as RunNotStartedError).reason, 'cancel');
  first.actor.send({ type: 'cancel' });
  await toPromise(first.actor);
  const runs = await ts.openai.beta.threads.runs.list(thread.id);
  assert.is(runs.data.length, 1, 'only the first run was ever created');
});

test('deadline: past deadlineMs the run is cancelled, that is confirmed, and the actor fails with DeadlineExceededError', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const { actor } = started(createAssistantRun({ client: clientOf(ts.server.url) }), { threadId: thread.id, assistantId, metadata: { scenario: 'slow' }, additionalMessages: STORY, deadlineMs: 250 });
  const error = await within(toPromise(actor).then(() => undefined, (thrown: unknown) => thrown), 5000, 'the deadline');
  assert.instance(error, DeadlineExceededError);
  const run = (error as DeadlineExceededError<Run>).lastObject!;
  assert.is(run.status, 'cancelled');
  assert.is(await serverStatus(ts, run), 'cancelled');
  assert.match((error as Error).message, `the run on thread ${thread.id} did not finish by its deadline`);
});

test('stopping the actor leaves the run alone; with cancelOnStop it cancels the run', async ({ ts, assistantId }) => {
  for (const cancelOnStop of [false, true]) {
    const thread = await ts.openai.beta.threads.create();
    const { actor, progress } = started(createAssistantRun({ client: clientOf(ts.server.url), cancelOnStop }), { threadId: thread.id, assistantId, metadata: { scenario: 'slow' }, additionalMessages: STORY });
    await waitFor(actor, () => progress.some((item) => item.type === 'assistantRun.textDelta'), { timeout: 5000 });
    const runId = actor.getSnapshot().context.runId!;
    actor.stop();
    if (cancelOnStop) {
      const final = await ts.openai.beta.threads.runs.poll(runId, { thread_id: thread.id }, { pollIntervalMs: 5 });
      assert.is(final.status, 'cancelled');
    } else {
      // Left alone, the run keeps writing its answer; then the test cancels it itself.
      const written = async () => JSON.stringify((await ts.openai.beta.threads.messages.list(thread.id)).data[0]?.content ?? []).length;
      const atStop = await written();
      for (let tries = 0; (await written()) === atStop && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok((await written()) > atStop, 'the run went on after the actor stopped');
      assert.is((await ts.openai.beta.threads.runs.cancel(runId, { thread_id: thread.id })).status, 'cancelling');
    }
  }
});

test.run();
