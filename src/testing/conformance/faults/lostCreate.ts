import type { ConformanceCheck } from '../check.ts';
import { call, describe, expect, isRecord, NotOffered } from '../http.ts';
import { pollThroughCharts } from '../poll.ts';
import { body, QUESTION } from '../responses/api.ts';
import { cutHeader } from './proxy.ts';

/**
 * The answer to a background create is lost (the server made the response, the client never
 * hears of it): a retry with the same `Idempotency-Key` must answer that response, not a second
 * one. Not offered where the server does not honour the key.
 */
export const faultLostCreate: ConformanceCheck = {
  id: 'fault-lost-create',
  protocol: 'responses',
  faults: true,
  title: 'a create whose answer is lost, retried with its Idempotency-Key: the same response (where offered)',
  async run(ctx) {
    const key = `conformance-lost-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const request = body(ctx, { input: QUESTION, background: true });
    const lost = await call(ctx, 'POST', '/responses', request, { 'Idempotency-Key': key, ...cutHeader({ drop: true }) }).then(
      () => 'answered',
      () => 'lost',
    );
    expect(lost === 'lost', 'the fault proxy did not drop the answer');
    const retry = await call(ctx, 'POST', '/responses', request, { 'Idempotency-Key': key });
    expect(retry.status === 200 && isRecord(retry.body), `the retry answered ${retry.status}: ${describe(retry.body)}`);
    const again = await call(ctx, 'POST', '/responses', request, { 'Idempotency-Key': key });
    expect(isRecord(again.body), `a second retry answered ${again.status}`);
    if (again.body['id'] !== retry.body['id']) throw new NotOffered('retries with the same Idempotency-Key made different responses: the server does not honour the key');
    const id = String(retry.body['id']);
    ctx.started.responses.push(id);
    const end = await pollThroughCharts(ctx, { resource: 'response', responseId: id });
    expect(end['status'] === 'completed', `the response ended ${String(end['status'])}`);
  },
};
