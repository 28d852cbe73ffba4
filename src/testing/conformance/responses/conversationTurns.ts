import type { ConformanceCheck } from '../check.ts';
import { call, CheckFailure, type CheckContext, describe, expect, isRecord, NotOffered } from '../http.ts';
import { createResponse, outputItems } from './api.ts';
import { itemText } from './previousResponse.ts';

/** Creates a conversation; a 404/405/501 means the server has no Conversations API. */
export async function createConversation(ctx: CheckContext, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const answer = await call(ctx, 'POST', '/conversations', fields);
  if ([404, 405, 501].includes(answer.status)) throw new NotOffered(`conversations: POST /conversations answered ${answer.status}`);
  if (answer.status !== 200 || !isRecord(answer.body) || typeof answer.body['id'] !== 'string') throw new CheckFailure(`POST /conversations answered ${answer.status}: ${describe(answer.body)}`);
  return answer.body;
}

/** Every item of a conversation, oldest first. */
export async function conversationItems(ctx: CheckContext, id: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let after: string | undefined;
  for (let page = 0; page < 20; page++) {
    const answer = await call(ctx, 'GET', `/conversations/${id}/items?order=asc&limit=100${after === undefined ? '' : `&after=${after}`}`);
    expect(answer.status === 200 && isRecord(answer.body) && Array.isArray(answer.body['data']), `GET /conversations/${id}/items answered ${answer.status}: ${describe(answer.body)}`);
    items.push(...(answer.body['data'] as unknown[]).filter(isRecord));
    if (answer.body['has_more'] !== true) return items;
    after = String(answer.body['last_id']);
  }
  return items;
}

/** Responses in a conversation: after each turn its items are the turns' inputs and outputs, in order, each once. */
export const responsesConversation: ConformanceCheck = {
  id: 'responses-conversation',
  protocol: 'responses',
  title: 'conversation continuity: after each turn its items are every input and output so far, in order, once',
  async run(ctx) {
    const conversation = await createConversation(ctx, { metadata: { suite: 'conformance' } });
    const id = String(conversation['id']);
    const expected: Array<{ id?: unknown; text?: string; role?: string }> = [];
    for (const [turn, question] of ['My name is Ada. Say hello.', 'What is my name?'].entries()) {
      const response = await createResponse(ctx, { input: question, conversation: id });
      expect(response['status'] === 'completed', `turn ${turn + 1} ended ${String(response['status'])}`);
      const echoed = response['conversation'];
      expect(isRecord(echoed) && echoed['id'] === id, `turn ${turn + 1}: the response's conversation is ${describe(echoed)}, not {id: "${id}"}`);
      expected.push({ text: question, role: 'user' }, ...outputItems(response).map((item) => ({ id: item['id'] })));
      const items = await conversationItems(ctx, id);
      const ids = items.map((item) => item['id']);
      const twice = ids.find((item, index) => ids.indexOf(item) !== index);
      expect(twice === undefined, `after turn ${turn + 1} the conversation lists item ${String(twice)} twice`);
      expect(items.length === expected.length, `after turn ${turn + 1} the conversation has ${items.length} items, not ${expected.length} (the inputs and outputs so far)`);
      for (const [index, want] of expected.entries()) {
        const item = items[index]!;
        if (want.id !== undefined) expect(item['id'] === want.id, `after turn ${turn + 1} item ${index} is ${String(item['id'])}, not the output item ${String(want.id)}`);
        else expect(item['role'] === want.role && itemText(item) === want.text, `after turn ${turn + 1} item ${index} is not the user's question ${JSON.stringify(want.text)}`);
      }
    }
  },
};
