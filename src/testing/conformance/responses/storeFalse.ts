import type { ConformanceCheck } from '../check.ts';
import { call, expect } from '../http.ts';
import { createResponse, expectErrorEnvelope, QUESTION } from './api.ts';

/** A response created with `store: false` is answered, not kept: retrieving it is a 404. */
export const responsesStoreFalse: ConformanceCheck = {
  id: 'responses-store-false',
  protocol: 'responses',
  title: 'store: false answers, echoes store: false, and is not retrievable (404)',
  async run(ctx) {
    const response = await createResponse(ctx, { input: QUESTION, store: false });
    expect(response['status'] === 'completed', `the response ended ${String(response['status'])}`);
    if ('store' in response) expect(response['store'] === false, `the response says store: ${String(response['store'])}`);
    const answer = await call(ctx, 'GET', `/responses/${String(response['id'])}`);
    expect(answer.status === 404, `GET of a store: false response answered ${answer.status}, not 404`);
    expectErrorEnvelope(answer, 'GET of a store: false response');
  },
};
