import type { ConformanceCheck } from '../check.ts';
import { describe, expect, ok } from '../http.ts';
import { pathOf, pollThroughCharts } from '../poll.ts';
import { assistant, createRun, FORCE_WEATHER_FUNCTION, thread, WEATHER_FUNCTION } from './api.ts';

/** The tool round trip without streaming: poll to `requires_action`, submit (not streamed), poll to `completed`. */
export const submitToolOutputsPolled: ConformanceCheck = {
  id: 'submit-tool-outputs-polled',
  protocol: 'assistants',
  title: 'submit_tool_outputs not streamed: polled to requires_action, submitted, polled to completed',
  async run(ctx) {
    const assistantId = await assistant(ctx, { tools: [WEATHER_FUNCTION] }, 'function tools');
    const threadId = await thread(ctx, "What's the weather in Paris? Use get_weather.");
    const run = await createRun(ctx, threadId, { assistant_id: assistantId, tool_choice: FORCE_WEATHER_FUNCTION });
    const target = { resource: 'run', threadId, runId: String(run['id']) } as const;
    const paused = await pollThroughCharts(ctx, target);
    expect(paused['status'] === 'requires_action', `the run stopped at ${String(paused['status'])}, not requires_action`);
    const calls = (paused['required_action'] as { submit_tool_outputs: { tool_calls: Array<{ id: string }> } }).submit_tool_outputs.tool_calls;
    const submitted = await ok(ctx, 'POST', `${pathOf(target)}/submit_tool_outputs`, { tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: '22C' })) });
    expect(submitted['id'] === run['id'], `submit_tool_outputs answered ${describe(submitted)}, not the run`);
    expect(['queued', 'in_progress', 'completed'].includes(String(submitted['status'])), `right after the outputs the run is ${String(submitted['status'])}`);
    const end = await pollThroughCharts(ctx, target);
    expect(end['status'] === 'completed', `after the outputs the run ended ${String(end['status'])}, not completed`);
  },
};
