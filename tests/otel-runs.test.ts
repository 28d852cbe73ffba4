// The OTel bridge on every kind of run: a stream whose run fails or is aborted, an assistantRun
// actor (its tools as execute_tool spans, a throwing one marked, a cancelled run ended, every
// request of the run joined to its span across the wire), polls and *AndPoll promises, and
// the no-op when no provider is registered.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, toPromise, waitFor } from 'xstate';
import { createAssistantRun, createPollMachine, type AssistantRunProgress, type AssistantsClient } from '../src/index.ts';
import { createTelemetry } from '../src/otel/index.ts';
import { clientOf, WEATHER_AND_TIME } from './helpers/assistantRun.ts';
import { within } from './helpers/loopback.ts';
import { childrenOf, memoryTelemetry, named, viewSpans, type MemoryTelemetry, type SpanView } from './helpers/otel.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ ts: TestServer; assistantId: string; otel: MemoryTelemetry; client: AssistantsClient }>('otel: runs');

const ASK = [{ role: 'user' as const, content: "What's the weather and the time in Paris?" }];
const STORY = [{ role: 'user' as const, content: 'Tell me a long story' }];

test.before(async (context) => {
  context.otel = memoryTelemetry();
  context.ts = await startTestServer({ telemetry: context.otel.telemetry.server });
  context.assistantId = (await context.ts.openai.beta.assistants.create({ model: 'scripted', name: 'Weather', tools: WEATHER_AND_TIME })).id;
  context.client = clientOf(context.ts.server.url, { fetch: context.otel.telemetry.fetch() });
});
test.before.each(({ otel }) => otel.spans.reset());
test.after(async ({ ts, otel }) => {
  assert.equal(ts.internalErrors, []);
  await ts.close();
  await otel.close();
});

const spans = (otel: MemoryTelemetry) => viewSpans(otel.spans.getFinishedSpans());
const clientAgent = (views: SpanView[]) => views.filter((view) => view.kind === SpanKind.CLIENT && view.name.startsWith('invoke_agent'));

test('a run that fails sets error.type (its last_error code) and the error status, on both sides', async ({ ts, assistantId, otel, client }) => {
  const thread = await ts.openai.beta.threads.create({ messages: STORY });
  const stream = otel.telemetry.trace(() => client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId, metadata: { scenario: 'failed' } }), { agentName: 'Weather' });
  const run = await stream.finalRun();
  assert.is(run.status, 'failed');
  const views = spans(otel);
  const [agent] = named(views, 'invoke_agent Weather');
  assert.is(agent!.attributes['error.type'], 'server_error');
  assert.equal(agent!.attributes['gen_ai.response.finish_reasons'], ['failed']);
  assert.is(agent!.status, SpanStatusCode.ERROR);
  assert.ok(agent!.events.includes('run.failed'));
  const execution = named(views, 'invoke_agent').find((view) => view.kind === SpanKind.INTERNAL)!;
  assert.is(execution.attributes['error.type'], 'server_error');
  assert.is(execution.status, SpanStatusCode.ERROR);
  const [step] = childrenOf(views, agent!).filter((view) => view.name.startsWith('run_step'));
  assert.is(step?.attributes['assistant_machines.run_step.status'], 'failed');
  assert.is(step?.attributes['error.type'], 'server_error');
});

test('an aborted stream ends its span at once, with error.type aborted; its open step ends too', async ({ ts, assistantId, otel, client }) => {
  const thread = await ts.openai.beta.threads.create({ messages: STORY });
  const stream = otel.telemetry.trace(() => client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId, metadata: { scenario: 'slow' } }));
  await stream.emitted('textDelta');
  stream.abort();
  await stream.done().catch(() => {});
  const views = spans(otel);
  const [agent] = clientAgent(views);
  assert.ok(agent, 'the span ended');
  assert.is(agent!.attributes['error.type'], 'aborted');
  assert.equal(agent!.events.slice(-1), ['assistantStream.aborted']);
  const step = childrenOf(views, agent!).find((view) => view.name === 'run_step message_creation');
  assert.ok(step, 'the step open when the stream was aborted ended with it');
  await ts.openai.beta.threads.runs.cancel(stream.currentRun()!.id, { thread_id: thread.id });
});

