// The demo, traced (assistant-machines/otel) into the real SDK's in-memory exporters: the span
// tree its client, its embedded server and its tool call make, with the GenAI attributes and the
// charts' transitions; the four GenAI client metrics; and content only when asked for.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEMO_QUESTION, runDemo, type DemoResult } from '../src/cli/demo.ts';
import { createTerminal } from '../src/cli/terminal.ts';
import { captureIO } from './helpers/cli.ts';
import { childrenOf, memoryTelemetry, named, viewSpans, type SpanView } from './helpers/otel.ts';

interface Traced {
  views: SpanView[];
  result: DemoResult;
  metrics: Awaited<ReturnType<ReturnType<typeof memoryTelemetry>['metrics']>>;
}

const test = suite<{ dir: string; plain: Traced; withContent: Traced }>('otel: the demo');

const CONTENT_ATTRIBUTES = ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.call.arguments', 'gen_ai.tool.call.result'];

async function tracedDemo(dir: string, captureContent: boolean): Promise<Traced> {
  const otel = memoryTelemetry({ captureContent });
  try {
    const result = await runDemo({ term: createTerminal(captureIO()), fast: true, outDir: dir, telemetry: otel.telemetry });
    return { views: viewSpans(otel.spans.getFinishedSpans()), result, metrics: await otel.metrics() };
  } finally {
    await otel.close();
  }
}

test.before(async (context) => {
  context.dir = await mkdtemp(join(tmpdir(), 'assistant-machines-otel-'));
  context.plain = await tracedDemo(context.dir, false);
  context.withContent = await tracedDemo(context.dir, true);
});
test.after(async ({ dir }) => {
  await rm(dir, { recursive: true, force: true });
});

const serverSpans = (views: SpanView[], client: SpanView) => childrenOf(views, client).filter((view) => view.kind === SpanKind.SERVER);

test('each stream of act one is an invoke_agent CLIENT span with the GenAI attributes of its run', ({ plain }) => {
  const { views, result } = plain;
  const agents = named(views, 'invoke_agent Travel helper').filter((view) => view.kind === SpanKind.CLIENT);
  assert.is(agents.length, 2, 'runs.stream and submitToolOutputsStream');
  const run = result.run;
  for (const agent of agents) {
    assert.is(agent.parent, undefined, 'a root: the demo has no span of its own here');
    assert.is(agent.status, SpanStatusCode.UNSET);
    const { attributes } = agent;
    assert.is(attributes['gen_ai.operation.name'], 'invoke_agent');
    assert.is(attributes['gen_ai.provider.name'], 'openai');
    assert.is(attributes['gen_ai.agent.name'], 'Travel helper');
    assert.is(attributes['gen_ai.agent.id'], run.assistant_id);
    assert.is(attributes['gen_ai.conversation.id'], run.thread_id);
    assert.is(attributes['gen_ai.request.model'], 'scripted');
    assert.is(attributes['gen_ai.response.id'], run.id);
    assert.is(attributes['gen_ai.request.stream'], true);
    assert.is(attributes['server.address'], '127.0.0.1');
    assert.type(attributes['server.port'], 'number');
    assert.type(attributes['gen_ai.response.time_to_first_chunk'], 'number');
    assert.is(attributes['error.type'], undefined);
  }
  const [first, second] = agents.sort((a, b) => a.span.startTime[0] - b.span.startTime[0] || a.span.startTime[1] - b.span.startTime[1]) as [SpanView, SpanView];
  assert.equal(first.attributes['gen_ai.response.finish_reasons'], ['tool_calls']);
  assert.equal(second.attributes['gen_ai.response.finish_reasons'], ['stop']);
  assert.is(first.attributes['gen_ai.usage.input_tokens'], undefined, 'a paused run reports no usage yet');
  assert.is(second.attributes['gen_ai.usage.input_tokens'], run.usage!.prompt_tokens);
  assert.is(second.attributes['gen_ai.usage.output_tokens'], run.usage!.completion_tokens);
  // The charts' transitions, as span events: the stream chart's, then the run chart's.
  assert.equal(first.events, ['assistantStream.connecting', 'assistantStream.streaming', 'run.queued', 'run.in_progress', 'run.requires_action', 'assistantStream.done']);
  assert.equal(second.events, ['assistantStream.connecting', 'assistantStream.streaming', 'run.queued', 'run.in_progress', 'run.completed', 'assistantStream.done']);
  const event = first.span.events.find((item) => item.name === 'run.requires_action')!;
  assert.equal(event.attributes, { 'assistant_machines.chart': 'run', 'assistant_machines.state': 'requires_action' });
});

