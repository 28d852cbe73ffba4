// What keeps the embedded server's memory bounded: a huge message gets a short answer, and a
// run long finished keeps only its last event (re-attaching then gets that final word).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { RunEventLog } from '../src/server/executor/eventLog.ts';
import { createServer } from '../src/server/index.ts';
import { MAX_ECHO_CHARACTERS } from '../src/server/model/scriptedModel.ts';

test('a 1 MiB message gets an answer that repeats at most a bounded part of it', async () => {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'k' });
    const assistant = await client.beta.assistants.create({ model: 'scripted' });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'x'.repeat(1 << 20) }] });
    const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const [message] = await stream.finalMessages();
    const answer = (message!.content[0] as { text: { value: string } }).text.value;
    assert.ok(answer.length < MAX_ECHO_CHARACTERS + 400, `${answer.length} characters`);
    assert.ok(answer.includes('x'.repeat(MAX_ECHO_CHARACTERS)) && answer.includes('…'));
  } finally {
    await server.close();
  }
});

test('compacting a log keeps its last event at its position, and replays start there', () => {
  const log = new RunEventLog();
  for (const name of ['thread.run.created', 'thread.run.queued', 'thread.run.in_progress']) log.append(name, { id: 'run_1', pad: 'p'.repeat(100) });
  log.append('thread.run.completed', { id: 'run_1' }, true);
  const before = log.bytes;
  log.compact();
  assert.ok(log.bytes < before / 3, 'most bytes are gone');
  assert.is(log.length, 4, 'positions stay');
  const replayed: string[] = [];
  log.subscribe(0, { event: (entry) => replayed.push(entry.frame.split('\n')[0]!), close: () => {} });
  assert.equal(replayed, ['id: 3']);
  assert.ok(log.endsStreamAt(1), 'a dropped position counts as having ended a stream');
});

test('a run terminal for longer than eventLogRetentionMs keeps only its final event', async () => {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, eventLogRetentionMs: 0 });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'k' });
    const assistant = await client.beta.assistants.create({ model: 'scripted' });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hello' }] });
    const run = await client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).finalRun();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const names: string[] = [];
    const again = client.beta.threads.runs.attachStream(thread.id, run.id);
    again.on('event', (event) => names.push(event.event));
    assert.is((await again.finalRun()).status, 'completed');
    assert.equal(names, ['thread.run.completed']);
  } finally {
    await server.close();
  }
});

test.run();
