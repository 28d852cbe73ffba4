import type { CompactedResponse, ConversationItem } from '../../wire/index.ts';
import { estimateTokens } from '../builders.ts';
import { textOf } from '../conversations/responses.ts';
import { newId, nowSeconds } from '../ids.ts';
import { responseUsage } from '../responses/responseObject.ts';
import { decodeCompaction, encodeCompaction, type CompactedMessage } from './content.ts';

/**
 * A context compacted as the embedded server's models can do it honestly: every user message of
 * `window`, in order and as it was, then one `compaction` item holding the text of every other
 * message (the assistant's, the system's and the developer's) with where it stood. Everything
 * else — function calls and their outputs, file search and code interpreter calls, reasoning —
 * is left out: none of it is shown to the embedded server's models outside its own run, so the
 * compacted context reads to them as the whole did. Only the function calls still waiting for
 * their output stay, after the compaction item, so the next request can answer them. A
 * compaction item in `window` (an earlier compaction) is folded into the new one. Deterministic:
 * the same window makes the same content.
 *
 * @example `const compacted = compactWindow(items); // { object: 'response.compaction', output: [user…, { type: 'compaction', … }], … }`
 */
export function compactWindow(window: readonly ConversationItem[]): CompactedResponse {
  const users: ConversationItem[] = [];
  const kept: CompactedMessage[] = [];
  const unanswered = new Map<unknown, ConversationItem>();
  let inputText = '';
  for (const [index, item] of window.entries()) {
    if (item.type === 'function_call') unanswered.set(item['call_id'], item);
    if (item.type === 'function_call_output') unanswered.delete(item['call_id']);
    if (item.type === 'compaction') {
      for (const message of decodeCompaction(item['encrypted_content'], `input[${index}].encrypted_content`)) {
        kept.push({ ...message, after: Math.min(message.after, users.length) });
        inputText += message.text;
      }
      continue;
    }
    if (item.type !== 'message') {
      inputText += JSON.stringify(item);
      continue;
    }
    const text = textOf(item['content']);
    inputText += text;
    const role = item['role'];
    if (role === 'user') users.push(item);
    else if (role === 'assistant' || role === 'system' || role === 'developer') kept.push({ role, after: users.length, text });
  }
  const content = encodeCompaction(kept);
  const completion = estimateTokens(kept.map((message) => message.text).join(''));
  const prompt = estimateTokens(inputText);
  return {
    id: newId('resp_'),
    object: 'response.compaction',
    created_at: nowSeconds(),
    output: [...users, { id: newId('cmp_'), type: 'compaction', encrypted_content: content }, ...unanswered.values()],
    usage: responseUsage({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }),
  };
}
