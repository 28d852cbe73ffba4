import OpenAI from 'openai';
import * as assert from 'uvu/assert';
import { answerPausedCall, makeConversations, readConversations } from './helpers/conversationState.ts';
import { restartSuite } from './helpers/restartSuite.ts';

// Conversations on SQLite: their objects, items (in order, deletions included) and the thread
// list read back the same after a restart, and a conversation goes on; a function call its run
// left paused at the restart is refused with a message that says why (runs are not resumed).

const { test, serverOn, dataDir } = restartSuite('durable conversations (SQLite)');

test('conversations and their items read back the same after close and start on the same data dir', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const first = await serverOn(dir);
  const ids = await makeConversations(first.openai);
  const before = (await readConversations(first.openai, ids)) as {
    conversations: Array<{ conversation: { metadata: object }; items: unknown[] }>;
    deleted: unknown;
    threads: { data: Array<{ metadata: object }> };
  };
  assert.equal(
    before.conversations.map(({ conversation, items }) => [conversation.metadata, items.length]),
    [
      [{ topic: 'greetings', reviewed: 'yes' }, 5],
      [{}, 2],
      [{}, 2],
    ],
  );
  assert.is(before.deleted, 404);
  assert.equal(
    before.threads.data.map((thread) => thread.metadata),
    [{ name: 'second' }, { name: 'first' }],
    'the threads made to run responses are not listed',
  );
  await first.close();

  const second = await serverOn(dir);
  assert.equal(await readConversations(second.openai, ids), before);
  const [greeted] = ids.kept;
  const next = await second.openai.responses.create({ model: 'scripted', conversation: greeted!, input: 'Still there?' });
  assert.match(next.output_text, /Still there\?/);
  const refused = await answerPausedCall(second.openai, ids).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(refused instanceof OpenAI.BadRequestError);
  assert.match(refused.message, /can no longer be answered: the run that made it ended failed \(The server stopped while this run was active/);
  // The conversation itself goes on: a new question is answered with its history.
  const again = await second.openai.responses.create({ model: 'scripted', conversation: ids.paused.conversationId, input: 'Never mind. Hello!' });
  assert.is(again.status, 'completed');
  assert.equal([...first.internalErrors, ...second.internalErrors], []);
});

test('a paused function call answered before the restart goes on through the conversation', async ({ dirs }) => {
  const dir = await dataDir(dirs);
  const server = await serverOn(dir);
  const ids = await makeConversations(server.openai);
  assert.is((await answerPausedCall(server.openai, ids)).output_text, 'get_weather returned: Snow, -3 °C');
  const items = (await server.openai.conversations.items.list(ids.paused.conversationId, { order: 'asc' })).data;
  assert.equal(
    items.map((item) => item.type),
    ['message', 'function_call', 'function_call_output', 'message'],
  );
  await server.close();
  const restarted = await serverOn(dir);
  assert.equal((await restarted.openai.conversations.items.list(ids.paused.conversationId, { order: 'asc' })).data, items);
});

test.run();
