// Durable state survives SIGKILL: `serve --data-dir` in a child process, killed mid-run; a
// server started again on the same directory lists everything back, and the killed run is
// failed as docs/server.md says.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { INTERRUPTED_BY_RESTART } from '../src/server/executor/runExecutor.ts';
import { spawnCli } from './helpers/cli.ts';
import { readState, streamUntilDeltas, type CreatedIds } from './helpers/durableState.ts';
import { functionTool, startTestServer, type TestServer } from './helpers/server.ts';

const test = suite('durable state (SIGKILL)');

test('state made by a killed `serve --data-dir` lists back identically; its streaming run is failed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'assistant-machines-kill-'));
  let restarted: TestServer | undefined;
  try {
    let work: Promise<{ before: Record<string, unknown>; ids: CreatedIds; runId: string; threadId: string; frames: string }> | undefined;
    const exited = await spawnCli(['serve', '--port', '0', '--fast', '--data-dir', dir], {}, (stdout, child) => {
      const url = /listening on (http:\S+)/.exec(stdout)?.[1];
      if (url === undefined || work !== undefined) return;
      work = createStateThenKill(url, () => child.kill('SIGKILL'));
    });
    assert.is(exited.code, null, 'the child was killed, not stopped');
    const { before, ids, runId, threadId, frames } = await work!;

    restarted = await startTestServer({ dataDir: dir });
    const after = await readState(restarted, ids);
    const killedRun = `run ${runId}`;
    // Everything but the killed run (and its thread's answer, cut short) reads back as it was.
    const unchanged = (state: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(state).filter(([key]) => !key.startsWith(killedRun) && !key.startsWith(`thread ${threadId}`)));
    assert.equal(unchanged(after), unchanged(before));
    const run = await restarted.openai.beta.threads.runs.retrieve(runId, { thread_id: threadId });
    assert.equal([run.status, run.last_error], ['failed', INTERRUPTED_BY_RESTART]);
    const events = await (await restarted.request(`/threads/${threadId}/runs/${runId}/events`)).text();
    assert.ok(events.startsWith(frames), 'the events streamed before the kill keep their place and ids');
    assert.ok(events.includes('event: thread.run.failed'));
    await restarted.close();
    assert.equal(restarted.internalErrors, []);
  } finally {
    await restarted?.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function createStateThenKill(url: string, kill: () => void) {
  const openai = new OpenAI({ baseURL: url, apiKey: 'unused', maxRetries: 0 });
  const t = { openai, request: (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, { ...init, headers: { 'content-type': 'application/json', 'openai-beta': 'assistants=v2' } }) } as TestServer;
  try {
    const ids: CreatedIds = { threads: [], vectorStores: [], fileBatches: [] };
    const assistant = await openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
    const done = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hello there' }] } });
    ids.threads.push(done.thread_id);
    const thread = await openai.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper.' }] });
    ids.threads.push(thread.id);
    const { frames, runId } = await streamUntilDeltas(t, thread.id, { assistant_id: assistant.id, metadata: { scenario: 'slow' } }, 3);
    // A change waits for everything queued before it: the deltas seen are committed.
    await openai.beta.assistants.update(assistant.id, { name: 'checkpoint' });
    const before = await readState(t, ids);
    kill();
    return { before, ids, runId, threadId: thread.id, frames };
  } catch (error) {
    kill();
    throw error;
  }
}

test.run();
