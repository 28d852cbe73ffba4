import type { ConformanceCheck } from '../check.ts';
import { call, expect, isRecord } from '../http.ts';
import { expectErrorEnvelope, QUESTION } from './api.ts';

const UNKNOWN = 'resp_conformance_does_not_exist';

/** An unknown response id is a 404 with the envelope: retrieve, its input items, cancel, delete. */
export const responsesErrorUnknownId: ConformanceCheck = {
  id: 'responses-error-unknown-id',
  protocol: 'responses',
  title: 'an unknown response id is a 404 with the error envelope (retrieve, input_items, cancel)',
  async run(ctx) {
    for (const [method, path] of [
      ['GET', `/responses/${UNKNOWN}`],
      ['GET', `/responses/${UNKNOWN}/input_items`],
      ['POST', `/responses/${UNKNOWN}/cancel`],
    ] as const) {
      const answer = await call(ctx, method, path);
      expect(answer.status === 404, `${method} ${path} answered ${answer.status}, not 404`);
      expectErrorEnvelope(answer, `${method} ${path}`);
    }
  },
};

/** A malformed request is a 400 `invalid_request_error` naming the parameter. */
export const responsesErrorInvalidRequest: ConformanceCheck = {
  id: 'responses-error-invalid-request',
  protocol: 'responses',
  title: 'a malformed request is a 400 invalid_request_error with the envelope',
  async run(ctx) {
    const answer = await call(ctx, 'POST', '/responses', { model: ctx.model, input: QUESTION, temperature: 'hot' });
    expect(answer.status === 400, `temperature: "hot" answered ${answer.status}, not 400`);
    expectErrorEnvelope(answer, 'POST /responses with temperature: "hot"');
    const error = (answer.body as { error: Record<string, unknown> }).error;
    expect(error['type'] === 'invalid_request_error', `error.type is ${String(error['type'])}, not invalid_request_error`);
    if (error['param'] !== 'temperature') ctx.warn(`error.param is ${JSON.stringify(error['param'])}, not "temperature"`);
  },
};

/** A `previous_response_id` that names nothing is refused (400 or 404) with the envelope. */
export const responsesErrorUnknownPrevious: ConformanceCheck = {
  id: 'responses-error-unknown-previous',
  protocol: 'responses',
  title: 'an unknown previous_response_id is refused (400/404) with the envelope',
  async run(ctx) {
    const answer = await call(ctx, 'POST', '/responses', { model: ctx.model, input: QUESTION, previous_response_id: UNKNOWN });
    expect(answer.status === 400 || answer.status === 404, `an unknown previous_response_id answered ${answer.status}${isRecord(answer.body) ? '' : ''}, not 400 or 404`);
    expectErrorEnvelope(answer, 'POST /responses with an unknown previous_response_id');
  },
};
