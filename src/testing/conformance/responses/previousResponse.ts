import type { ConformanceCheck } from '../check.ts';
import { call, expect, isRecord } from '../http.ts';
import { createResponse, outputItems } from './api.ts';

/** What `input_items` lists for a response (oldest first), every page of it. */
export async function inputItems(ctx: Parameters<ConformanceCheck['run']>[0], id: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let after: string | undefined;
  for (let page = 0; page < 20; page++) {
    const answer = await call(ctx, 'GET', `/responses/${id}/input_items?order=asc&limit=100${after === undefined ? '' : `&after=${after}`}`);
    expect(answer.status === 200 && isRecord(answer.body) && Array.isArray(answer.body['data']), `GET /responses/${id}/input_items answered ${answer.status}`);
    items.push(...(answer.body['data'] as unknown[]).filter(isRecord));
    if (answer.body['has_more'] !== true) return items;
    after = String(answer.body['last_id']);
  }
  return items;
}

/** The text of a message item (its parts' texts). */
export function itemText(item: Record<string, unknown>): string {
  const content = item['content'];
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('') : '';
}

/** A chain by `previous_response_id`: each turn is new, its input listed once, nothing of the turn before repeated or lost. */
export const responsesPreviousResponse: ConformanceCheck = {
  id: 'responses-previous-response',
  protocol: 'responses',
  title: 'previous_response_id continuity: each turn new, its input listed once, no item duplicated or missing',
  async run(ctx) {
    const questions = ['My name is Ada. Say hello.', 'What is my name?', 'Say goodbye to me.'];
    const turns: Record<string, unknown>[] = [];
    for (const question of questions) {
      const previous = turns.at(-1);
      turns.push(await createResponse(ctx, { input: question, ...(previous === undefined ? {} : { previous_response_id: previous['id'] }) }));
    }
    const seenOutput = new Set<unknown>();
    let history: Record<string, unknown>[] = [];
    for (const [index, turn] of turns.entries()) {
      expect(turn['status'] === 'completed', `turn ${index + 1} ended ${String(turn['status'])}`);
      expect(turn['previous_response_id'] === (turns[index - 1]?.['id'] ?? null), `turn ${index + 1}: previous_response_id is ${String(turn['previous_response_id'])}`);
      for (const item of outputItems(turn)) {
        expect(!seenOutput.has(item['id']), `turn ${index + 1} output repeats item ${String(item['id'])} of an earlier turn`);
        seenOutput.add(item['id']);
      }
      const items = await inputItems(ctx, String(turn['id']));
      const ids = items.map((item) => item['id']);
      expect(new Set(ids).size === ids.length, `turn ${index + 1}: input_items lists an item twice (${ids.join(', ')})`);
      const own = items.filter((item) => itemText(item) === questions[index]);
      expect(own.length === 1, `turn ${index + 1}: input_items lists its question ${own.length} times, not once`);
      expect(items.at(-1) === own[0], `turn ${index + 1}: its question is not the last input item`);
      // The API may list the turns before as context; if it does, all of them, in order, once.
      const context = items.slice(0, -1);
      if (context.length > 0) {
        const expected = history.map((item) => item['id']);
        expect(
          JSON.stringify(context.map((item) => item['id'])) === JSON.stringify(expected),
          `turn ${index + 1}: input_items lists ${context.length} earlier item(s), not the ${expected.length} of the turns before in order`,
        );
      }
      history = [...history, ...items.slice(context.length), ...outputItems(turn)];
    }
  },
};
