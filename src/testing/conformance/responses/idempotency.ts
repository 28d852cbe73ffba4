import type { ConformanceCheck } from '../check.ts';
import { expect, NotOffered } from '../http.ts';
import { createResponse, QUESTION } from './api.ts';

/** Where the server honours `Idempotency-Key`, a retry answers the response the first request made. */
export const responsesIdempotentRetry: ConformanceCheck = {
  id: 'responses-idempotent-retry',
  protocol: 'responses',
  title: 'a retry with the same Idempotency-Key answers the same response (where offered)',
  async run(ctx) {
    const key = `conformance-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const first = await createResponse(ctx, { input: QUESTION }, { 'Idempotency-Key': key });
    const retry = await createResponse(ctx, { input: QUESTION }, { 'Idempotency-Key': key });
    if (retry['id'] !== first['id']) throw new NotOffered('a retry with the same Idempotency-Key made another response: the server does not honour the key');
    expect(retry['status'] === first['status'], `the retry answered status ${String(retry['status'])}, the first ${String(first['status'])}`);
  },
};
