import type { ConformanceCheck } from '../check.ts';
import { describe, expect, isRecord, ok } from '../http.ts';
import { pathOf, pollThroughCharts } from '../poll.ts';
import { pausedWeatherRun } from './api.ts';

/** A paused run's steps: a `tool_calls` step whose `step_details.tool_calls` are the calls `required_action` names; completed with their outputs after submitting. */
export const runStepsToolCalls: ConformanceCheck = {
  id: 'run-steps-tool-calls',
  protocol: 'assistants',
  title: 'run steps: a tool_calls step with step_details.tool_calls matching required_action; completed with outputs',
  async run(ctx) {
    const { target, callIds: required } = await pausedWeatherRun(ctx);
    const steps = await ok(ctx, 'GET', `${pathOf(target)}/steps`);
    const toolStep = (steps['data'] as unknown[]).filter(isRecord).find((step) => step['type'] === 'tool_calls');
    expect(toolStep !== undefined, `the paused run lists no tool_calls step: ${describe(steps['data'])}`);
    expect(toolStep['status'] === 'in_progress', `the paused run's tool_calls step is ${String(toolStep['status'])}, not in_progress`);
    const details = toolStep['step_details'] as { type?: string; tool_calls?: Array<Record<string, unknown>> } | undefined;
    expect(details?.type === 'tool_calls' && Array.isArray(details.tool_calls), `step_details is ${describe(details)}, not {type: "tool_calls", tool_calls: […]}`);
    const ids = details.tool_calls!.map((call) => call['id']);
    expect(JSON.stringify(ids) === JSON.stringify(required), `step_details.tool_calls are ${ids.join(', ')}, required_action names ${required.join(', ')}`);
    const retrieved = await ok(ctx, 'GET', `${pathOf(target)}/steps/${String(toolStep['id'])}`);
    expect(retrieved['id'] === toolStep['id'] && retrieved['object'] === 'thread.run.step', `GET of the step answered ${describe(retrieved)}`);
    await ok(ctx, 'POST', `${pathOf(target)}/submit_tool_outputs`, { tool_outputs: required.map((id) => ({ tool_call_id: id, output: '{"temp":"22C"}' })) });
    const end = await pollThroughCharts(ctx, target);
    expect(end['status'] === 'completed', `after the outputs the run ended ${String(end['status'])}`);
    const done = await ok(ctx, 'GET', `${pathOf(target)}/steps/${String(toolStep['id'])}`);
    expect(done['status'] === 'completed', `the tool_calls step ended ${String(done['status'])}, not completed`);
    const outputs = ((done['step_details'] as { tool_calls?: Array<{ function?: { output?: unknown } }> }).tool_calls ?? []).map((call) => call.function?.output);
    expect(outputs.every((output) => output === '{"temp":"22C"}'), `the completed step's calls carry outputs ${describe(outputs)}, not the submitted ones`);
  },
};
