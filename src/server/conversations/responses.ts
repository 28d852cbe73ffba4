import type { ConversationItem } from '../../wire/index.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { ResponseRecord } from '../responses/record.ts';
import type { CreateResponseInput } from '../responses/requests.ts';
import { decodeCompaction, type CompactedMessage } from '../compaction/content.ts';
import type { ConversationRecord } from './record.ts';

// `conversation` on `POST /v1/responses`: the conversation's items are the input's prefix, and
// the response's input and output items are added to it when the response ends.

/**
 * The conversation a create request names (`conversation: 'conv_…'` or `{ id }`), or undefined
 * without one. A 400 with `previous_response_id` too (the two are mutually exclusive, as on the
 * API), a 404 for an unknown id, and a 400 `conversation_locked` while another response of the
 * conversation is running.
 *
 * @example `const conversation = conversationOfRequest(context, body);`
 */
export function conversationOfRequest(context: ServerContext, body: CreateResponseInput): ConversationRecord | undefined {
  if (body.conversation == null) return undefined;
  if (body.previous_response_id != null) {
    throw new ApiError(400, "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.", {
      code: 'mutually_exclusive_parameters',
    });
  }
  const id = typeof body.conversation === 'string' ? body.conversation : body.conversation.id;
  const record = context.conversations.get(id);
  if (record === undefined) throw new ApiError(404, `Conversation with id '${id}' not found.`, { param: 'conversation' });
  const latest = latestOf(context, record);
  if (latest !== undefined && !latest.ended) {
    throw new ApiError(400, 'Another process is currently operating on this conversation. Please retry in a few seconds.', {
      param: 'conversation',
      code: 'conversation_locked',
    });
  }
  return record;
}

/**
 * The newest response made in the conversation, if this server still has it: the one a
 * response with function call outputs continues.
 *
 * @example `const paused = latestOf(context, conversation);`
 */
export function latestOf(context: ServerContext, record: ConversationRecord): ResponseRecord | undefined {
  if (record.latest === undefined && record.latestResponseId !== undefined) record.latest = context.responses.get(record.latestResponseId);
  return record.latest;
}

/** A conversation's history as a run's thread takes it: its messages' text in order, and its system and developer texts. */
export interface ConversationHistory {
  messages: Array<{ role: 'user' | 'assistant'; text: string }>;
  instructions: string[];
}

/**
 * The messages of a conversation's items, in order, as the thread of a new run shows them to
 * the model (other items — tool calls, their outputs — are the model's business on the API and
 * are not shown to the embedded server's models).
 *
 * @example `const { messages, instructions } = historyOf(conversation);`
 */
export function historyOf(record: ConversationRecord): ConversationHistory {
  return historyOfItems(record.items.values());
}

/**
 * The messages of a list of items (a conversation's, a request's input), in order: user and
 * assistant messages' text, and system and developer texts as instructions. A `compaction` item
 * puts back the messages it stands for where they were (src/server/compaction/content.ts).
 *
 * @example `const { messages } = historyOfItems(parsed.stored);`
 */
export function historyOfItems(items: Iterable<ConversationItem>): ConversationHistory {
  const history: ConversationHistory = { messages: [], instructions: [] };
  for (const item of items) {
    if (item.type === 'compaction') {
      restoreCompacted(history, decodeCompaction(item['encrypted_content'], 'encrypted_content'));
      continue;
    }
    if (item.type !== 'message') continue;
    const text = textOf(item['content']);
    const role = item['role'];
    if (role === 'user' || role === 'assistant') history.messages.push({ role, text });
    else if (role === 'system' || role === 'developer') history.instructions.push(text);
  }
  return history;
}

// Each compacted assistant message goes back after the user message it followed (counted among
// the user messages so far: a compaction keeps every user message, in order, before its item).
function restoreCompacted(history: ConversationHistory, compacted: readonly CompactedMessage[]): void {
  const restored: ConversationHistory['messages'] = [];
  let users = 0;
  let next = 0;
  const flush = () => {
    for (; next < compacted.length && compacted[next]!.after <= users; next += 1) {
      const message = compacted[next]!;
      if (message.role === 'assistant') restored.push({ role: 'assistant', text: message.text });
      else history.instructions.push(message.text);
    }
  };
  flush();
  for (const message of history.messages) {
    restored.push(message);
    if (message.role === 'user') users += 1;
    flush();
  }
  users = Number.POSITIVE_INFINITY;
  flush();
  history.messages = restored;
}

/** The text parts of a message's content, joined. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => {
      const text = (part as { text?: unknown } | null)?.text;
      return typeof text === 'string' ? text : '';
    })
    .join('\n');
}

/**
 * Makes `response` the conversation's newest, and adds its input items, then its output items,
 * to the conversation when it ends `completed` or `incomplete` (a paused response — one that
 * ends with function calls — is `completed`). A response that fails or is cancelled leaves the
 * conversation as it was; so does one whose conversation was deleted meanwhile.
 *
 * @example `joinConversation(context, conversation, record, inputItems);`
 */
export function joinConversation(context: ServerContext, conversation: ConversationRecord, response: ResponseRecord, inputItems: readonly ConversationItem[]): void {
  conversation.latest = response;
  if (response.response.store !== false) {
    conversation.latestResponseId = response.response.id;
    context.conversations.set(conversation.conversation.id, conversation);
  }
  void response.finished.then(() => {
    const { status } = response.response;
    const id = conversation.conversation.id;
    if ((status !== 'completed' && status !== 'incomplete') || context.conversations.get(id) !== conversation) return;
    const output = response.response.output as ConversationItem[];
    for (const item of [...inputItems, ...output]) {
      if (conversation.items.get(item.id) === undefined) conversation.items.set(item.id, structuredClone(item));
    }
  });
}