test('a run step is a child span of its stream, with its tool calls and messages as events', ({ plain }) => {
  const { views } = plain;
  const [first, second] = named(views, 'invoke_agent Travel helper').filter((view) => view.kind === SpanKind.CLIENT);
  const firstSteps = childrenOf(views, first!).filter((view) => view.name.startsWith('run_step'));
  assert.equal(firstSteps.map((view) => view.name), ['run_step tool_calls']);
  assert.equal(firstSteps[0]!.events, ['runStep.in_progress', 'toolCall.created', 'toolCall.done'], 'the function step waits for its output as the stream ends');
  assert.is(firstSteps[0]!.attributes['assistant_machines.run_step.status'], 'in_progress');
  const toolEvent = firstSteps[0]!.span.events.find((item) => item.name === 'toolCall.created')!;
  assert.is(toolEvent.attributes?.['gen_ai.tool.name'], 'get_weather');
  assert.is(toolEvent.attributes?.['gen_ai.tool.type'], 'function');
  assert.match(String(toolEvent.attributes?.['gen_ai.tool.call.id']), /^call_/);
  const secondSteps = childrenOf(views, second!).filter((view) => view.name.startsWith('run_step'));
  assert.equal(secondSteps.map((view) => view.name), ['run_step tool_calls', 'run_step tool_calls', 'run_step message_creation']);
  assert.equal(secondSteps.map((view) => view.attributes['assistant_machines.run_step.status']), ['completed', 'completed', 'completed']);
  assert.equal(secondSteps[2]!.events, ['runStep.in_progress', 'message.created', 'message.completed', 'runStep.completed']);
  assert.type(secondSteps[2]!.attributes['gen_ai.usage.output_tokens'], 'number');
  for (const step of [...firstSteps, ...secondSteps]) assert.is(step.kind, SpanKind.INTERNAL);
});

test('the function the demo runs itself is an execute_tool span with its call id', ({ plain }) => {
  const { views, result } = plain;
  const tools = named(views, 'execute_tool get_weather');
  assert.is(tools.length, 2, 'once per act');
  const call = result.streams[0]!.run.required_action!.submit_tool_outputs.tool_calls[0]!;
  const tool = tools.find((view) => view.attributes['gen_ai.tool.call.id'] === call.id)!;
  assert.ok(tool, 'the call of act one');
  assert.is(tool.kind, SpanKind.INTERNAL);
  assert.equal(
    { ...tool.attributes },
    { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.provider.name': 'openai', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': call.id, 'gen_ai.tool.type': 'function' },
  );
  assert.is(tool.status, SpanStatusCode.UNSET);
});

test("the server continues each stream's trace: its request span, the run's execution, its steps and hosted tools", ({ plain }) => {
  const { views, result } = plain;
  const [first, second] = named(views, 'invoke_agent Travel helper').filter((view) => view.kind === SpanKind.CLIENT) as [SpanView, SpanView];
  const [create] = serverSpans(views, first);
  assert.is(create?.name, 'POST /v1/threads/{thread_id}/runs');
  assert.is(create!.span.spanContext().traceId, first.span.spanContext().traceId, 'one trace, through traceparent');
  assert.is(create!.attributes['http.route'], '/v1/threads/{thread_id}/runs');
  assert.is(create!.attributes['http.request.method'], 'POST');
  assert.is(create!.attributes['http.response.status_code'], 200);
  assert.match(String(create!.attributes['http.response.header.x-request-id']), /^req_[0-9a-f]{32}$/, 'the id the client keeps of the answer');
  assert.equal(serverSpans(views, second).map((view) => view.name), ['POST /v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs']);

  const [execution] = childrenOf(views, create!);
  assert.is(execution?.name, 'invoke_agent');
  assert.is(execution!.kind, SpanKind.INTERNAL);
  assert.is(execution!.attributes['gen_ai.response.id'], result.run.id);
  assert.is(execution!.attributes['gen_ai.agent.id'], result.run.assistant_id);
  assert.is(execution!.attributes['gen_ai.conversation.id'], result.run.thread_id);
  assert.equal(execution!.attributes['gen_ai.response.finish_reasons'], ['stop']);
  assert.equal(execution!.events, ['run.queued', 'run.in_progress', 'run.requires_action', 'run.queued', 'run.in_progress', 'run.completed']);
  const steps = childrenOf(views, execution!);
  assert.equal(steps.map((view) => view.name), ['run_step tool_calls', 'run_step tool_calls', 'run_step tool_calls', 'run_step message_creation']);
  assert.equal(steps.map((view) => childrenOf(views, view).map((child) => child.name)), [[], ['execute_tool code_interpreter'], ['execute_tool file_search'], []]);
  const search = childrenOf(views, steps[2]!)[0]!;
  assert.is(search.attributes['gen_ai.tool.type'], 'datastore');
  assert.match(String(search.attributes['gen_ai.tool.call.id']), /^call_/);
});

