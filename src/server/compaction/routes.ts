import { Hono } from 'hono';
import { z } from 'zod';
import type { ConversationItem } from '../../wire/index.ts';
import type { ServerContext } from '../context.ts';
import { storedItemOf } from '../conversations/items.ts';
import type { ResponseRecord } from '../responses/record.ts';
import { InputItemParam } from '../responses/requests.ts';
import { requirePreviousResponse } from '../responses/routes.ts';
import { readJsonBody } from '../validation.ts';
import { checkCompactionItems } from './content.ts';
import { compactWindow } from './compact.ts';

/** The body of `POST /v1/responses/compact` (the spec's `CompactResponseMethodPublicBody`). */
const CompactRequest = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(InputItemParam)]).nullish(),
  previous_response_id: z.string().nullish(),
  // Accepted, not acted on: the compaction reads the context, not the instructions.
  instructions: z.string().nullish(),
  prompt_cache_key: z.string().max(64).nullish(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullish(),
  service_tier: z.string().nullish(),
});

/**
 * `POST /v1/responses/compact`: the context of `previous_response_id` (its chain, or its
 * conversation up to it) followed by `input`, compacted (see {@link compactWindow}). Nothing is
 * stored: the answer's `output` is the next request's input.
 */
export function compactionRoutes(context: ServerContext): Hono {
  return new Hono().post('/', async (c) => {
    const body = await readJsonBody(c, CompactRequest);
    const inputs = typeof body.input === 'string' ? [{ role: 'user' as const, content: body.input }] : (body.input ?? []);
    const input = inputs.map((item) => storedItemOf(item));
    checkCompactionItems(input, 'input');
    const previous = body.previous_response_id == null ? [] : contextOf(context, requirePreviousResponse(context, body.previous_response_id));
    return c.json(compactWindow([...previous, ...input]));
  });
}

/**
 * Everything a response's model saw and said: in a conversation, its items up to the response's
 * last output; else the chain back through `previous_response_id` (as far as this server still
 * has it), each response's input then output.
 */
function contextOf(context: ServerContext, record: ResponseRecord): ConversationItem[] {
  const { response } = record;
  const conversationId = response.conversation?.id;
  const conversation = conversationId === undefined ? undefined : context.conversations.get(conversationId);
  if (conversation !== undefined) {
    const items = [...conversation.items.values()];
    const lastOutput = response.output.at(-1)?.id;
    const end = lastOutput === undefined ? -1 : items.findIndex((item) => item.id === lastOutput);
    return end === -1 ? items : items.slice(0, end + 1);
  }
  const chain: ResponseRecord[] = [];
  for (let current: ResponseRecord | undefined = record; current !== undefined; ) {
    chain.unshift(current);
    const previousId: string | null | undefined = current.response.previous_response_id;
    current = previousId == null ? undefined : context.responses.get(previousId);
  }
  return chain.flatMap((link) => [...link.inputItems, ...(link.response.output as ConversationItem[])]);
}