test('an assistantRun actor: one invoke_agent span for the whole run, an execute_tool span per call (a throw marks it), every request of the run its child', async ({
  ts,
  assistantId,
  otel,
  client,
}) => {
  const thread = await ts.openai.beta.threads.create();
  const down = new Error('the weather service is down');
  const logic = createAssistantRun({ client, tools: { get_weather: () => { throw down; }, get_time: () => '14:00' } });
  const actor = otel.telemetry.trace(() => createActor(logic, { input: { threadId: thread.id, assistantId, additionalMessages: ASK } }).start(), { agentName: 'Weather' });
  const output = await within(toPromise(actor), 5000, 'the run');
  assert.is(output.run.status, 'completed');
  const views = spans(otel);
  const agents = clientAgent(views);
  assert.equal(agents.map((view) => view.name), ['invoke_agent Weather'], 'one span for the whole run: its create and its submit');
  const agent = agents[0]!;
  assert.is(agent.attributes['gen_ai.response.id'], output.run.id);
  assert.is(agent.attributes['gen_ai.agent.id'], assistantId);
  assert.is(agent.attributes['gen_ai.conversation.id'], thread.id);
  assert.is(agent.attributes['gen_ai.request.stream'], true, 'the actor streams its runs');
  assert.equal(agent.attributes['gen_ai.response.finish_reasons'], ['stop']);
  assert.is(agent.attributes['gen_ai.usage.output_tokens'], output.run.usage!.completion_tokens);
  // The actor's chart as it settled after each event (`actionRequired` is passed through within one), then the run's.
  assert.equal(agent.events.filter((name) => name.startsWith('assistantRun.')), [
    'assistantRun.creating',
    'assistantRun.runningTools',
    'assistantRun.submitting',
    'assistantRun.finishing',
    'assistantRun.done',
  ]);
  assert.equal(agent.events.filter((name) => name.startsWith('run.')), ['run.queued', 'run.in_progress', 'run.requires_action', 'run.queued', 'run.in_progress', 'run.completed']);

  const tools = childrenOf(views, agent).filter((view) => view.name.startsWith('execute_tool'));
  assert.equal(tools.map((view) => view.name).sort(), ['execute_tool get_time', 'execute_tool get_weather']);
  const weather = tools.find((view) => view.name === 'execute_tool get_weather')!;
  assert.is(weather.status, SpanStatusCode.ERROR);
  assert.is(weather.attributes['error.type'], 'Error');
  assert.match(String(weather.attributes['gen_ai.tool.call.id']), /^call_/);
  assert.equal(weather.events, ['exception']);
  assert.is(weather.span.events[0]!.attributes?.['exception.message'], 'the weather service is down');
  const time = tools.find((view) => view.name === 'execute_tool get_time')!;
  assert.is(time.status, SpanStatusCode.UNSET);

  // Every request the actor made (create, submit, list messages) went out under its span.
  const requests = childrenOf(views, agent).filter((view) => view.kind === SpanKind.SERVER).map((view) => view.name);
  assert.ok(requests.includes('POST /v1/threads/{thread_id}/runs'), requests.join(', '));
  assert.ok(requests.includes('POST /v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs'), requests.join(', '));
  assert.ok(requests.includes('GET /v1/threads/{thread_id}/messages'), requests.join(', '));
  const steps = childrenOf(views, agent).filter((view) => view.name.startsWith('run_step'));
  assert.equal(steps.map((view) => view.name), ['run_step tool_calls', 'run_step message_creation']);
  assert.equal(steps[0]!.events.filter((name) => name.startsWith('toolCall.')), ['toolCall.done', 'toolCall.done']);
});

test("with captureContent, an actor's span carries its input, instructions and output, its tools their arguments and results", async ({ ts, assistantId, client }) => {
  const exporter = new InMemorySpanExporter();
  const telemetry = createTelemetry({ tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }), captureContent: true });
  const thread = await ts.openai.beta.threads.create();
  const logic = createAssistantRun({ client, tools: { get_weather: ({ city }: { city: string }) => ({ city, sky: 'clear' }), get_time: () => '14:00' } });
  const actor = telemetry.trace(createActor(logic, { input: { threadId: thread.id, assistantId, instructions: 'Be brief.', additionalMessages: ASK } }));
  actor.start();
  await within(toPromise(actor), 5000, 'the run');
  const views = viewSpans(exporter.getFinishedSpans());
  const [agent] = clientAgent(views);
  assert.equal(JSON.parse(String(agent!.attributes['gen_ai.input.messages'])), [{ role: 'user', parts: [{ type: 'text', content: ASK[0]!.content }] }]);
  assert.equal(JSON.parse(String(agent!.attributes['gen_ai.system_instructions'])), [{ type: 'text', content: 'Be brief.' }]);
  assert.match(JSON.parse(String(agent!.attributes['gen_ai.output.messages']))[0].parts[0].content, /sky/);
  const weather = named(views, 'execute_tool get_weather')[0]!;
  assert.equal(JSON.parse(String(weather.attributes['gen_ai.tool.call.arguments'])), { city: 'Paris' });
  assert.is(weather.attributes['gen_ai.tool.call.result'], '{"city":"Paris","sky":"clear"}');
});