test('act two (the Responses API) is traced as chat spans, the server continuing them the same way', ({ plain }) => {
  const { views, result } = plain;
  const chats = named(views, 'chat scripted').filter((view) => view.kind === SpanKind.CLIENT);
  assert.is(chats.length, 2);
  for (const chat of chats) {
    assert.is(chat.attributes['gen_ai.operation.name'], 'chat');
    assert.match(String(chat.attributes['gen_ai.response.id']), /^resp_/);
    assert.is(chat.attributes['gen_ai.response.model'], 'scripted');
    assert.is(chat.attributes['gen_ai.agent.id'], undefined);
    assert.equal(serverSpans(views, chat).map((view) => view.name), ['POST /v1/responses']);
  }
  assert.is(result.responses?.run.status, 'completed');
});

test('the four GenAI client metrics, with their units and attributes', ({ plain }) => {
  const last = plain.metrics.at(-1)!;
  const metrics = new Map(last.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
  assert.equal([...metrics.keys()].sort(), [
    'gen_ai.client.operation.duration',
    'gen_ai.client.operation.time_per_output_chunk',
    'gen_ai.client.operation.time_to_first_chunk',
    'gen_ai.client.token.usage',
  ]);
  assert.is(metrics.get('gen_ai.client.operation.duration')!.descriptor.unit, 's');
  assert.is(metrics.get('gen_ai.client.token.usage')!.descriptor.unit, '{token}');
  const duration = metrics.get('gen_ai.client.operation.duration')!.dataPoints;
  assert.equal(duration.map((point) => point.attributes['gen_ai.operation.name']).sort(), ['chat', 'invoke_agent']);
  const agent = duration.find((point) => point.attributes['gen_ai.operation.name'] === 'invoke_agent')!;
  assert.is((agent.value as { count: number }).count, 2, 'two streams');
  assert.is(agent.attributes['gen_ai.provider.name'], 'openai');
  assert.is(agent.attributes['gen_ai.request.model'], 'scripted');
  const tokens = metrics.get('gen_ai.client.token.usage')!.dataPoints.filter((point) => point.attributes['gen_ai.operation.name'] === 'invoke_agent');
  assert.equal(tokens.map((point) => point.attributes['gen_ai.token.type']).sort(), ['input', 'output']);
  const input = tokens.find((point) => point.attributes['gen_ai.token.type'] === 'input')!;
  assert.is((input.value as { sum: number }).sum, plain.result.run.usage!.prompt_tokens, 'only the ended run reports usage');
  const perChunk = metrics.get('gen_ai.client.operation.time_per_output_chunk')!.dataPoints;
  assert.ok(perChunk.every((point) => (point.value as { count: number }).count > 0));
});

test('no span carries content unless captureContent is on', ({ plain, withContent }) => {
  const answer = plain.result.streams.flatMap((stream) => stream.runSteps).length > 0 ? DEMO_QUESTION : '';
  for (const view of plain.views) {
    for (const name of CONTENT_ATTRIBUTES) assert.is(view.attributes[name], undefined, `${view.name} has ${name}`);
    const values = JSON.stringify([view.attributes, view.span.events]);
    assert.not.ok(values.includes(answer), `${view.name} carries the question`);
    assert.not.ok(values.includes('light rain'), `${view.name} carries the tool's result`);
    assert.not.ok(values.includes('"city"'), `${view.name} carries the tool's arguments`);
  }
  const agents = named(withContent.views, 'invoke_agent Travel helper').filter((view) => view.kind === SpanKind.CLIENT);
  const output = JSON.parse(String(agents.find((view) => view.attributes['gen_ai.output.messages'] !== undefined)?.attributes['gen_ai.output.messages']));
  assert.is(output[0].role, 'assistant');
  assert.is(output[0].finish_reason, 'stop');
  assert.match(output[0].parts[0].content, /Paris/);
  const tool = named(withContent.views, 'execute_tool get_weather')[0]!;
  assert.equal(JSON.parse(String(tool.attributes['gen_ai.tool.call.arguments'])), { city: 'Paris' });
  assert.match(String(tool.attributes['gen_ai.tool.call.result']), /light rain/);
});

test.run();
