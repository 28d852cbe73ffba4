import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { APIUserAbortError, AssistantsClient, createPollMachine, restorePollActor, settlePoll, InvalidArgumentError, type PollActor, type Run } from '../src/index.ts';
import { makeRun } from '../src/testing/index.ts';
import { handlesLeftAfterClose, json, startLoopback, within } from './helpers/loopback.ts';
import { bundleChild } from './helpers/childBundle.ts';

// A poll persisted in this process is restored in a fresh process with a fresh client, and
// finishes there: the wait resumes at the original wake-up time, then the run completes.

const baseline = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind.startsWith('TCP'));
// The child's source bundled once: it starts far faster than under tsx.
const childSource = bundleChild('helpers/poll-child.ts', 'poll-child');
const target = { resource: 'run', threadId: 'thread_1', runId: 'run_1' } as const;

async function runChild(snapshotJSON: string, baseURL: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  await childSource.ready;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childSource.path], {
      env: { ...process.env, POLL_BASE_URL: baseURL },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(snapshotJSON);
  });
}

function whenWaiting(actor: PollActor): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (actor.getSnapshot().matches({ polling: 'waiting' })) {
        subscription.unsubscribe();
        resolve();
      }
    };
    const subscription = actor.subscribe(check);
    check();
  });
}

test('a poll persisted while waiting finishes in another process, waking at the original time', async () => {
  const retrieves: Array<{ at: number; authorization: string | undefined; pollHelper: string | undefined }> = [];
  const server = await startLoopback((request, response) => {
    retrieves.push({ at: Date.now(), authorization: request.headers.authorization, pollHelper: request.headers['x-stainless-poll-helper'] as string | undefined });
    json(response, 200, makeRun({ status: retrieves.length === 1 ? 'in_progress' : 'completed' }));
  });
  try {
    const first = new AssistantsClient({ apiKey: 'sk-parent', baseURL: server.url });
    const actor = createActor(createPollMachine(first), { input: { target, pollIntervalMs: 1500, deadlineAt: Date.now() + 60_000 } });
    actor.start();
    await within(whenWaiting(actor), 5000, 'the first wait');
    const persisted = JSON.stringify(actor.getPersistedSnapshot());
    actor.stop();
    const { wakeAt } = JSON.parse(persisted).context as { wakeAt: number };

    const { code, stdout, stderr } = await runChild(persisted, server.url);
    assert.is(code, 0, stderr);
    assert.equal(JSON.parse(stdout), { restoredState: '{"polling":"waiting"}', status: 'completed', id: 'run_1' });
    assert.is(retrieves.length, 2);
    assert.is(retrieves[0]!.authorization, 'Bearer sk-parent');
    assert.is(retrieves[1]!.authorization, 'Bearer sk-child', 'the restored poll uses the new process’s client');
    assert.is(retrieves[1]!.pollHelper, 'true');
    assert.ok(retrieves[1]!.at >= wakeAt - 5, `retrieved at ${retrieves[1]!.at}, due at ${wakeAt}`);
  } finally {
    await server.close();
  }
});

test('a poll persisted mid-retrieve retrieves again when restored', async () => {
  let answer: (() => void) | undefined;
  let n = 0;
  const server = await startLoopback((_, response) => {
    n++;
    if (n === 1) answer = () => json(response, 200, makeRun({ status: 'in_progress' }));
    else json(response, 200, makeRun({ status: 'completed' }));
  });
  try {
    const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: server.url });
    const actor = createActor(createPollMachine(client), { input: { target, pollIntervalMs: 0 } });
    actor.start();
    for (let spins = 0; answer === undefined && spins < 10_000; spins++) await new Promise((resolve) => setImmediate(resolve));
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
    actor.stop();
    assert.equal(persisted.value, { polling: 'fetching' });
    const run = await within(settlePoll<Run>(restorePollActor(createPollMachine(client), persisted)), 5000, 'the restored poll');
    assert.is(run.status, 'completed');
    assert.is(n, 2);
  } finally {
    await server.close();
  }
});

test('settlePoll: a poll actor stopped from outside rejects with APIUserAbortError', async () => {
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 });
  const actor = createActor(createPollMachine(client), { input: { target, pollIntervalMs: 0 } });
  const settling = settlePoll<Run>(actor);
  actor.stop();
  const error = await settling.then(() => undefined, (thrown: unknown) => thrown);
  assert.instance(error, APIUserAbortError);
  assert.match((error as Error).message, 'stopped');
});

test('restorePollActor rejects something that is not a persisted snapshot', () => {
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1' });
  for (const bad of [null, 'text', { status: 'active' }]) {
    assert.throws(() => restorePollActor(createPollMachine(client), bad), (error: unknown) => error instanceof InvalidArgumentError);
  }
});

test('nothing is left running', async () => {
  assert.equal(await handlesLeftAfterClose(baseline), []);
});

test.run();
