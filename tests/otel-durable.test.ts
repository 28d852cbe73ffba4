// Durable runs traced: the thread object's `run` handler (runDurably) on an in-memory Restate
// context (tests/helpers/fakeRestateContext.ts; the real restate-server is the Restate suite's),
// with the real OTel SDK and in-memory exporters. One attempt: an `invoke_agent` span continuing
// the ingress's `traceparent`, with an in-process run's attributes, its steps, one execute_tool
// per tool, the server's spans joined. A worker that dies after its tools' results were journaled:
// the retry replays them — no tool runs again, no second execute_tool span — its span is marked
// replayed, its replayed transitions too, and it ends the run.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AssistantsClient } from '../src/index.ts';
import { runDurably, type RunDurablyOptions } from '../src/restate/runDurably.ts';
import { clientOf, WEATHER_AND_TIME } from './helpers/assistantRun.ts';
import { fakeAttempt, fakeInvocation, type FakeJournalEntry } from './helpers/fakeRestateContext.ts';
import { childrenOf, memoryTelemetry, named, viewSpans, type MemoryTelemetry } from './helpers/otel.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ ts: TestServer; assistantId: string; otel: MemoryTelemetry; client: AssistantsClient; executions: string[] }>('otel: durable runs on Restate');

const ASK = [{ role: 'user' as const, content: "What's the weather and the time in Paris?" }];
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN}-01`;

test.before(async (context) => {
  context.otel = memoryTelemetry();
  context.ts = await startTestServer({ telemetry: context.otel.telemetry.server });
  context.assistantId = (await context.ts.openai.beta.assistants.create({ model: 'scripted', name: 'Weather', tools: WEATHER_AND_TIME })).id;
  context.client = clientOf(context.ts.server.url, { fetch: context.otel.telemetry.fetch() });
  context.executions = [];
});
test.before.each(({ otel, executions }) => {
  otel.spans.reset();
  executions.length = 0;
});
test.after(async ({ ts, otel }) => {
  assert.equal(ts.internalErrors, []);
  await ts.close();
  await otel.close();
});

const options = ({ otel, client, executions }: { otel: MemoryTelemetry; client: AssistantsClient; executions: string[] }): RunDurablyOptions => ({
  client,
  tools: {
    get_weather: ({ city }: { city: string }, { toolCall }: { toolCall: { id: string } }) => {
      executions.push(toolCall.id);
      return { city, temp: '22C' };
    },
    get_time: (_args: unknown, { toolCall }: { toolCall: { id: string } }) => {
      executions.push(toolCall.id);
      return '14:00';
    },
  },
  responses: undefined,
  idleTimeoutMs: undefined,
  onEvent: undefined,
  telemetry: otel.telemetry,
  objectName: 'assistantThread',
  agentName: 'Weather',
});

test('one attempt: invoke_agent continues the ingress traceparent, with the run, its steps, its tools and the server under it', async (context) => {
  const { ts, assistantId, otel, executions } = context;
  const thread = await ts.openai.beta.threads.create();
  const invocation = fakeInvocation(thread.id, { traceparent: TRACEPARENT });
  const output = await runDurably(fakeAttempt(invocation).ctx, { assistantId, additionalMessages: ASK }, options(context));
  assert.is(output.run.status, 'completed');
  assert.is(executions.length, 2);

  const views = viewSpans(otel.spans.getFinishedSpans());
  const [agent, ...more] = named(views, 'invoke_agent Weather');
  assert.ok(agent !== undefined && more.length === 0, 'one invoke_agent span');
  assert.is(agent.kind, SpanKind.CLIENT);
  assert.is(agent.span.spanContext().traceId, TRACE_ID, 'the caller’s trace');
  assert.is(agent.span.parentSpanContext?.spanId, CALLER_SPAN, 'a child of the caller’s span');
  const attributes = agent.attributes;
  assert.is(attributes['gen_ai.operation.name'], 'invoke_agent');
  assert.is(attributes['gen_ai.agent.name'], 'Weather');
  assert.is(attributes['gen_ai.agent.id'], assistantId);
  assert.is(attributes['gen_ai.conversation.id'], thread.id);
  assert.is(attributes['gen_ai.request.stream'], true, 'a durable run streams its runs');
  assert.is(attributes['gen_ai.response.id'], output.run.id);
  assert.equal(attributes['gen_ai.response.finish_reasons'], ['stop']);
  assert.is(attributes['gen_ai.usage.input_tokens'], output.run.usage?.prompt_tokens);
  assert.is(attributes['gen_ai.usage.output_tokens'], output.run.usage?.completion_tokens);
  assert.is(attributes['assistant_machines.restate.invocation_id'], invocation.invocationId);
  assert.is(attributes['assistant_machines.restate.replayed'], false);
  assert.is(attributes['assistant_machines.restate.attempt.outcome'], 'returned');
  assert.is(agent.status, SpanStatusCode.UNSET);
  for (const event of ['assistantRun.creating', 'assistantRun.runningTools', 'assistantRun.submitting', 'run.requires_action', 'run.completed', 'assistantRun.done']) {
    assert.ok(agent.events.includes(event), `event ${event} (${agent.events.join(', ')})`);
  }
  assert.ok(agent.span.events.every((event) => event.attributes?.['assistant_machines.restate.replayed'] === undefined), 'nothing replayed');

  const children = childrenOf(views, agent);
  assert.equal(
    children.filter((view) => view.name.startsWith('execute_tool')).map((view) => view.name).sort(),
    ['execute_tool get_time', 'execute_tool get_weather'],
  );
  assert.equal(children.filter((view) => view.name.startsWith('run_step')).map((view) => view.name), ['run_step tool_calls', 'run_step message_creation']);
  // The requests carried traceparent: the server's spans are children of the run's.
  const requests = children.filter((view) => view.kind === SpanKind.SERVER).map((view) => view.name);
  assert.ok(requests.includes('POST /v1/threads/{thread_id}/runs'), requests.join(', '));
  assert.ok(requests.includes('POST /v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs'), requests.join(', '));
  // Never a key, never content (captureContent is off).
  const exported = JSON.stringify(views.map((view) => [view.attributes, view.span.events]));
  assert.not.ok(exported.includes('test-key'));
  assert.not.ok(exported.includes('22C'));
});

test('a worker dies after its tools were journaled: the retry replays them (no second execute_tool), is marked, and ends the run', async (context) => {
  const { ts, assistantId, otel, executions } = context;
  const thread = await ts.openai.beta.threads.create();
  const invocation = fakeInvocation(thread.id, { traceparent: TRACEPARENT });
  const toolsJournaled = (journal: readonly FakeJournalEntry[]) => journal.filter((entry) => entry.name.startsWith('tool ') && entry.completed).length === 2;
  const first = fakeAttempt(invocation, toolsJournaled);
  const firstRun = runDurably(first.ctx, { assistantId, additionalMessages: ASK }, options(context));
  await until(() => first.dead);
  assert.is(executions.length, 2, 'both tools ran in the first attempt');
  const second = fakeAttempt(invocation);
  const output = await runDurably(second.ctx, { assistantId, additionalMessages: ASK }, options(context));
  assert.is(output.run.status, 'completed');
  assert.is(executions.length, 2, 'no tool ran again');
  assert.not.ok(second.executed.some((name) => name.startsWith('tool ')), 'the retry replayed the tools');
  void firstRun; // never settles: its worker is dead

  const views = viewSpans(otel.spans.getFinishedSpans());
  const tools = views.filter((view) => view.name.startsWith('execute_tool'));
  assert.equal(tools.map((view) => view.name).sort(), ['execute_tool get_time', 'execute_tool get_weather'], 'one execute_tool span per executed tool');
  // The dead attempt's span never ended (nothing of a killed process ends); the retry's did.
  const [agent, ...more] = named(views, 'invoke_agent Weather');
  assert.ok(agent !== undefined && more.length === 0);
  assert.is(agent.span.spanContext().traceId, TRACE_ID, 'every attempt continues the caller’s trace');
  assert.is(agent.attributes['assistant_machines.restate.replayed'], true);
  assert.is(agent.attributes['assistant_machines.restate.attempt.outcome'], 'returned');
  assert.equal(agent.attributes['gen_ai.response.finish_reasons'], ['stop']);
  assert.is(agent.attributes['gen_ai.response.id'], output.run.id);
  const replayed = (name: string) => agent.span.events.find((event) => event.name === name)?.attributes?.['assistant_machines.restate.replayed'];
  assert.is(replayed('assistantRun.creating'), true, 'the create, replayed');
  assert.is(replayed('run.queued'), true, 'the create’s first event, replayed');
  assert.is(replayed('assistantRun.done'), undefined, 'the end, live');
  // Its steps are those it read: the answer's, streamed by its submission.
  const steps = childrenOf(views, agent).filter((view) => view.name.startsWith('run_step'));
  assert.ok(steps.some((view) => view.name === 'run_step message_creation'), steps.map((view) => view.name).join(', '));
  assert.not.ok(childrenOf(views, agent).some((view) => view.name.startsWith('execute_tool')), 'no tool span under the retry');
});

test('no telemetry: the handler traces nothing and runs the same', async (context) => {
  const { ts, assistantId, otel, executions } = context;
  const thread = await ts.openai.beta.threads.create();
  const output = await runDurably(fakeAttempt(fakeInvocation(thread.id)).ctx, { assistantId, additionalMessages: ASK }, { ...options(context), telemetry: undefined });
  assert.is(output.run.status, 'completed');
  assert.is(executions.length, 2);
  assert.equal(named(viewSpans(otel.spans.getFinishedSpans()), 'invoke_agent Weather'), []);
});

async function until(probe: () => boolean): Promise<void> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > 10_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test.run();
