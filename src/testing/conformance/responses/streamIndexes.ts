import type { ConformanceCheck } from '../check.ts';
import { expect, isRecord } from '../http.ts';
import { typeOf, wholeStream } from './api.ts';

/** `output_index` names where the event's item was added; `content_index` a part added to it. */
export const responsesStreamIndexes: ConformanceCheck = {
  id: 'responses-stream-indexes',
  protocol: 'responses',
  title: 'output_index and content_index consistent with the items and parts added',
  async run(ctx, shared) {
    const items: Array<{ id: unknown; parts: number; done: boolean }> = [];
    for (const [index, event] of (await wholeStream(ctx, shared)).entries()) {
      const data = event.data ?? {};
      const type = typeOf(event);
      const at = `event #${index} (${type})`;
      const output = data['output_index'];
      if (type === 'response.output_item.added') {
        expect(output === items.length, `${at}: output_index ${String(output)}, but ${items.length} item(s) were added before it`);
        const item = data['item'];
        expect(isRecord(item), `${at}: no item`);
        items.push({ id: item['id'], parts: 0, done: false });
        continue;
      }
      if (output === undefined) continue;
      const item = typeof output === 'number' ? items[output] : undefined;
      expect(item !== undefined, `${at}: output_index ${String(output)} names no item added`);
      expect(!item.done, `${at}: item ${String(output)} was already done`);
      if ('item_id' in data) expect(data['item_id'] === item.id, `${at}: item_id ${String(data['item_id'])} is not the item at output_index ${String(output)} (${String(item.id)})`);
      const content = data['content_index'];
      if (type === 'response.content_part.added') {
        expect(content === item.parts, `${at}: content_index ${String(content)}, but item ${String(output)} has ${item.parts} part(s)`);
        item.parts++;
      } else if (content !== undefined) {
        expect(typeof content === 'number' && content < item.parts, `${at}: content_index ${String(content)} names no part added to item ${String(output)}`);
      }
      if (type === 'response.output_item.done') item.done = true;
    }
    expect(items.length > 0, 'the stream added no output item');
    expect(items.every((item) => item.done), 'an output item was added and never done');
  },
};
