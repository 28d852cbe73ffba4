import type { ConformanceCheck } from '../check.ts';
import { expect } from '../http.ts';
import { pollThroughCharts } from '../poll.ts';
import { createResponse, outputItems, outputText, QUESTION } from './api.ts';

/** A plain (not streamed) response: `completed`, an assistant message with text, usage counted. */
export const responsesCreate: ConformanceCheck = {
  id: 'responses-create',
  protocol: 'responses',
  title: 'a plain response: completed, an assistant message with output_text, usage',
  async run(ctx) {
    const response = await createResponse(ctx, { input: QUESTION });
    expect(response['object'] === 'response', `object is ${String(response['object'])}, not response`);
    expect(response['status'] === 'completed', `a plain response answered status ${String(response['status'])}, not completed`);
    const message = outputItems(response).find((item) => item['type'] === 'message');
    expect(message !== undefined && message['role'] === 'assistant', 'the output has no assistant message item');
    expect(outputText(response).length > 0, 'the message has no output_text');
    const usage = response['usage'] as Record<string, unknown> | null | undefined;
    expect(typeof usage?.['output_tokens'] === 'number' && typeof usage['input_tokens'] === 'number', `usage is ${JSON.stringify(usage)}, not counted`);
    // Retrieving it drives the poll chart once: a final status at the first fetch.
    await pollThroughCharts(ctx, { resource: 'response', responseId: String(response['id']) });
  },
};
