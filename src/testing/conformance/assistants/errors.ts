import type { ConformanceCheck } from '../check.ts';
import { call, expect } from '../http.ts';
import { expectEnvelope } from './api.ts';

export const assistantsErrorUnknownId: ConformanceCheck = {
  id: 'error-unknown-id',
  protocol: 'assistants',
  title: 'an unknown thread is a 404 with the error envelope',
  async run(ctx) {
    const answer = await call(ctx, 'GET', '/threads/thread_conformance_does_not_exist');
    expect(answer.status === 404, `GET of an unknown thread answered ${answer.status}, not 404`);
    expectEnvelope(answer.body, 'GET of an unknown thread');
  },
};

export const assistantsErrorInvalidRequest: ConformanceCheck = {
  id: 'error-invalid-request',
  protocol: 'assistants',
  title: 'a malformed body is a 400 invalid_request_error with the envelope',
  async run(ctx) {
    const answer = await call(ctx, 'POST', '/threads', { messages: [{ role: 'user', content: 42 }] });
    expect(answer.status === 400, `a message whose content is a number answered ${answer.status}, not 400`);
    expectEnvelope(answer.body, 'POST /threads with a bad message');
    expect((answer.body as { error: { type: unknown } }).error.type === 'invalid_request_error', 'error.type is not invalid_request_error');
  },
};
