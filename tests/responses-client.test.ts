import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AssistantEventHandler,
  AssistantStream,
  AssistantsClient,
  NotFoundError,
  type AssistantStreamEvent,
  type Message,
  type RunStep,
  type TextDelta,
  type ToolCall,
  type ToolCallDelta,
  type UnknownStreamEvent,
} from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';

// Our client's `responses` against the embedded server: the same statecharts, finals and
// handler callbacks as an Assistants run, with the differences docs/responses.md names.

let server: AssistantsServer;
let client: AssistantsClient;
let vectorStoreId: string;
const internalErrors: unknown[] = [];
const weather = {
  type: 'function' as const,
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

test.before(async () => {
  server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5, onInternalError: (error) => internalErrors.push(error) });
  client = new AssistantsClient({ apiKey: 'sk-responses', baseURL: server.url });
  const store = await client.vectorStores.create({ name: 'policy' });
  await client.vectorStores.files.uploadAndPoll(store.id, new File(['Hotels in Paris are reimbursed up to 180 euros a night.'], 'policy.txt'), {
    pollIntervalMs: 5,
  });
  vectorStoreId = store.id;
});

test.after(async () => {
  await server.close();
  assert.equal(internalErrors, []);
});

const textOf = (message: Message | undefined) => (message?.content ?? []).map((block) => (block.type === 'text' ? block.text.value : '')).join('');

test('responses.stream: the response is a run, its message item a message; finals of both protocols agree', async () => {
  const deltas: string[] = [];
  const snapshots: string[] = [];
  const stream = client.responses
    .stream({ model: 'scripted', input: 'Hello there' })
    .on('textDelta', (delta) => deltas.push(delta.value ?? ''))
    .on('response.output_text.delta', (event) => snapshots.push(event.snapshot));
  const response = await stream.finalResponse();
  const run = await stream.finalRun();
  const messages = await stream.finalMessages();
  assert.equal(run.status, 'completed');
  assert.equal(run.id, response.id);
  assert.equal(run['response_id'], response.id);
  assert.equal(messages.length, 1);
  assert.equal(textOf(messages[0]), response.output_text);
  assert.equal(deltas.join(''), response.output_text);
  assert.equal(snapshots.at(-1), response.output_text);
  const steps = await stream.finalRunSteps();
  assert.equal(
    steps.map((step) => [step.type, step.status]),
    [['message_creation', 'completed']],
  );
});

test('function calls pause the run at requires_action; the continuation keeps the run id', async () => {
  const argumentSnapshots: string[] = [];
  const first = client.responses
    .stream({ model: 'scripted', input: "What's the weather in Paris?", tools: [weather] })
    .on('response.function_call_arguments.delta', (event) => argumentSnapshots.push(event.snapshot));
  const paused = await first.finalRun();
  assert.equal(JSON.parse(argumentSnapshots.at(-1)!), { city: 'Paris' });
  assert.equal(paused.status, 'requires_action');
  const [call] = paused.required_action!.submit_tool_outputs.tool_calls;
  const firstResponse = await first.finalResponse();
  const item = firstResponse.output[0] as { call_id: string };
  assert.equal(call!.id, item.call_id);
  assert.equal(call!.function.name, 'get_weather');

  const second = client.responses.stream({
    model: 'scripted',
    previous_response_id: firstResponse.id,
    input: [{ type: 'function_call_output', call_id: call!.id, output: '{"forecast":"sun"}' }],
    tools: [weather],
  });
  const run = await second.finalRun();
  assert.equal(run.status, 'completed');
  assert.equal(run.id, paused.id);
  assert.not.equal((await second.finalResponse()).id, firstResponse.id);
  assert.equal(textOf((await second.finalMessages())[0]), 'get_weather returned: {"forecast":"sun"}');
});

