import type { ConformanceCheck } from '../check.ts';
import { call, expect } from '../http.ts';
import { createResponse, expectErrorEnvelope, QUESTION } from './api.ts';
import { createConversation } from './conversationTurns.ts';

/** `previous_response_id` and `conversation` together are refused: the spec says they cannot be used in conjunction. */
export const responsesConversationExclusive: ConformanceCheck = {
  id: 'responses-conversation-exclusive',
  protocol: 'responses',
  title: 'previous_response_id with conversation is a 400 with the error envelope',
  async run(ctx) {
    const conversation = await createConversation(ctx);
    const previous = await createResponse(ctx, { input: QUESTION });
    const answer = await call(ctx, 'POST', '/responses', { model: ctx.model, input: QUESTION, previous_response_id: previous['id'], conversation: conversation['id'] });
    expect(answer.status === 400, `previous_response_id with conversation answered ${answer.status}, not 400`);
    expectErrorEnvelope(answer, 'POST /responses with previous_response_id and conversation');
  },
};
