import type { ConformanceCheck } from '../check.ts';
import { type CheckContext, expect, isRecord, messageText, ok } from '../http.ts';
import { pollThroughCharts } from '../poll.ts';
import { readEventStream, type ReadStream } from '../sse.ts';
import { assistant, FORCE_WEATHER_FUNCTION, thread, WEATHER_FUNCTION } from '../assistants/api.ts';
import { type CutPlan, cutHeader } from './proxy.ts';

/** Streams a run through a cut; the run it named, for re-attaching by polling. */
async function cutRun(ctx: CheckContext, path: string, request: Record<string, unknown>, plan: CutPlan): Promise<{ read: ReadStream; runId: string; threadId: string }> {
  const read = await readEventStream(ctx, 'POST', path, { ...request, stream: true }, { headers: cutHeader(plan) });
  expect(read.end === 'broken', `the stream cut at ${JSON.stringify(plan)} ended ${read.end}: the fault proxy did not cut it`);
  const run = read.events.map((event) => event.data).find((data) => data?.['object'] === 'thread.run');
  expect(run !== undefined, 'no run event arrived before the cut');
  ctx.started.runs.push({ threadId: String(run['thread_id']), runId: String(run['id']) });
  return { read, runId: String(run['id']), threadId: String(run['thread_id']) };
}

/** The assistant messages a run made, by listing them. */
async function runMessages(ctx: CheckContext, threadId: string, runId: string): Promise<Record<string, unknown>[]> {
  const list = await ok(ctx, 'GET', `/threads/${threadId}/messages?order=asc&limit=100`);
  return (list['data'] as unknown[]).filter(isRecord).filter((message) => message['run_id'] === runId);
}

/** A streamed run cut after `thread.run.created`, re-attached by polling: completed, its message listed. */
export const faultReattachRun: ConformanceCheck = {
  id: 'fault-reattach-run',
  protocol: 'assistants',
  faults: true,
  title: 'a run stream cut after thread.run.created, re-attached by polling: completed, its answer listed',
  async run(ctx) {
    const assistantId = await assistant(ctx, {}, 'assistants');
    const threadId = await thread(ctx, 'Say hello in five words.');
    const { runId } = await cutRun(ctx, `/threads/${threadId}/runs`, { assistant_id: assistantId }, { after: 'thread.run.created' });
    const end = await pollThroughCharts(ctx, { resource: 'run', threadId, runId });
    expect(end['status'] === 'completed', `after the cut the run ended ${String(end['status'])}, not completed`);
    const messages = await runMessages(ctx, threadId, runId);
    expect(messages.some((message) => messageText(message).length > 0), 'the re-attached run lists no answer');
  },
};

/** Cut before `requires_action`: polling finds the pause with the calls the stream started; submitting completes it. */
export const faultReattachRequiresAction: ConformanceCheck = {
  id: 'fault-reattach-requires-action',
  protocol: 'assistants',
  faults: true,
  title: 'a run stream cut before thread.run.requires_action, re-attached: the same calls pending, outputs complete it',
  async run(ctx) {
    const assistantId = await assistant(ctx, { tools: [WEATHER_FUNCTION] }, 'function tools');
    const threadId = await thread(ctx, "What's the weather in Paris? Use get_weather.");
    const { read, runId } = await cutRun(ctx, `/threads/${threadId}/runs`, { assistant_id: assistantId, tool_choice: FORCE_WEATHER_FUNCTION }, { before: 'thread.run.requires_action' });
    const streamedCalls = new Set(
      read.events.flatMap((event) => {
        const calls = (event.data?.['delta'] as { step_details?: { tool_calls?: Array<{ id?: string }> } } | undefined)?.step_details?.tool_calls ?? [];
        return calls.map((call) => call.id).filter((id): id is string => typeof id === 'string');
      }),
    );
    const target = { resource: 'run', threadId, runId } as const;
    const paused = await pollThroughCharts(ctx, target);
    expect(paused['status'] === 'requires_action', `re-attached, the run is ${String(paused['status'])}, not requires_action`);
    const calls = (paused['required_action'] as { submit_tool_outputs: { tool_calls: Array<{ id: string }> } }).submit_tool_outputs.tool_calls;
    expect(calls.length > 0 && calls.every((call) => streamedCalls.size === 0 || streamedCalls.has(call.id)), 'the pending calls are not the ones the stream started');
    await ok(ctx, 'POST', `/threads/${threadId}/runs/${runId}/submit_tool_outputs`, { tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: '22C' })) });
    const end = await pollThroughCharts(ctx, target);
    expect(end['status'] === 'completed', `after the outputs the run ended ${String(end['status'])}`);
  },
};

/** A streamed `submit_tool_outputs` cut mid-answer, re-attached by polling: completed. */
export const faultReattachToolOutputs: ConformanceCheck = {
  id: 'fault-reattach-tool-outputs',
  protocol: 'assistants',
  faults: true,
  title: 'a submit_tool_outputs stream cut at its first message delta, re-attached by polling: completed, answer listed',
  async run(ctx) {
    const assistantId = await assistant(ctx, { tools: [WEATHER_FUNCTION] }, 'function tools');
    const threadId = await thread(ctx, "What's the weather in Paris? Use get_weather.");
    const run = await ok(ctx, 'POST', `/threads/${threadId}/runs`, { assistant_id: assistantId, tool_choice: FORCE_WEATHER_FUNCTION });
    const target = { resource: 'run', threadId, runId: String(run['id']) } as const;
    ctx.started.runs.push({ threadId, runId: target.runId });
    const paused = await pollThroughCharts(ctx, target);
    expect(paused['status'] === 'requires_action', `the run stopped at ${String(paused['status'])}, not requires_action`);
    const calls = (paused['required_action'] as { submit_tool_outputs: { tool_calls: Array<{ id: string }> } }).submit_tool_outputs.tool_calls;
    const read = await readEventStream(
      ctx,
      'POST',
      `/threads/${threadId}/runs/${target.runId}/submit_tool_outputs`,
      { tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: '22C' })), stream: true },
      { headers: cutHeader({ after: 'thread.message.delta' }) },
    );
    expect(read.end === 'broken', `the tool-outputs stream ended ${read.end}: the fault proxy did not cut it`);
    const end = await pollThroughCharts(ctx, target);
    expect(end['status'] === 'completed', `after the cut the run ended ${String(end['status'])}, not completed`);
    const messages = await runMessages(ctx, threadId, target.runId);
    expect(messages.some((message) => messageText(message).length > 0), 'the re-attached run lists no answer');
  },
};
