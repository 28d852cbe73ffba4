import type { ConformanceCheck } from '../check.ts';
import { expect } from '../http.ts';
import { pollThroughCharts } from '../poll.ts';
import { createResponse, outputText, QUESTION } from './api.ts';

/** `background: true` answers at once, `queued` or `in_progress`, and polling reaches `completed`. */
export const responsesBackground: ConformanceCheck = {
  id: 'responses-background',
  protocol: 'responses',
  title: 'background: answered queued or in_progress at once, polled to completed',
  async run(ctx) {
    const created = await createResponse(ctx, { input: QUESTION, background: true });
    expect(created['background'] === true, `background is ${String(created['background'])} on the created response`);
    expect(['queued', 'in_progress'].includes(String(created['status'])), `a new background response is ${String(created['status'])}, not queued or in_progress`);
    const end = await pollThroughCharts(ctx, { resource: 'response', responseId: String(created['id']) });
    expect(end['status'] === 'completed', `the background response ended ${String(end['status'])}, not completed`);
    expect(outputText(end).length > 0, 'the completed background response has no text');
  },
};
