import type { ConformanceCheck } from '../check.ts';
import { call, describe, expect, ok } from '../http.ts';
import { assistant } from './api.ts';

export const assistantsCrud: ConformanceCheck = {
  id: 'assistants-crud',
  protocol: 'assistants',
  title: 'assistants: create, retrieve, modify, list, delete',
  async run(ctx) {
    const id = await assistant(ctx, { name: 'conformance', metadata: { suite: 'conformance' } }, 'assistants');
    const got = await ok(ctx, 'GET', `/assistants/${id}`);
    expect(got['id'] === id && got['object'] === 'assistant', `GET /assistants/${id} answered ${describe(got)}`);
    const modified = await ok(ctx, 'POST', `/assistants/${id}`, { name: 'conformance-renamed' });
    expect(modified['name'] === 'conformance-renamed', 'POST /assistants/{id} did not change the name');
    const list = await ok(ctx, 'GET', '/assistants?limit=100');
    expect(Array.isArray(list['data']) && list['object'] === 'list', 'GET /assistants is not a list');
    const deleted = await ok(ctx, 'DELETE', `/assistants/${id}`);
    expect(deleted['deleted'] === true && deleted['id'] === id, `DELETE /assistants/${id} answered ${describe(deleted)}`);
    const gone = await call(ctx, 'GET', `/assistants/${id}`);
    expect(gone.status === 404, `GET of a deleted assistant answered ${gone.status}, not 404`);
  },
};
