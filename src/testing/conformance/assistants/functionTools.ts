import type { ConformanceCheck } from '../check.ts';
import { CheckFailure, expect } from '../http.ts';
import { thread, assistant, streamRun } from './api.ts';

export const functionTools: ConformanceCheck = {
  id: 'function-tools',
  protocol: 'assistants',
  title: 'function tools: requires_action, submit_tool_outputs (streamed), completed',
  async run(ctx) {
    const tool = {
      type: 'function',
      function: { name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    };
    const assistantId = await assistant(ctx, { tools: [tool] }, 'function tools');
    const threadId = await thread(ctx, "What's the weather in Paris? Use get_weather.");
    const first = await streamRun(ctx, `/threads/${threadId}/runs`, {
      assistant_id: assistantId,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(first.run.status === 'requires_action', `the run ended ${first.run.status}, not requires_action`);
    const calls = first.run.required_action?.submit_tool_outputs.tool_calls ?? [];
    expect(calls.length > 0 && calls.every((toolCall) => toolCall.function.name === 'get_weather'), 'required_action names no get_weather call');
    for (const toolCall of calls) {
      try {
        JSON.parse(toolCall.function.arguments);
      } catch {
        throw new CheckFailure(`the call's arguments are not JSON: ${toolCall.function.arguments}`);
      }
    }
    const outputs = calls.map((toolCall) => ({ tool_call_id: toolCall.id, output: '{"temp":"22C"}' }));
    const second = await streamRun(ctx, `/threads/${threadId}/runs/${first.run.id}/submit_tool_outputs`, { tool_outputs: outputs });
    expect(second.run.status === 'completed', `after the outputs the run ended ${second.run.status}, not completed`);
  },
};
