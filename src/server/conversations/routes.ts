import { Hono } from 'hono';
import type { ConversationItem, ConversationItemList, ConversationObject } from '../../wire/index.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { newId, nowSeconds } from '../ids.ts';
import { paginate, parseListQuery } from '../pagination.ts';
import type { InputItemInput } from '../responses/requests.ts';
import { readJsonBody } from '../validation.ts';
import { checkCompactionItems } from '../compaction/content.ts';
import { shownItem, storedItemOf } from './items.ts';
import { conversationRecord, type ConversationRecord } from './record.ts';
import { CreateConversationRequest, CreateItemsRequest, includeOf, UpdateConversationRequest } from './requests.ts';

/**
 * `/v1/conversations`: create (with up to 20 initial items), retrieve, update metadata, delete;
 * and a conversation's items: create (up to 20 at a time), list (paginated, newest first unless
 * `order=asc`), retrieve, delete. `include` shows what it names (file search results, code
 * interpreter outputs), as on the API. A response made with `conversation` adds its input and
 * output items here when it ends (src/server/conversations/responses.ts).
 */
export function conversationRoutes(context: ServerContext): Hono {
  const { conversations } = context;
  return new Hono()
    .post('/', async (c) => {
      const body = await readJsonBody(c, CreateConversationRequest);
      const conversation: ConversationObject = { id: newId('conv_'), object: 'conversation', created_at: nowSeconds(), metadata: body.metadata ?? {} };
      const record = conversationRecord(conversation);
      appendItems(record, body.items ?? [], 'items');
      return c.json(conversations.set(conversation.id, record).conversation);
    })
    .get('/:conversation_id', (c) => c.json(conversations.require(c.req.param('conversation_id')).conversation))
    .post('/:conversation_id', async (c) => {
      const record = conversations.require(c.req.param('conversation_id'));
      const body = await readJsonBody(c, UpdateConversationRequest);
      record.conversation.metadata = body.metadata ?? {};
      return c.json(conversations.set(record.conversation.id, record).conversation);
    })
    .delete('/:conversation_id', (c) => {
      const record = conversations.require(c.req.param('conversation_id'));
      conversations.delete(record.conversation.id);
      return c.json({ id: record.conversation.id, object: 'conversation.deleted', deleted: true });
    })
    .post('/:conversation_id/items', async (c) => {
      const record = conversations.require(c.req.param('conversation_id'));
      const include = includeOf(c);
      const body = await readJsonBody(c, CreateItemsRequest);
      const added = appendItems(record, body.items, 'items').map((item) => shownItem(item, include));
      const list: ConversationItemList = { object: 'list', data: added, first_id: added[0]?.id ?? null, last_id: added.at(-1)?.id ?? null, has_more: false };
      return c.json(list);
    })
    .get('/:conversation_id/items', (c) => {
      const record = conversations.require(c.req.param('conversation_id'));
      const include = includeOf(c);
      const page = paginate(record.items.values(), (item) => item.id, parseListQuery(c.req.query()));
      return c.json({ ...page, data: page.data.map((item) => shownItem(item, include)) });
    })
    .get('/:conversation_id/items/:item_id', (c) => {
      const record = conversations.require(c.req.param('conversation_id'));
      const include = includeOf(c);
      return c.json(shownItem(record.items.require(c.req.param('item_id')), include));
    })
    .delete('/:conversation_id/items/:item_id', (c) => {
      const record = conversations.require(c.req.param('conversation_id'));
      record.items.require(c.req.param('item_id'));
      record.items.delete(c.req.param('item_id'));
      return c.json(record.conversation);
    });
}

/**
 * Adds items to a conversation, in order, each with an id (the one it came with, or a new one);
 * an id the conversation (or this request) already has is a 400 naming `param`, and then
 * nothing is added.
 *
 * @example `appendItems(record, [{ role: 'user', content: 'Hi' }], 'items')`
 */
export function appendItems(record: ConversationRecord, inputs: readonly InputItemInput[], param: string): ConversationItem[] {
  const items = inputs.map((input) => storedItemOf(input));
  checkCompactionItems(items, param);
  checkNewIds(record, items, param);
  for (const item of items) record.items.set(item.id, item);
  return items;
}

/**
 * Refuses items whose ids the conversation already has (or that repeat one another): an item is
 * in a conversation once.
 *
 * @example `checkNewIds(record, items, 'input')`
 */
export function checkNewIds(record: ConversationRecord, items: readonly ConversationItem[], param: string): void {
  const seen = new Set<string>();
  for (const [index, item] of items.entries()) {
    if (record.items.get(item.id) !== undefined || seen.has(item.id)) {
      throw new ApiError(400, `Duplicate item found with id '${item.id}'.`, { param: `${param}[${index}]`, code: 'duplicate_item' });
    }
    seen.add(item.id);
  }
}