test('createAndPoll runs a background response through the poll chart; retrieve, cancel and inputItems answer', async () => {
  const response = await client.responses.createAndPoll(
    { model: 'scripted', input: 'What is 6*7?', tools: [{ type: 'code_interpreter' }] },
    { pollIntervalMs: 5 },
  );
  assert.equal(response.status, 'completed');
  assert.equal(response.output_text, 'The result of 6*7 is 42.');
  assert.equal((await client.responses.retrieve(response.id)).output_text, response.output_text);
  const items = [];
  for await (const item of client.responses.inputItems.list(response.id)) items.push(item);
  assert.equal(
    items.map((item) => item.type),
    ['message'],
  );
  const slow = await client.responses.create({ model: 'scripted', input: 'Go slowly', background: true, metadata: { scenario: 'slow' } });
  assert.equal((await client.responses.cancel(slow.id)).status, 'cancelled');
  assert.equal(await client.responses.delete(slow.id), undefined);
  try {
    await client.responses.retrieve(slow.id);
    assert.unreachable('retrieved a deleted response');
  } catch (error) {
    assert.instance(error, NotFoundError);
  }
});

test('a resumed stream (starting_after) announces only later events; its charts still hold the whole answer', async () => {
  const created = await client.responses.create({ model: 'scripted', input: 'Resume me' });
  const heard: number[] = [];
  const deltas: string[] = [];
  const stream = client.responses
    .stream({ response_id: created.id, starting_after: 6 })
    .on('response.output_text.delta', (event) => heard.push(event.sequence_number))
    .on('textDelta', (delta) => deltas.push(delta.value ?? ''));
  const response = await stream.finalResponse();
  assert.equal(response.output_text, created.output_text);
  assert.ok(heard.length > 0 && heard.every((sequence) => sequence > 6));
  assert.ok(deltas.join('').length < created.output_text!.length);
  assert.ok(created.output_text!.endsWith(deltas.join('')));
  assert.equal(textOf((await stream.finalMessages())[0]), created.output_text);
});

test('a background response streams queued first; its recording is an Assistants NDJSON that replays to the same finals', async () => {
  const names: string[] = [];
  const stream = client.responses
    .stream({ model: 'scripted', input: 'Hello in the background', background: true })
    .on('event', (event) => names.push(event.event));
  const recording = new Response(stream.toReadableStream()).text();
  const run = await stream.finalRun();
  assert.equal(names.slice(0, 3), ['thread.run.created', 'thread.run.queued', 'thread.run.in_progress']);
  assert.is(run.status, 'completed');
  const ndjson = await recording;
  assert.ok(ndjson.split('\n').every((line) => line === '' || (JSON.parse(line) as { event: string }).event.startsWith('thread.')));
  const replay = AssistantStream.fromReadableStream(
    (async function* () {
      yield ndjson;
    })(),
  );
  assert.equal(await replay.finalMessages(), await stream.finalMessages());
  assert.equal(await replay.finalRun(), run);
});

test('cancelRunOnAbort on a Responses stream cancels its background response', async () => {
  const stream = client.responses.stream(
    { model: 'scripted', input: 'Take your time', background: true, metadata: { scenario: 'slow' } },
    { cancelRunOnAbort: true },
  );
  const id = await new Promise<string>((resolve) => stream.once('response.output_text.delta', () => resolve(stream.currentResponse()!.id)));
  stream.abort();
  await stream.done().catch(() => {});
  assert.is(await pollUntilCancelled(id), 'cancelled');
});

async function pollUntilCancelled(id: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { status } = await client.responses.retrieve(id);
    if (status !== 'queued' && status !== 'in_progress') return status;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return 'still running';
}

test('an API error answer fails the stream with api-error and the envelope', async () => {
  const stream = client.responses.stream({ model: 'scripted', input: 'Hi', previous_response_id: 'resp_nope' });
  try {
    await stream.done();
    assert.unreachable();
  } catch (error) {
    assert.equal((error as { kind: string }).kind, 'api-error');
    assert.equal((error as { status: number }).status, 400);
    assert.equal((error as { apiError?: { code?: string } }).apiError?.code, 'previous_response_not_found');
  }
});

