
import { toFile } from 'openai';
import * as assert from 'uvu/assert';
import { INTERRUPTED_BY_RESTART } from '../src/server/executor/runExecutor.ts';
import { readState, streamUntilDeltas, type CreatedIds } from './helpers/durableState.ts';
import { functionTool, } from './helpers/server.ts';
import { restartSuite } from './helpers/restartSuite.ts';

const { test, serverOn, dataDir } = restartSuite('durable state (SQLite)');

test('everything lists back identically after close and start on the same data dir', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  const { openai } = first;
  const ids: CreatedIds = { threads: [], vectorStores: [], fileBatches: [] };

  const file = await openai.files.create({ file: await toFile(Buffer.from('The handbook says the office opens at nine.\nLunch is at noon.'), 'handbook.txt'), purpose: 'assistants' });
  const binary = await openai.files.create({ file: await toFile(Buffer.from([0, 1, 2, 255]), 'blob.txt'), purpose: 'assistants' });
  const vectorStore = await openai.vectorStores.create({ name: 'docs', metadata: { team: 'a' } });
  ids.vectorStores.push(vectorStore.id);
  const batch = await openai.vectorStores.fileBatches.createAndPoll(vectorStore.id, { file_ids: [file.id, binary.id] });
  ids.fileBatches.push({ vectorStoreId: vectorStore.id, batchId: batch.id });
  await openai.vectorStores.update(vectorStore.id, { name: 'handbook docs' });
  const assistant = await openai.beta.assistants.create({
    model: 'scripted',
    name: 'helper',
    tools: [{ type: 'file_search' }, { type: 'code_interpreter' }, functionTool('get_weather', 'city')],
    tool_resources: { file_search: { vector_store_ids: [vectorStore.id] } },
  });
  const gone = await openai.beta.assistants.create({ model: 'scripted', name: 'deleted later' });
  await openai.beta.assistants.delete(gone.id);

  const searched = await openai.beta.threads.createAndRunPoll({
    assistant_id: assistant.id,
    thread: { messages: [{ role: 'user', content: 'What does the handbook say about when the office opens?' }], metadata: { kind: 'search' } },
  });
  assert.is(searched.status, 'completed');
  ids.threads.push(searched.thread_id);

  const thread = await openai.beta.threads.create({ messages: [{ role: 'user', content: 'What is 6 * 7?' }] });
  ids.threads.push(thread.id);
  const computed = await openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.is(computed.status, 'completed');
  const waiting = await openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id, additional_messages: [{ role: 'user', content: 'What is the weather in Paris?' }] });
  assert.is(waiting.status, 'requires_action');
  const callId = waiting.required_action?.submit_tool_outputs.tool_calls[0]?.id ?? '';
  const answered = await openai.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, { thread_id: thread.id, tool_outputs: [{ tool_call_id: callId, output: 'Sunny, 21 °C' }] });
  assert.is(answered.status, 'completed');
  await openai.beta.threads.runs.update(answered.id, { thread_id: thread.id, metadata: { reviewed: 'yes' } });
  await openai.beta.threads.update(thread.id, { metadata: { topic: 'maths and weather' } });
  const extra = await openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'Thanks!' });
  await openai.beta.threads.messages.update(extra.id, { thread_id: thread.id, metadata: { mood: 'happy' } });
  const removed = await openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'never mind' });
  await openai.beta.threads.messages.delete(removed.id, { thread_id: thread.id });
  const deletedThread = await openai.beta.threads.create();
  await openai.beta.threads.delete(deletedThread.id);
  ids.threads.push(deletedThread.id);

  const before = await readState(first, ids);
  await first.close();
  assert.equal(first.internalErrors, []);

  const second = await serverOn(dir);
  const after = await readState(second, ids);
  assert.equal(after, before);
  // The restored server goes on: a new run on a restored thread, with the restored assistant.
  const next = await second.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.is(next.status, 'completed');
  const messages = await second.openai.beta.threads.messages.list(thread.id, { limit: 100 });
  assert.is(messages.data.length, (before[`thread ${thread.id} messages`] as { body: { data: unknown[] } }).body.data.length + 1);
  await second.close();
  assert.equal(second.internalErrors, []);
});

test('a run streaming when the server stopped is failed after the restart, its events kept in place', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  const assistant = await first.openai.beta.assistants.create({ model: 'scripted' });
  const thread = await first.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper.' }] });
  const { frames: streamedBefore, runId } = await streamUntilDeltas(first, thread.id, { assistant_id: assistant.id, metadata: { scenario: 'slow' } }, 2);
  // Any change waits for what was queued before it: the deltas seen are on disk now.
  await first.openai.beta.threads.update(thread.id, { metadata: { checkpoint: '1' } });
  await first.close();

  const second = await serverOn(dir);
  const run = await second.openai.beta.threads.runs.retrieve(runId, { thread_id: thread.id });
  assert.is(run.status, 'failed');
  assert.equal(run.last_error, INTERRUPTED_BY_RESTART);
  const steps = await second.openai.beta.threads.runs.steps.list(runId, { thread_id: thread.id });
  assert.equal(steps.data.map((step) => [step.status, step.last_error?.code]), [['failed', 'server_error']]);
  const [message] = (await second.openai.beta.threads.messages.list(thread.id, { run_id: runId })).data;
  assert.is(message?.status, 'incomplete');
  assert.equal(message?.incomplete_details, { reason: 'run_failed' });

  // Re-attaching from the last event seen before the stop picks up exactly after it.
  const events = await (await second.request(`/threads/${thread.id}/runs/${runId}/events?starting_after=-1`)).text();
  assert.ok(events.startsWith(streamedBefore), 'the events before the stop are kept, with their ids');
  const lastId = Math.max(...[...streamedBefore.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1])));
  const resumed = await (await second.request(`/threads/${thread.id}/runs/${runId}/events?starting_after=${lastId}`)).text();
  const resumedIds = [...resumed.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));
  assert.is(resumedIds[0], lastId + 1);
  // Deltas emitted between the client hanging up and the stop were committed too; then the ending.
  const names = [...resumed.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
  assert.equal(names.slice(-4), ['thread.message.incomplete', 'thread.run.step.failed', 'thread.run.failed', 'done']);
  assert.ok(names.slice(0, -4).every((name) => name === 'thread.message.delta'), names.join(' '));
  await second.close();
  assert.equal([...first.internalErrors, ...second.internalErrors], []);
});

test('a run waiting for tool outputs when the server stopped is failed after the restart', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  const assistant = await first.openai.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
  const thread = await first.openai.beta.threads.create({ messages: [{ role: 'user', content: 'What is the weather in Oslo?' }] });
  const waiting = await first.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.is(waiting.status, 'requires_action');
  await first.close();

  const second = await serverOn(dir);
  const run = await second.openai.beta.threads.runs.retrieve(waiting.id, { thread_id: thread.id });
  assert.equal([run.status, run.required_action, run.last_error?.code], ['failed', null, 'server_error']);
  // The thread is free again.
  const next = await second.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.is(next.status, 'requires_action');
  await second.close();
});

test('without a data dir nothing is written and a second server starts empty', async () => {
  const first = await serverOn();
  await first.openai.beta.assistants.create({ model: 'scripted' });
  await first.close();
  const second = await serverOn();
  assert.is((await second.openai.beta.assistants.list()).data.length, 0);
  await second.close();
});

test.run();
