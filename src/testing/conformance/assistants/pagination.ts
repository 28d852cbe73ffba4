import type { ConformanceCheck } from '../check.ts';
import { describe, expect, messageText, ok } from '../http.ts';
import { thread } from './api.ts';

export const pagination: ConformanceCheck = {
  id: 'pagination',
  protocol: 'assistants',
  title: 'lists: limit, has_more, first_id/last_id, after',
  async run(ctx) {
    const id = await thread(ctx, 'one');
    for (const content of ['two', 'three']) await ok(ctx, 'POST', `/threads/${id}/messages`, { role: 'user', content });
    const first = await ok(ctx, 'GET', `/threads/${id}/messages?limit=2&order=asc`);
    expect(first['object'] === 'list' && Array.isArray(first['data']), 'the message list is not {object: "list", data: […]}');
    expect(typeof first['has_more'] === 'boolean', `has_more is ${first['has_more'] === undefined ? 'missing' : `not a boolean (${describe(first['has_more'])})`}`);
    const data = first['data'] as Record<string, unknown>[];
    expect(data.length === 2, `limit=2 gave ${data.length} items`);
    expect(first['has_more'] === true, 'has_more is false with a third message left');
    expect(first['first_id'] === data[0]!['id'] && first['last_id'] === data[1]!['id'], 'first_id/last_id do not name the first and last items');
    const rest = await ok(ctx, 'GET', `/threads/${id}/messages?limit=2&order=asc&after=${String(first['last_id'])}`);
    const restData = rest['data'] as Record<string, unknown>[];
    expect(Array.isArray(restData) && restData.length === 1, `the page after last_id has ${Array.isArray(restData) ? restData.length : 'no'} items, not 1`);
    expect(rest['has_more'] === false, 'has_more is not false on the last page');
    expect(messageText(restData[0]) === 'three', 'the page after last_id is not the next message in order');
  },
};
