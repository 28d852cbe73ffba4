// Several servers on one PostgreSQL: a run created on one is streamed, polled, cancelled and
// re-attached through another; 200 concurrent runs across two servers, none lost or doubled.
import * as assert from 'uvu/assert';
import { ABANDONED_BY_OWNER, INTERRUPTED_BY_RESTART } from '../src/server/index.ts';
import { functionTool, startTestServer, type TestServer } from './helpers/server.ts';
import { twoServersOnPostgres } from './helpers/twoServersOnPostgres.ts';

const test = twoServersOnPostgres('scale-out on PostgreSQL');

test('a run created on A is streamed from B, cancelled from B, and seen cancelled on A', async ({ a, b }) => {
  const assistant = await a.openai.beta.assistants.create({ model: 'scripted' });
  const thread = await a.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper.' }] });
  const run = await a.openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, metadata: { scenario: 'slow' } });

  // B streams the run A executes, from its first event.
  const response = await b.request(`/threads/${thread.id}/runs/${run.id}/events`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while ((text.match(/^event: thread\.message\.delta$/gm) ?? []).length < 2) {
    const { done, value } = await reader.read();
    assert.not.ok(done, 'the stream from B went on');
    text += value;
  }
  const cancelling = await b.openai.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
  assert.is(cancelling.status, 'cancelling');
  while (!text.includes('event: done')) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  const names = [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
  assert.equal(names.slice(0, 4), ['thread.run.created', 'thread.run.queued', 'thread.run.in_progress', 'thread.run.step.created']);
  assert.equal(names.slice(-2), ['thread.run.cancelled', 'done'], 'B streamed the cancellation through');
  assert.ok(names.includes('thread.run.cancelling'));
  const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
  assert.equal(ids, ids.map((_, index) => index), "B streams A's events at their positions");

  const onA = await a.openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
  assert.is(onA.status, 'cancelled');
  const onB = await b.openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
  assert.equal(onB, onA);
  // Re-attaching through B from a position gives the rest, as on A.
  const after = ids[3]!;
  const fromA = await (await a.request(`/threads/${thread.id}/runs/${run.id}/events?starting_after=${after}`)).text();
  const fromB = await (await b.request(`/threads/${thread.id}/runs/${run.id}/events?starting_after=${after}`)).text();
  assert.is(fromB, fromA);
  assert.equal([...a.internalErrors, ...b.internalErrors], []);
});

test('tool outputs submitted through B resume the run A executes; B polls it to the end', async ({ a, b }) => {
  const assistant = await b.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
  const thread = await b.openai.beta.threads.create({ messages: [{ role: 'user', content: 'What is the weather in Lima?' }] });
  const waiting = await a.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.is(waiting.status, 'requires_action');
  const callId = waiting.required_action?.submit_tool_outputs.tool_calls[0]?.id ?? '';
  await b.openai.beta.threads.runs.submitToolOutputs(waiting.id, { thread_id: thread.id, tool_outputs: [{ tool_call_id: callId, output: 'Foggy, 17 °C' }] });
  const done = await b.openai.beta.threads.runs.poll(waiting.id, { thread_id: thread.id });
  assert.is(done.status, 'completed');
  const [answer] = (await b.openai.beta.threads.messages.list(thread.id, { run_id: waiting.id })).data;
  assert.match(JSON.stringify(answer?.content), /Foggy, 17 °C/);
  const steps = async (server: TestServer) => (await server.openai.beta.threads.runs.steps.list(waiting.id, { thread_id: thread.id })).data;
  assert.equal(await steps(b), await steps(a));
  assert.equal((await steps(a)).map((step) => step.status), ['completed', 'completed']);
});

test('200 concurrent runs across both servers: each one completes once, seen the same on both', async ({ a, b }) => {
  const assistant = await a.openai.beta.assistants.create({ model: 'scripted' });
  const servers = [a, b];
  const runs = await Promise.all(
    Array.from({ length: 200 }, (_, index) =>
      servers[index % 2]!.openai.beta.threads.createAndRun({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: `Hello number ${index}` }] } }),
    ),
  );
  assert.is(new Set(runs.map((run) => run.id)).size, 200);
  // Each run polled to its end through the other server.
  const finished = await Promise.all(runs.map((run, index) => servers[(index + 1) % 2]!.openai.beta.threads.runs.poll(run.id, { thread_id: run.thread_id })));
  assert.equal([...new Set(finished.map((run) => run.status))], ['completed']);
  for (const server of servers) {
    const listed = await Promise.all(runs.map((run) => server.openai.beta.threads.runs.list(run.thread_id)));
    assert.equal(
      listed.map((page) => page.data.map((run) => run.id)),
      runs.map((run) => [run.id]),
    );
    const messages = await Promise.all(runs.map((run) => server.openai.beta.threads.messages.list(run.thread_id)));
    assert.equal(
      messages.map((page) => page.data.map((message) => `${message.role}:${message.status}`)),
      runs.map(() => ['assistant:completed', 'user:completed']),
    );
  }
  assert.equal([...a.internalErrors, ...b.internalErrors], []);
});