/** Every callback a handler gets, in order, as a readable list. */
class Recorder extends AssistantEventHandler {
  readonly calls: string[] = [];
  override onEvent(event: AssistantStreamEvent | UnknownStreamEvent) {
    this.calls.push(`event ${event.event}`);
  }
  override onRunStepCreated(step: RunStep) {
    this.calls.push(`runStepCreated ${step.type}`);
  }
  override onRunStepDelta() {
    this.calls.push('runStepDelta');
  }
  override onRunStepDone(step: RunStep) {
    this.calls.push(`runStepDone ${step.type} ${step.status}`);
  }
  override onMessageCreated() {
    this.calls.push('messageCreated');
  }
  override onMessageDelta() {
    this.calls.push('messageDelta');
  }
  override onMessageDone(message: Message) {
    this.calls.push(`messageDone ${message.status}`);
  }
  override onTextCreated() {
    this.calls.push('textCreated');
  }
  override onTextDelta(delta: TextDelta) {
    this.calls.push(`textDelta ${JSON.stringify(delta.value)}`);
  }
  override onTextDone() {
    this.calls.push('textDone');
  }
  override onToolCallCreated(call: ToolCall) {
    this.calls.push(`toolCallCreated ${call.type}`);
  }
  override onToolCallDelta(delta: ToolCallDelta) {
    this.calls.push(
      `toolCallDelta ${JSON.stringify(delta.type === 'function' ? delta.function : delta.type === 'code_interpreter' ? delta.code_interpreter : {})}`,
    );
  }
  override onToolCallDone(call: ToolCall) {
    this.calls.push(`toolCallDone ${call.type}`);
  }
  override onEnd() {
    this.calls.push('end');
  }
}

/**
 * The Assistants callback sequence with the differences docs/responses.md documents applied:
 * a response is never `queued` unless in the background, and a response that ends with
 * function calls completes their step before the run requires action.
 */
function asOnResponses(calls: readonly string[]): string[] {
  const expected = calls.filter((call) => call !== 'event thread.run.queued');
  const pause = expected.indexOf('event thread.run.requires_action');
  if (pause !== -1) expected.splice(pause, 0, 'event thread.run.step.completed', 'toolCallDone function', 'runStepDone tool_calls completed');
  // In the Assistants stream the run's pause closes the open function calls instead.
  if (pause !== -1) expected.splice(expected.lastIndexOf('toolCallDone function'), 1);
  // A citation: the Assistants text carries its marker and the annotation in the same delta;
  // the Responses text has no marker, and the annotation comes as a delta of its own.
  return expected.flatMap((call) => {
    const marker = /【\d+:\d+†source】/;
    if (!call.startsWith('textDelta ') || !marker.test(call)) return [call];
    return [call.replace(marker, ''), 'event thread.message.delta', 'messageDelta', 'textDelta undefined'];
  });
}

for (const [name, question, search] of [
  ['a plain answer', 'Hello there', false],
  ['a code interpreter call then the answer', 'What is 2**10 + 3*7?', false],
  ['a function call (the run pauses)', "What's the weather in Paris?", false],
  ['a file search and a cited answer', 'What does the travel policy say about hotels?', true],
] as const) {
  test(`the same handler gets the same callbacks on both protocols: ${name}`, async () => {
    // file_search only where it is the point: the scripted model searches whenever it can.
    const assistant = await client.beta.assistants.create({
      model: 'scripted',
      tools: [
        { type: 'code_interpreter' },
        { type: 'function', function: { name: weather.name, parameters: weather.parameters } },
        ...(search ? [{ type: 'file_search' as const }] : []),
      ],
      tool_resources: search ? { file_search: { vector_store_ids: [vectorStoreId] } } : {},
    });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: question }] });
    const onAssistants = new Recorder();
    await client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }, { handler: onAssistants }).done();
    const onResponses = new Recorder();
    await client.responses
      .stream(
        {
          model: 'scripted',
          input: question,
          tools: [{ type: 'code_interpreter' }, weather, ...(search ? [{ type: 'file_search' as const, vector_store_ids: [vectorStoreId] }] : [])],
        },
        { handler: onResponses },
      )
      .done();
    assert.equal(onResponses.calls, asOnResponses(onAssistants.calls));
  });
}

test.run();
