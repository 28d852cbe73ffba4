// A persisted assistantRun restores in another process and carries on to the same end, with no
// second accepted submission for a pause: persisted in one child process (while its tools run,
// or while it streams), restored in another. In-process restores cover the other states.
import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, toPromise, waitFor } from 'xstate';
import { createAssistantRun, InvalidArgumentError, restoreAssistantRun, type AssistantRunActor, type ToolFunctions } from '../src/index.ts';
import { clientOf, WEATHER_AND_TIME } from './helpers/assistantRun.ts';
import { startCuttingProxy, type CuttingProxy } from './helpers/cuttingProxy.ts';
import { within } from './helpers/loopback.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { bundleChild } from './helpers/childBundle.ts';

const test = suite<{ ts: TestServer; proxy: CuttingProxy; assistantId: string }>('assistantRun persistence');
// The child's source bundled once: it starts far faster than under tsx.
const childSource = bundleChild('helpers/assistant-run-child.ts', 'assistant-run-child');
const ASK = [{ role: 'user' as const, content: "What's the weather and the time in Paris?" }];
const ANSWER = 'The tools returned:\n- get_weather: 22C\n- get_time: 14:00';

test.before(async (context) => {
  context.ts = await startTestServer();
  // A proxy that never cuts: it counts the submissions the server accepted.
  context.proxy = await startCuttingProxy(context.ts.server.url);
  context.assistantId = (await context.ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME })).id;
});
test.after(async ({ ts, proxy }) => {
  assert.equal(ts.internalErrors, []);
  await proxy.close();
  await ts.close();
});

async function runChild(env: Record<string, string>, stdin = ''): Promise<string> {
  await childSource.ready;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childSource.path], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`child exited ${code}: ${stderr}`))));
    child.stdin.end(stdin);
  });
}

const accepted = (proxy: CuttingProxy, threadId: string) => proxy.submissions.filter((s) => s.threadId === threadId && s.status === 200).length;

for (const [persistAt, state] of [['tools', '{"active":{"working":"runningTools"}}'], ['streaming', '{"active":{"working":"creating"}}']] as const) {
  test(`persisted in one process ${persistAt === 'tools' ? 'while its tools run' : 'while it streams'}, restored in another: completed, one submission`, async ({ ts, proxy, assistantId }) => {
    const thread = await ts.openai.beta.threads.create();
    const env = { CHILD_BASE_URL: proxy.url, CHILD_THREAD_ID: thread.id, CHILD_ASSISTANT_ID: assistantId };
    const snapshot = await within(runChild({ ...env, CHILD_MODE: 'persist', PERSIST_AT: persistAt }), 20_000, 'the first process');
    const result = JSON.parse(await within(runChild({ ...env, CHILD_MODE: 'restore' }, snapshot), 20_000, 'the second process'));
    assert.equal(result, { restoredState: state, status: 'completed', text: ANSWER, executions: ['get_time', 'get_weather'] });
    assert.is(accepted(proxy, thread.id), 1);
    assert.is((await ts.openai.beta.threads.runs.list(thread.id)).data.length, 1, 'one run');
  });
}

// In this process, with a fresh logic (its own tool registry) standing in for another process.
async function restoreAndFinish(snapshot: unknown, url: string, tools: ToolFunctions) {
  const actor = restoreAssistantRun(createAssistantRun({ client: clientOf(url), tools }), JSON.parse(JSON.stringify(snapshot)));
  actor.start();
  return within(toPromise(actor), 10_000, 'the restored run');
}

const answering: ToolFunctions = { get_weather: () => '22C', get_time: () => '14:00' };

for (const [name, stateOf] of [
  ['before any request (no run id yet)', (actor: AssistantRunActor) => actor.getSnapshot().matches({ active: { working: 'creating' } })],
  ['with outputs computed, submitting', (actor: AssistantRunActor) => actor.getSnapshot().matches({ active: { working: 'submitting' } })],
  ['while the answer streams', (actor: AssistantRunActor) => actor.getSnapshot().matches({ active: { working: 'submitting' } }) && actor.getSnapshot().context.submittedPauses.length === 1],
] as const) {
  test(`persisted ${name}, restored: the same end, one run, one accepted submission`, async ({ ts, proxy, assistantId }) => {
    const thread = await ts.openai.beta.threads.create();
    const executions: string[] = [];
    const counted = (name: string, output: string) => () => {
      executions.push(name);
      return output;
    };
    const counting: ToolFunctions = { get_weather: counted('get_weather', '22C'), get_time: counted('get_time', '14:00') };
    const actor = createActor(createAssistantRun({ client: clientOf(proxy.url), tools: counting }), { input: { threadId: thread.id, assistantId, additionalMessages: ASK, pollIntervalMs: 5 } });
    actor.start();
    await waitFor(actor, () => stateOf(actor), { timeout: 5000 });
    const snapshot = actor.getPersistedSnapshot();
    actor.stop();
    const { run, messages } = await restoreAndFinish(snapshot, proxy.url, answering);
    assert.is(run.status, 'completed');
    assert.is(messages.length, 1);
    assert.is((await ts.openai.beta.threads.runs.list(thread.id)).data.length, 1, 'one run');
    assert.is(accepted(proxy, thread.id), 1);
    assert.ok(executions.length <= 2, 'the first process ran each tool at most once');
  });
}

test('persisted while waiting on a cancel, restored: the cancel is confirmed and the actor ends with the cancelled run', async ({ ts, proxy, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const actor = createActor(createAssistantRun({ client: clientOf(proxy.url) }), {
    input: { threadId: thread.id, assistantId, metadata: { scenario: 'slow' }, additionalMessages: [{ role: 'user', content: 'Tell me a story' }], pollIntervalMs: 5 },
  });
  const progress: string[] = [];
  actor.on('assistantRun.textDelta', ({ text }) => progress.push(text));
  actor.start();
  await waitFor(actor, () => progress.length > 0, { timeout: 5000 });
  actor.send({ type: 'cancel' });
  assert.ok(actor.getSnapshot().matches({ active: 'cancelling' }));
  const snapshot = actor.getPersistedSnapshot();
  actor.stop();
  const { run } = await restoreAndFinish(snapshot, proxy.url, {});
  assert.is(run.status, 'cancelled');
  assert.is((await ts.openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).status, 'cancelled');
});

test('restoreAssistantRun refuses what is not a persisted assistantRun snapshot', () => {
  const logic = createAssistantRun({ client: clientOf('http://127.0.0.1:9/v1') });
  for (const bad of [null, 'text', { value: 'done' }, { value: 'done', context: { threadId: 7 } }]) {
    assert.throws(() => restoreAssistantRun(logic, bad), (error: unknown) => error instanceof InvalidArgumentError && /assistantRun snapshot/.test((error as Error).message));
  }
});

test.run();