test('a server starting later ends the active runs of a stopped server, and follows those of a running one', async ({ a, b, cluster }) => {
  const assistant = await a.openai.beta.assistants.create({ model: 'scripted' });
  const story = { role: 'user' as const, content: 'Tell me a long story about a lighthouse keeper.' };
  const stopped = await startTestServer({ databaseUrl: cluster.url });
  const orphanThread = await stopped.openai.beta.threads.create({ messages: [story] });
  const orphan = await stopped.openai.beta.threads.runs.create(orphanThread.id, { assistant_id: assistant.id, metadata: { scenario: 'slow' } });
  const liveThread = await a.openai.beta.threads.create({ messages: [story] });
  const live = await a.openai.beta.threads.runs.create(liveThread.id, { assistant_id: assistant.id, metadata: { scenario: 'slow' } });
  await stopped.close();

  const late = await startTestServer({ databaseUrl: cluster.url });
  const ended = await b.openai.beta.threads.runs.retrieve(orphan.id, { thread_id: orphanThread.id });
  assert.equal([ended.status, ended.last_error], ['failed', INTERRUPTED_BY_RESTART]);
  const followed = await late.openai.beta.threads.runs.retrieve(live.id, { thread_id: liveThread.id });
  assert.ok(['queued', 'in_progress'].includes(followed.status), `A's run goes on (${followed.status})`);
  const finished = await late.openai.beta.threads.runs.poll(live.id, { thread_id: liveThread.id });
  assert.is(finished.status, 'completed');
  await late.close();
  assert.equal([...late.internalErrors, ...stopped.internalErrors], []);
});

test('a server that stops while others run: one of them ends its active runs, once, and the thread is free again', async ({ cluster }) => {
  const [x, y, gone] = await Promise.all([0, 1, 2].map(() => startTestServer({ databaseUrl: cluster.url, ownerCheckIntervalMs: 50 })));
  try {
    const assistant = await gone!.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
    const thread = await gone!.openai.beta.threads.create({ messages: [{ role: 'user', content: 'What is the weather in Lima?' }] });
    // Paused at requires_action, the run stays active for minutes: only its server ends it.
    const paused = await gone!.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
    assert.is(paused.status, 'requires_action');
    await gone!.close();

    // Y watches the run until it ends, which one of the servers still running writes (a poll would
    // stop at requires_action).
    let ended = paused;
    for (let checks = 0; ended.status === 'requires_action' && checks < 200; checks++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ended = await y!.openai.beta.threads.runs.retrieve(paused.id, { thread_id: thread.id });
    }
    assert.is(ended.status, 'failed');
    // The log as Y holds it: a stream ends at requires_action, the next one picks up after it.
    const read = async (query: string) => (await y!.request(`/threads/${thread.id}/runs/${paused.id}/events${query}`)).text();
    const first = await read('');
    const pausedAt = Number([...first.matchAll(/^id: (\d+)$/gm)].at(-1)![1]);
    const rest = await read(`?starting_after=${pausedAt}`);
    const names = [...rest.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    assert.equal(names, ['thread.run.step.failed', 'thread.run.failed', 'done']);
    const ids = [...`${first}${rest}`.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
    assert.equal(ids, ids.map((_, index) => index), "the ending continues the gone server's log");
    for (const server of [x!, y!]) {
      const run = await server.openai.beta.threads.runs.retrieve(paused.id, { thread_id: thread.id });
      assert.equal([run.status, run.last_error, run.required_action], ['failed', ABANDONED_BY_OWNER, null]);
      const [step] = (await server.openai.beta.threads.runs.steps.list(paused.id, { thread_id: thread.id })).data;
      assert.is(step?.status, 'failed');
    }
    const onX = await (await x!.request(`/threads/${thread.id}/runs/${paused.id}/events?starting_after=${pausedAt}`)).text();
    assert.is(onX, rest, 'X holds the same ending: one server wrote it');
    // The thread takes a new run, executed by a server still running.
    const next = await x!.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id, tool_choice: 'none' });
    assert.is(next.status, 'completed');
    assert.equal([...x!.internalErrors, ...y!.internalErrors, ...gone!.internalErrors], []);
  } finally {
    await Promise.all([x?.close(), y?.close()]);
  }
});

test.run();
