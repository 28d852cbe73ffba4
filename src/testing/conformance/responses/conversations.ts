import type { ConformanceCheck } from '../check.ts';
import { call, describe, expect, isRecord, ok } from '../http.ts';
import { expectErrorEnvelope, expectKeys } from './api.ts';
import { conversationItems, createConversation } from './conversationTurns.ts';
import { itemText } from './previousResponse.ts';
import { CONVERSATION_REQUIRED_KEYS, DELETED_CONVERSATION_REQUIRED_KEYS, LIST_REQUIRED_KEYS } from './specKeys.ts';

const message = (text: string) => ({ type: 'message', role: 'user', content: text });

/** Conversations: create with metadata and items, retrieve, update the metadata, delete, then a 404. */
export const conversationsCrud: ConformanceCheck = {
  id: 'conversations-crud',
  protocol: 'responses',
  title: 'conversations: create (metadata, items), retrieve, update, delete, then 404',
  async run(ctx) {
    const created = await createConversation(ctx, { metadata: { suite: 'conformance' }, items: [message('Hello')] });
    expectKeys(created, CONVERSATION_REQUIRED_KEYS, 'the conversation');
    expect(created['object'] === 'conversation', `object is ${String(created['object'])}, not conversation`);
    const path = `/conversations/${String(created['id'])}`;
    const got = await ok(ctx, 'GET', path);
    expect(got['id'] === created['id'] && isRecord(got['metadata']) && got['metadata']['suite'] === 'conformance', `GET ${path} answered ${describe(got)}`);
    const updated = await ok(ctx, 'POST', path, { metadata: { suite: 'conformance', step: 'updated' } });
    expect(isRecord(updated['metadata']) && updated['metadata']['step'] === 'updated', 'POST /conversations/{id} did not update the metadata');
    const items = await conversationItems(ctx, String(created['id']));
    expect(items.length === 1 && itemText(items[0]!) === 'Hello', `the conversation's items are ${items.map(itemText).join(',')}, not the one it was created with`);
    const deleted = await ok(ctx, 'DELETE', path);
    expectKeys(deleted, DELETED_CONVERSATION_REQUIRED_KEYS, 'the deleted conversation');
    expect(deleted['deleted'] === true && deleted['id'] === created['id'], `DELETE ${path} answered ${describe(deleted)}`);
    const gone = await call(ctx, 'GET', path);
    expect(gone.status === 404, `GET of a deleted conversation answered ${gone.status}, not 404`);
    expectErrorEnvelope(gone, 'GET of a deleted conversation');
  },
};

/** Conversation items: add several, list, retrieve one, delete one (the answer is the conversation), list again. */
export const conversationItemsCrud: ConformanceCheck = {
  id: 'conversation-items-crud',
  protocol: 'responses',
  title: 'conversation items: create, list, retrieve, delete (answers the conversation)',
  async run(ctx) {
    const conversation = await createConversation(ctx);
    const id = String(conversation['id']);
    const added = await ok(ctx, 'POST', `/conversations/${id}/items`, { items: [message('one'), message('two')] });
    expectKeys(added, LIST_REQUIRED_KEYS, 'the created item list');
    const data = (added['data'] as unknown[]).filter(isRecord);
    expect(data.length === 2 && data.every((item) => typeof item['id'] === 'string'), `POST …/items answered ${describe(added)}`);
    const [first, second] = data as [Record<string, unknown>, Record<string, unknown>];
    const got = await ok(ctx, 'GET', `/conversations/${id}/items/${String(first['id'])}`);
    expect(got['id'] === first['id'] && itemText(got) === 'one', `GET of item ${String(first['id'])} answered ${describe(got)}`);
    const afterDelete = await ok(ctx, 'DELETE', `/conversations/${id}/items/${String(first['id'])}`);
    expect(afterDelete['id'] === id && afterDelete['object'] === 'conversation', `deleting an item answered ${describe(afterDelete)}, not the conversation`);
    const items = await conversationItems(ctx, id);
    expect(items.length === 1 && items[0]!['id'] === second['id'], `after deleting one of two items the conversation lists ${items.map((item) => String(item['id'])).join(',')}`);
    const gone = await call(ctx, 'GET', `/conversations/${id}/items/${String(first['id'])}`);
    expect(gone.status === 404, `GET of a deleted item answered ${gone.status}, not 404`);
  },
};

/** At most 20 items at a time, on create and on items create; 20 are taken. */
export const conversationItemsLimit: ConformanceCheck = {
  id: 'conversation-items-limit',
  protocol: 'responses',
  title: 'at most 20 items at a time: 21 are a 400 (create and items create), 20 are taken',
  async run(ctx) {
    const items = (count: number) => Array.from({ length: count }, (_, index) => message(`item ${index + 1}`));
    await createConversation(ctx);
    const tooMany = await call(ctx, 'POST', '/conversations', { items: items(21) });
    expect(tooMany.status === 400, `a conversation created with 21 items answered ${tooMany.status}, not 400`);
    expectErrorEnvelope(tooMany, 'POST /conversations with 21 items');
    const conversation = await createConversation(ctx, { items: items(20) });
    const id = String(conversation['id']);
    const more = await call(ctx, 'POST', `/conversations/${id}/items`, { items: items(21) });
    expect(more.status === 400, `adding 21 items answered ${more.status}, not 400`);
    expectErrorEnvelope(more, 'POST /conversations/{id}/items with 21 items');
    expect((await conversationItems(ctx, id)).length === 20, 'the conversation does not hold the 20 items it was created with (or a refused batch was partly added)');
  },
};

/** The item list pages: newest first by default, `limit`, `has_more`, `after`, `order=asc`. */
export const conversationItemsPagination: ConformanceCheck = {
  id: 'conversation-items-pagination',
  protocol: 'responses',
  title: 'conversation item list: desc by default, limit, has_more, first_id/last_id, after',
  async run(ctx) {
    const conversation = await createConversation(ctx, { items: ['one', 'two', 'three'].map(message) });
    const path = `/conversations/${String(conversation['id'])}/items`;
    const all = await ok(ctx, 'GET', path);
    const data = (all['data'] as unknown[]).filter(isRecord);
    expect(data.map(itemText).join(',') === 'three,two,one', `the default order lists ${data.map(itemText).join(',')}, not newest first`);
    const page = await ok(ctx, 'GET', `${path}?limit=2&order=asc`);
    const pageData = (page['data'] as unknown[]).filter(isRecord);
    expect(pageData.length === 2 && page['has_more'] === true, `limit=2 gave ${pageData.length} items, has_more ${String(page['has_more'])}`);
    expect(page['first_id'] === pageData[0]!['id'] && page['last_id'] === pageData[1]!['id'], 'first_id/last_id do not name the first and last items');
    const rest = await ok(ctx, 'GET', `${path}?limit=2&order=asc&after=${String(page['last_id'])}`);
    const restData = (rest['data'] as unknown[]).filter(isRecord);
    expect(restData.length === 1 && itemText(restData[0]!) === 'three' && rest['has_more'] === false, `the page after last_id is ${restData.map(itemText).join(',')} (has_more ${String(rest['has_more'])}), not three`);
  },
};
