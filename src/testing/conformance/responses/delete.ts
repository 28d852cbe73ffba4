import type { ConformanceCheck } from '../check.ts';
import { call, describe, expect, isRecord, NotOffered } from '../http.ts';
import { createResponse, expectErrorEnvelope, QUESTION } from './api.ts';

/** `DELETE /responses/{id}` removes it: deleted, then a 404. */
export const responsesDelete: ConformanceCheck = {
  id: 'responses-delete',
  protocol: 'responses',
  title: 'delete a response: deleted: true, then retrieving it is a 404',
  async run(ctx) {
    const response = await createResponse(ctx, { input: QUESTION });
    const path = `/responses/${String(response['id'])}`;
    const deleted = await call(ctx, 'DELETE', path);
    if (deleted.status === 405 || deleted.status === 501) throw new NotOffered(`DELETE ${path} answered ${deleted.status}`);
    expect(deleted.status === 200, `DELETE of a stored response answered ${deleted.status}: ${describe(deleted.body)}`);
    if (isRecord(deleted.body)) expect(deleted.body['deleted'] !== false, `DELETE answered ${describe(deleted.body)}`);
    const gone = await call(ctx, 'GET', path);
    expect(gone.status === 404, `GET of a deleted response answered ${gone.status}, not 404`);
    expectErrorEnvelope(gone, 'GET of a deleted response');
  },
};
