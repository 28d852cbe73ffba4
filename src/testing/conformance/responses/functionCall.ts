import { readThroughCharts } from '../charts.ts';
import type { ConformanceCheck } from '../check.ts';
import { CheckFailure, expect } from '../http.ts';
import { toSSE } from '../sse.ts';
import { expectKeys, FORCE_WEATHER, outputItems, responseOf, streamResponse, typeOf, WEATHER_TOOL } from './api.ts';
import { FUNCTION_CALL_REQUIRED_KEYS } from './specKeys.ts';

/** A forced function call: a `function_call` item with a `call_id`, the tool's name and JSON arguments that add up from their deltas. */
export const responsesFunctionCall: ConformanceCheck = {
  id: 'responses-function-call',
  protocol: 'responses',
  title: 'a forced function call: function_call item, call_id, JSON arguments equal to their deltas; the run pauses (requires_action)',
  async run(ctx) {
    const { events } = await streamResponse(ctx, { input: "What's the weather in Paris? Use get_weather.", tools: [WEATHER_TOOL], tool_choice: FORCE_WEATHER });
    const final = responseOf(events.at(-1));
    expect(final !== undefined && final['status'] === 'completed', `the response ended ${String(final?.['status'])}, not completed`);
    const calls = outputItems(final).filter((item) => item['type'] === 'function_call');
    expect(calls.length > 0, 'the output has no function_call item');
    for (const call of calls) {
      expectKeys(call, FUNCTION_CALL_REQUIRED_KEYS, 'the function_call item');
      expect(call['name'] === 'get_weather', `the call names ${String(call['name'])}, not get_weather`);
      expect(typeof call['call_id'] === 'string' && call['call_id'] !== '', 'the call has no call_id');
      try {
        JSON.parse(String(call['arguments']));
      } catch {
        throw new CheckFailure(`the call's arguments are not JSON: ${String(call['arguments'])}`);
      }
      const deltas = events
        .filter((event) => typeOf(event) === 'response.function_call_arguments.delta' && event.data?.['item_id'] === call['id'])
        .map((event) => String(event.data?.['delta']))
        .join('');
      const done = events.find((event) => typeOf(event) === 'response.function_call_arguments.done' && event.data?.['item_id'] === call['id']);
      if (deltas !== '' || done !== undefined) {
        expect(done?.data?.['arguments'] === deltas, `function_call_arguments.done has ${JSON.stringify(done?.data?.['arguments'])}, the deltas ${JSON.stringify(deltas)}`);
        expect(call['arguments'] === deltas, 'the item\'s arguments are not its deltas\'');
      }
    }
    const reading = await readThroughCharts(ctx, toSSE(events), { protocol: 'responses' });
    expect(reading.run.status === 'requires_action', `the charts read the response as ${reading.run.status}, not requires_action`);
  },
};
