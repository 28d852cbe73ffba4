import { readThroughCharts } from '../charts.ts';
import type { ConformanceCheck } from '../check.ts';
import { expect } from '../http.ts';
import { toSSE } from '../sse.ts';
import { createResponse, FORCE_WEATHER, outputItems, outputText, responseOf, streamResponse, WEATHER_TOOL } from './api.ts';

/** The tool-output turn: `previous_response_id` and a `function_call_output` per call; the answer completes. */
export const responsesFunctionCallOutput: ConformanceCheck = {
  id: 'responses-function-call-output',
  protocol: 'responses',
  title: 'the tool-output turn: function_call_output items after previous_response_id complete the answer',
  async run(ctx) {
    const first = await createResponse(ctx, { input: "What's the weather in Paris? Use get_weather.", tools: [WEATHER_TOOL], tool_choice: FORCE_WEATHER });
    const calls = outputItems(first).filter((item) => item['type'] === 'function_call');
    expect(calls.length > 0, 'the first response has no function_call item');
    const input = calls.map((call) => ({ type: 'function_call_output', call_id: call['call_id'], output: '{"temperature":"22C","sky":"clear"}' }));
    const { events } = await streamResponse(ctx, { previous_response_id: first['id'], input, tools: [WEATHER_TOOL] });
    const final = responseOf(events.at(-1));
    expect(final !== undefined && final['status'] === 'completed', `the tool-output turn ended ${String(final?.['status'])}, not completed`);
    expect(final['previous_response_id'] === first['id'], `previous_response_id is ${String(final['previous_response_id'])}, not the first response`);
    expect(outputText(final).length > 0, 'the tool-output turn has no answer text');
    const reading = await readThroughCharts(ctx, toSSE(events), { protocol: 'responses', runId: String(first['id']) });
    expect(reading.run.status === 'completed', `the charts read the turn as ${reading.run.status}, not completed`);
  },
};
