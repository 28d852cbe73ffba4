import type { ConformanceCheck } from '../check.ts';
import { expect, isRecord, ok } from '../http.ts';
import { createResponse, expectKeys } from './api.ts';
import { itemText } from './previousResponse.ts';
import { LIST_REQUIRED_KEYS } from './specKeys.ts';

/** `input_items` lists a response's input: newest first by default, `limit`, `has_more`, `first_id`/`last_id`, `after`, `order=asc`. */
export const responsesInputItems: ConformanceCheck = {
  id: 'responses-input-items',
  protocol: 'responses',
  title: 'input_items: desc by default, limit, has_more, first_id/last_id, after, order=asc',
  async run(ctx) {
    const texts = ['one', 'two', 'three'];
    const response = await createResponse(ctx, { input: texts.map((text) => ({ role: 'user', content: text })) });
    const path = `/responses/${String(response['id'])}/input_items`;
    const all = await ok(ctx, 'GET', path);
    expectKeys(all, LIST_REQUIRED_KEYS, 'the input item list');
    const data = (all['data'] as unknown[]).filter(isRecord);
    expect(data.map(itemText).join(',') === 'three,two,one', `the default order lists ${data.map(itemText).join(',')}, not newest first (three,two,one)`);
    const first = await ok(ctx, 'GET', `${path}?limit=2&order=asc`);
    const page = (first['data'] as unknown[]).filter(isRecord);
    expect(page.length === 2 && first['has_more'] === true, `limit=2 gave ${page.length} items, has_more ${String(first['has_more'])}`);
    expect(first['first_id'] === page[0]!['id'] && first['last_id'] === page[1]!['id'], 'first_id/last_id do not name the first and last items');
    expect(page.map(itemText).join(',') === 'one,two', `order=asc lists ${page.map(itemText).join(',')} first, not one,two`);
    const rest = await ok(ctx, 'GET', `${path}?limit=2&order=asc&after=${String(first['last_id'])}`);
    const restData = (rest['data'] as unknown[]).filter(isRecord);
    expect(restData.length === 1 && itemText(restData[0]!) === 'three', `the page after last_id is ${restData.map(itemText).join(',')}, not three`);
    expect(rest['has_more'] === false, 'has_more is not false on the last page');
  },
};
