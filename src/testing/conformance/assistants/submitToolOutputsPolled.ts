import type { ConformanceCheck } from '../check.ts';
import { describe, expect, ok } from '../http.ts';
import { pathOf, pollThroughCharts } from '../poll.ts';
import { pausedWeatherRun } from './api.ts';

/** The tool round trip without streaming: poll to `requires_action`, submit (not streamed), poll to `completed`. */
export const submitToolOutputsPolled: ConformanceCheck = {
  id: 'submit-tool-outputs-polled',
  protocol: 'assistants',
  title: 'submit_tool_outputs not streamed: polled to requires_action, submitted, polled to completed',
  async run(ctx) {
    const { run, target, callIds } = await pausedWeatherRun(ctx);
    const submitted = await ok(ctx, 'POST', `${pathOf(target)}/submit_tool_outputs`, { tool_outputs: callIds.map((id) => ({ tool_call_id: id, output: '22C' })) });
    expect(submitted['id'] === run['id'], `submit_tool_outputs answered ${describe(submitted)}, not the run`);
    expect(['queued', 'in_progress', 'completed'].includes(String(submitted['status'])), `right after the outputs the run is ${String(submitted['status'])}`);
    const end = await pollThroughCharts(ctx, target);
    expect(end['status'] === 'completed', `after the outputs the run ended ${String(end['status'])}, not completed`);
  },
};
