// The conversations (and the thread list) a durable server must read back the same after a
// restart, on SQLite and on PostgreSQL: made with the official SDK, read back with it.
import type OpenAI from 'openai';
import * as assert from 'uvu/assert';

/** The ids `makeConversations` made, to read them back. */
export interface ConversationIds {
  /** Conversations that exist. */
  kept: string[];
  /** A conversation deleted before the restart. */
  deleted: string;
  /** The conversation whose response paused for a function call, and that call. */
  paused: { conversationId: string; callId: string };
}

export const WEATHER_TOOL = { type: 'function' as const, name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } };

/**
 * Conversations of every kind: with initial items and metadata changed later, an item deleted,
 * a finished response in one, a `store: false` response in another, a response paused for a
 * function call, a deleted conversation; and two threads beside them.
 */
export async function makeConversations(openai: OpenAI): Promise<ConversationIds> {
  const greeted = await openai.conversations.create({ items: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi!' }], metadata: { topic: 'greetings' } });
  await openai.conversations.update(greeted.id, { metadata: { topic: 'greetings', reviewed: 'yes' } });
  const { data } = await openai.conversations.items.create(greeted.id, { items: [{ role: 'user', content: 'a typo' }, { role: 'user', content: 'How are you?' }] });
  await openai.conversations.items.delete(data[0]!.id as string, { conversation_id: greeted.id });
  const answered = await openai.responses.create({ model: 'scripted', conversation: greeted.id, input: 'Tell me something.' });
  assert.is(answered.status, 'completed');

  const unstored = await openai.conversations.create();
  await openai.responses.create({ model: 'scripted', conversation: unstored.id, input: 'Keep nothing of this response', store: false });

  const waiting = await openai.conversations.create({ items: [{ role: 'user', content: 'What is the weather in Oslo?' }] });
  const paused = await openai.responses.create({ model: 'scripted', conversation: waiting.id, tools: [WEATHER_TOOL] });
  const call = paused.output.find((item) => item.type === 'function_call');
  assert.ok(call?.type === 'function_call', 'the response paused for get_weather');

  const deleted = await openai.conversations.create({ items: [{ role: 'user', content: 'forget me' }] });
  await openai.conversations.delete(deleted.id);
  await openai.beta.threads.create({ metadata: { name: 'first' } });
  await openai.beta.threads.create({ metadata: { name: 'second' } });
  return { kept: [greeted.id, unstored.id, waiting.id], deleted: deleted.id, paused: { conversationId: waiting.id, callId: call.call_id } };
}

/** Everything a client can read of them: each conversation, all its items in order, the deleted one's 404, the thread list. */
export async function readConversations(openai: OpenAI, ids: ConversationIds): Promise<unknown> {
  const conversations = [];
  for (const id of ids.kept) {
    const items = [];
    for await (const item of openai.conversations.items.list(id, { order: 'asc', limit: 3, include: ['file_search_call.results'] })) items.push(item);
    conversations.push({ conversation: await openai.conversations.retrieve(id), items });
  }
  const deleted = await openai.conversations.retrieve(ids.deleted).then(
    () => 'found',
    (error: { status?: number }) => error.status,
  );
  // GET /threads, the server's Foundry-shaped extension (the SDK has no call for it).
  const threads = await openai.get('/threads', { headers: { 'OpenAI-Beta': 'assistants=v2' } });
  return { conversations, deleted, threads };
}

/** Answers the paused call through its conversation (no previous_response_id). */
export function answerPausedCall(openai: OpenAI, ids: ConversationIds) {
  return openai.responses.create({
    model: 'scripted',
    conversation: ids.paused.conversationId,
    input: [{ type: 'function_call_output', call_id: ids.paused.callId, output: 'Snow, -3 °C' }],
    tools: [WEATHER_TOOL],
  });
}
