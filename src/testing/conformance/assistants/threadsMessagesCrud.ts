import type { ConformanceCheck } from '../check.ts';
import { describe, expect, isRecord, messageText, ok } from '../http.ts';
import { thread } from './api.ts';

export const threadsMessagesCrud: ConformanceCheck = {
  id: 'threads-messages-crud',
  protocol: 'assistants',
  title: 'threads and messages: create, retrieve, modify, delete',
  async run(ctx) {
    const id = await thread(ctx, 'Hello');
    const got = await ok(ctx, 'GET', `/threads/${id}`);
    expect(got['object'] === 'thread', `GET /threads/${id}: object is ${String(got['object'])}`);
    const message = await ok(ctx, 'POST', `/threads/${id}/messages`, { role: 'user', content: 'Second' });
    expect(message['object'] === 'thread.message' && messageText(message) === 'Second', `POST /threads/{id}/messages answered ${describe(message)}`);
    const modified = await ok(ctx, 'POST', `/threads/${id}`, { metadata: { checked: 'yes' } });
    expect(isRecord(modified['metadata']) && modified['metadata']['checked'] === 'yes', 'POST /threads/{id} did not store metadata');
    const deleted = await ok(ctx, 'DELETE', `/threads/${id}`);
    expect(deleted['deleted'] === true, 'DELETE /threads/{id} did not answer deleted: true');
  },
};