test('a cancelled actor ends its span: finish reason cancelled, not an error', async ({ ts, assistantId, otel, client }) => {
  const thread = await ts.openai.beta.threads.create();
  const actor = otel.telemetry.trace(() => createActor(createAssistantRun({ client }), { input: { threadId: thread.id, assistantId, metadata: { scenario: 'slow' }, additionalMessages: STORY } }).start());
  const progress: AssistantRunProgress[] = [];
  actor.on('*', (item) => progress.push(item));
  await waitFor(actor, () => progress.some((item) => item.type === 'assistantRun.textDelta'), { timeout: 5000 });
  actor.send({ type: 'cancel' });
  const output = await within(toPromise(actor), 5000, 'the cancelled run');
  assert.is(output.run.status, 'cancelled');
  const [agent] = clientAgent(spans(otel));
  assert.ok(agent, 'the span ended');
  assert.equal(agent!.attributes['gen_ai.response.finish_reasons'], ['cancelled']);
  assert.is(agent!.attributes['error.type'], undefined);
  assert.ok(agent!.events.includes('assistantRun.cancelling.requesting'));
  assert.ok(agent!.events.includes('run.cancelled'));
});

test('a Responses stream on a conversation is a chat span whose gen_ai.conversation.id is the conversation', async ({ otel, client }) => {
  const conversation = await client.conversations.create({});
  const stream = otel.telemetry.trace(() => client.responses.stream({ model: 'scripted', conversation: conversation.id, input: 'Hello' }));
  await stream.done();
  const views = spans(otel);
  const chat = views.find((view) => view.kind === SpanKind.CLIENT && view.name === 'chat scripted')!;
  assert.is(chat.attributes['gen_ai.operation.name'], 'chat');
  assert.is(chat.attributes['gen_ai.conversation.id'], conversation.id);
  const execution = childrenOf(views, childrenOf(views, chat).find((view) => view.name === 'POST /v1/responses')!)[0]!;
  assert.is(execution.name, 'invoke_agent', "the server's run, under the request");
  assert.match(String(execution.attributes['gen_ai.response.id']), /^run_/);
});

test('createAndPoll (a promise) and a poll actor: an invoke_agent span each, ended with the polled run', async ({ ts, assistantId, otel, client }) => {
  const thread = await ts.openai.beta.threads.create({ messages: STORY });
  const polled = await otel.telemetry.trace(() => client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId }, { pollIntervalMs: 5 }));
  assert.is(polled.status, 'completed');
  let views = spans(otel);
  let [agent] = clientAgent(views);
  assert.is(agent!.attributes['gen_ai.response.id'], polled.id);
  assert.is(agent!.attributes['gen_ai.request.stream'], false);
  assert.equal(agent!.attributes['gen_ai.response.finish_reasons'], ['stop']);
  assert.ok(childrenOf(views, agent!).some((view) => view.name === 'GET /v1/threads/{thread_id}/runs/{run_id}'), 'the retrieves are its children');

  otel.spans.reset();
  const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistantId });
  const poll = otel.telemetry.trace(createActor(createPollMachine(client), { input: { target: { resource: 'run', threadId: thread.id, runId: run.id }, pollIntervalMs: 5 } }));
  poll.start();
  await within(toPromise(poll), 5000, 'the poll');
  views = spans(otel);
  [agent] = clientAgent(views);
  assert.is(agent!.attributes['gen_ai.response.id'], run.id);
  assert.ok(agent!.events.includes('run.completed'));
  assert.equal(agent!.attributes['gen_ai.response.finish_reasons'], ['stop']);
});

test('with no provider given or registered, trace() returns its target and records nothing', async ({ ts, assistantId, otel }) => {
  await otel.close(); // no context manager, no propagator, no provider
  try {
    const telemetry = createTelemetry();
    const thread = await ts.openai.beta.threads.create({ messages: STORY });
    const plain = clientOf(ts.server.url, { fetch: telemetry.fetch() });
    let headers: Record<string, string> | undefined;
    const stream = telemetry.trace((start) => {
      headers = start.headers;
      return plain.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
    });
    assert.ok(typeof stream.finalRun === 'function', 'the stream itself');
    assert.is((await stream.finalRun()).status, 'completed');
    assert.equal(headers, {}, 'no traceparent without a propagator');
    assert.not.ok(trace.getTracer('probe').startSpan('probe').isRecording(), 'nothing registered records');
  } finally {
    Object.assign(otel, memoryTelemetry());
  }
});

test.run();
