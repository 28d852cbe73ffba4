// Conversations on one PostgreSQL shared by several servers: what one server made reads back the
// same on another, a function call paused on one is answered through the other in its
// conversation, and all of it reads back the same on a server started after both stopped.
import * as assert from 'uvu/assert';
import { answerPausedCall, makeConversations, readConversations } from './helpers/conversationState.ts';
import { startTestServer } from './helpers/server.ts';
import { twoServersOnPostgres } from './helpers/twoServersOnPostgres.ts';

const test = twoServersOnPostgres('conversations on PostgreSQL');

test('conversations made on A read back the same on B; a call paused on A is answered through B; a new server reads them all', async ({ a, b, cluster }) => {
  const ids = await makeConversations(a.openai);
  const onA = await readConversations(a.openai, ids);
  assert.equal(await readConversations(b.openai, ids), onA);

  // The paused run is A's; B takes the outputs through the conversation and passes them on.
  const answered = await answerPausedCall(b.openai, ids);
  assert.is(answered.output_text, 'get_weather returned: Snow, -3 °C');
  const afterAnswer = await readConversations(b.openai, ids);
  assert.equal(await readConversations(a.openai, ids), afterAnswer);
  const paused = (afterAnswer as { conversations: Array<{ items: Array<{ type: string }> }> }).conversations[2]!;
  assert.equal(
    paused.items.map((item) => item.type),
    ['message', 'function_call', 'function_call_output', 'message'],
  );
  // B goes on in a conversation A made; A sees it.
  const [greeted] = ids.kept;
  const next = await b.openai.responses.create({ model: 'scripted', conversation: greeted!, input: 'Hello from B' });
  assert.match(next.output_text, /Hello from B/);
  const withNext = await readConversations(a.openai, ids);
  assert.equal(await readConversations(b.openai, ids), withNext);

  await a.close();
  await b.close();
  const c = await startTestServer({ databaseUrl: cluster.url });
  try {
    assert.equal(await readConversations(c.openai, ids), withNext);
    assert.equal([...a.internalErrors, ...b.internalErrors, ...c.internalErrors], []);
  } finally {
    await c.close();
  }
});

test('a response deleted on one server is gone on the other, and stays gone for a new server', async ({ cluster }) => {
  // The suite's two servers were stopped by the test before: two more on the same cluster.
  const a = await startTestServer({ databaseUrl: cluster.url });
  const b = await startTestServer({ databaseUrl: cluster.url });
  const response = await a.openai.responses.create({ model: 'scripted', input: 'Forget me' });
  assert.is((await b.request(`/responses/${response.id}`)).status, 200);
  await b.openai.responses.delete(response.id);
  // B committed the delete; A hears of it (as of any change another server commits).
  let status = 200;
  for (let tries = 0; tries < 100 && status === 200; tries += 1) {
    status = (await a.request(`/responses/${response.id}`)).status;
    if (status === 200) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.is(status, 404);
  await a.close();
  await b.close();
  const c = await startTestServer({ databaseUrl: cluster.url });
  try {
    assert.is((await c.request(`/responses/${response.id}`)).status, 404);
    assert.equal([...a.internalErrors, ...b.internalErrors, ...c.internalErrors], []);
  } finally {
    await c.close();
  }
});

test.run();
