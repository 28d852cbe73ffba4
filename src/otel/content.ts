import type { Message } from '../wire/index.ts';

/** A message part in the GenAI conventions' message schema (the text parts this library knows). */
export interface GenAIPart {
  type: 'text' | 'refusal';
  content: string;
}

/** A message in the conventions' `gen_ai.input.messages` / `gen_ai.output.messages` schema. */
export interface GenAIMessage {
  role: string;
  parts: GenAIPart[];
  finish_reason?: string;
}

/**
 * A wire message as the conventions' message: its text (and refusal) parts; images and other
 * blocks are left out (they are files, not content a trace should carry).
 *
 * @example `genAIMessage(message, 'stop') // { role: 'assistant', parts: [{ type: 'text', content: 'Hi' }], finish_reason: 'stop' }`
 */
export function genAIMessage(message: Pick<Message, 'role' | 'content'>, finishReason?: string): GenAIMessage {
  const parts: GenAIPart[] = [];
  for (const block of message.content) {
    if (block.type === 'text') parts.push({ type: 'text', content: (block as { text: { value: string } }).text.value });
    else if (block.type === 'refusal') parts.push({ type: 'refusal', content: String((block as { refusal?: unknown }).refusal ?? '') });
  }
  return { role: message.role, parts, ...(finishReason === undefined ? {} : { finish_reason: finishReason }) };
}

/**
 * Messages given as the official SDK's input (`{ role, content }` with a string or text parts)
 * as the conventions' messages: what a user may pass as `inputMessages` for `captureContent`.
 *
 * @example `inputMessages([{ role: 'user', content: 'Hi' }]) // [{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]`
 */
export function inputMessages(messages: ReadonlyArray<{ role: string; content: unknown }>): GenAIMessage[] {
  return messages.map(({ role, content }) => ({
    role,
    parts:
      typeof content === 'string'
        ? [{ type: 'text' as const, content }]
        : Array.isArray(content)
          ? content.flatMap((part: { type?: unknown; text?: unknown }) => (part.type === 'text' && typeof part.text === 'string' ? [{ type: 'text' as const, content: part.text }] : []))
          : [],
  }));
}
