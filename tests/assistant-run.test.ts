// The assistantRun actor against the embedded server: the tool loop, tools that fail, answers
// from the parent, attaching to a run by id, every terminal status, and one run per thread.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, toPromise, waitFor } from 'xstate';
import { AssistantRunInputError, createAssistantRun, type AssistantRunProgress, type ToolContext } from '../src/index.ts';
import { clientOf, runToEnd, WEATHER_AND_TIME } from './helpers/assistantRun.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ ts: TestServer; assistantId: string }>('assistantRun');

const ASK = [{ role: 'user', content: "What's the weather and the time in Paris?" }];

test.before(async (context) => {
  context.ts = await startTestServer();
  context.assistantId = (await context.ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME })).id;
});
test.after(async ({ ts }) => {
  assert.equal(ts.internalErrors, []);
  await ts.close();
});

const textOf = (message: { content: unknown[] }) => (message.content as Array<{ text?: { value: string } }>).map((part) => part.text?.value ?? '').join('');

test('malformed input fails the actor at once with an AssistantRunInputError that says which field', async ({ ts }) => {
  const logic = createAssistantRun({ client: clientOf(ts.server.url) });
  const cases: Array<[unknown, string]> = [
    [undefined, 'assistantRun input must be an object with a threadId'],
    [{ assistantId: 'asst_1' }, 'assistantRun input.threadId must be a non-empty string (got undefined)'],
    [{ threadId: 'thread_1' }, 'assistantRun input.assistantId must be a non-empty string (got undefined); or give input.runId to attach to a run'],
    [{ threadId: 'thread_1', runId: '' }, 'assistantRun input.runId must be a non-empty string (got "")'],
    [{ threadId: 'thread_1', assistantId: 'asst_1', deadlineMs: -5 }, 'assistantRun input.deadlineMs must be a number of ms ≥ 0 (got -5)'],
    [{ threadId: 'thread_1', runId: 'run_1', pollIntervalMs: Number.NaN }, 'assistantRun input.pollIntervalMs must be a number of ms ≥ 0 (got NaN)'],
    [{ threadId: 'thread_1', assistantId: 'asst_1', runKey: '' }, 'assistantRun input.runKey must be a non-empty string (got "")'],
  ];
  for (const [input, message] of cases) {
    const actor = createActor(logic, { input: input as never });
    const ending = toPromise(actor).then(() => undefined, (error: unknown) => error);
    actor.start();
    const error = await ending;
    assert.instance(error, AssistantRunInputError, message);
    assert.is((error as Error).message, message);
  }
});

test('tool loop: parallel calls run at once, their outputs are submitted together, the run completes', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const started: string[] = [];
  let release!: () => void;
  const bothStarted = new Promise<void>((resolve) => (release = resolve));
  const tool = (name: string, result: unknown) => async (args: unknown) => {
    started.push(`${name} ${JSON.stringify(args)}`);
    if (started.length === 2) release();
    await bothStarted; // each waits for the other: only parallel calls get past this
    return result;
  };
  const { output, progress } = await runToEnd(
    { client: clientOf(ts.server.url), tools: { get_weather: tool('get_weather', { temp: '22C' }), get_time: tool('get_time', '14:00') } },
    { threadId: thread.id, assistantId, additionalMessages: ASK },
  );
  assert.is(output.run.status, 'completed');
  assert.equal(started.sort(), ['get_time {"city":"Paris"}', 'get_weather {"city":"Paris"}']);
  assert.equal(output.messages.map(textOf), ['The tools returned:\n- get_weather: {"temp":"22C"}\n- get_time: 14:00']);
  const steps = await ts.openai.beta.threads.runs.steps.list(output.run.id, { thread_id: thread.id });
  const toolStep = steps.data.find((step) => step.type === 'tool_calls')!;
  assert.equal(
    (toolStep.step_details as { tool_calls: Array<{ function: { output: string } }> }).tool_calls.map((call) => call.function.output).sort(),
    ['14:00', '{"temp":"22C"}'],
  );
  const outputs = progress.filter((item) => item.type === 'assistantRun.toolOutputs');
  assert.is(outputs.length, 1, 'one submission');
  const statuses = progress.flatMap((item) => (item.type === 'assistantRun.status' ? [item.run.status] : []));
  assert.equal(statuses, ['queued', 'queued', 'in_progress', 'requires_action', 'queued', 'in_progress', 'completed']);
  const text = progress.flatMap((item) => (item.type === 'assistantRun.textDelta' ? [item.text] : [])).join('');
  assert.is(text, textOf(output.messages[0]!));
});

test('a tool that throws and an unknown tool answer with error strings, and the run goes on', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const down = new Error('the weather service is down');
  const { output, progress } = await runToEnd(
    { client: clientOf(ts.server.url), tools: { get_weather: () => { throw down; } } },
    { threadId: thread.id, assistantId, additionalMessages: ASK },
  );
  assert.is(output.run.status, 'completed');
  assert.is(
    textOf(output.messages[0]!),
    'The tools returned:\n- get_weather: Error: get_weather failed: the weather service is down\n- get_time: Error: no tool named "get_time" is available (known: get_weather).',
  );
  // Each call is announced as it starts and as it ends, the ending with what the tool threw.
  const calls = progress.flatMap((item) => (item.type === 'assistantRun.toolCall' ? [item] : []));
  assert.equal(calls.map((call) => `${call.phase} ${call.toolCall.function.name}`).sort(), ['ended get_time', 'ended get_weather', 'started get_time', 'started get_weather']);
  const weatherEnded = calls.find((call) => call.phase === 'ended' && call.toolCall.function.name === 'get_weather');
  assert.ok(weatherEnded?.phase === 'ended' && weatherEnded.error === down && weatherEnded.output === 'Error: get_weather failed: the weather service is down');
  const timeEnded = calls.find((call) => call.phase === 'ended' && call.toolCall.function.name === 'get_time');
  assert.instance(timeEnded?.phase === 'ended' ? timeEnded.error : undefined, Error, 'an unknown tool ends with an error too');
  assert.ok(calls.every((call) => call.runId === output.run.id));
  assert.ok(progress.findIndex((item) => item.type === 'assistantRun.toolCall' && item.phase === 'ended') < progress.findIndex((item) => item.type === 'assistantRun.toolOutputs'));
});

test('without tools the actor waits at requires_action for the outputs from its parent', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const actor = createActor(createAssistantRun({ client: clientOf(ts.server.url) }), { input: { threadId: thread.id, assistantId, additionalMessages: ASK } });
  actor.start();
  const paused = await waitFor(actor, (snapshot) => snapshot.matches({ active: { working: 'awaitingOutputs' } }), { timeout: 5000 });
  const calls = paused.context.run!.required_action!.submit_tool_outputs.tool_calls;
  actor.send({ type: 'submitToolOutputs', toolOutputs: calls.map((call) => ({ tool_call_id: call.id, output: `answer to ${call.function.name}` })) });
  const output = await toPromise(actor);
  assert.is(output.run.status, 'completed');
  assert.is(textOf(output.messages[0]!), 'The tools returned:\n- get_weather: answer to get_weather\n- get_time: answer to get_time');
});

test('attach: { threadId, runId } picks up a run that already exists and carries it to its end', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create({ messages: [{ role: 'user', content: ASK[0]!.content }] });
  const paused = await ts.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId }, { pollIntervalMs: 5 });
  assert.is(paused.status, 'requires_action');
  const { output } = await runToEnd(
    { client: clientOf(ts.server.url), tools: { get_weather: () => 'sunny', get_time: () => 'noon' } },
    { threadId: thread.id, runId: paused.id },
  );
  assert.is(output.run.id, paused.id);
  assert.is(output.run.status, 'completed');
  assert.is(textOf(output.messages[0]!), 'The tools returned:\n- get_weather: sunny\n- get_time: noon');
});

test('attach to a finished run ends at once with it; to an unknown run fails with what is missing', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create({ messages: [{ role: 'user', content: 'Hello' }] });
  const finished = await ts.openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistantId }, { pollIntervalMs: 5 });
  const { output } = await runToEnd({ client: clientOf(ts.server.url) }, { threadId: thread.id, runId: finished.id });
  assert.is(output.run.status, 'completed');
  assert.is(output.messages.length, 1);
  const error = await runToEnd({ client: clientOf(ts.server.url) }, { threadId: thread.id, runId: 'run_missing' }).then(() => undefined, (thrown: unknown) => thrown);
  assert.instance(error, Error);
  assert.is((error as Error).message, `run run_missing does not exist on thread ${thread.id}`);
});

for (const scenario of ['failed', 'incomplete', 'expired'] as const) {
  test(`a run that ends ${scenario} ends the actor done, with that run and its partial message`, async ({ ts, assistantId }) => {
    const thread = await ts.openai.beta.threads.create();
    const { output } = await runToEnd({ client: clientOf(ts.server.url) }, { threadId: thread.id, assistantId, metadata: { scenario }, additionalMessages: [{ role: 'user', content: 'Tell me a story' }] });
    assert.is(output.run.status, scenario);
    const server = await ts.openai.beta.threads.runs.retrieve(output.run.id, { thread_id: thread.id });
    assert.is(server.status, scenario);
    assert.is(output.messages.length, 1);
    assert.is(output.messages[0]!.status, 'incomplete');
  });
}

test('an actor that fails lets go of its thread and its timers: the next run on the thread starts and completes', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const client = clientOf(ts.server.url);
  const refused = createActor(createAssistantRun({ client }), { input: { threadId: thread.id, assistantId: 'asst_missing', deadlineMs: 600_000, additionalMessages: ASK } });
  const error = await toPromise(refused.start()).then(() => undefined, (thrown: unknown) => thrown);
  assert.is((error as Error).message, "the server answered 404: No assistant found with id 'asst_missing'.");
  assert.equal(Object.keys(refused.getSnapshot().children), [], 'the deadline timer and the thread lock stopped');
  const next = await Promise.race([
    runToEnd({ client, tools: { get_weather: () => 'sunny', get_time: () => 'noon' } }, { threadId: thread.id, assistantId, additionalMessages: ASK }),
    new Promise<'stuck'>((resolve) => setTimeout(resolve, 5000, 'stuck').unref()),
  ]);
  assert.is.not(next, 'stuck', 'the next run on the thread was left waiting for the failed one');
  assert.is((next as { output: { run: { status: string } } }).output.run.status, 'completed');
});

test('runs started on one thread wait their turn instead of being refused', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const client = clientOf(ts.server.url);
  const tools = { get_weather: () => 'rain', get_time: () => 'late' };
  const outputs = await Promise.all(
    ['first', 'second', 'third'].map((name) =>
      runToEnd({ client, tools }, { threadId: thread.id, assistantId, additionalMessages: [{ role: 'user', content: `${name}: ${ASK[0]!.content}` }] }),
    ),
  );
  assert.equal(outputs.map(({ output }) => output.run.status), ['completed', 'completed', 'completed']);
  const runs = (await ts.openai.beta.threads.runs.list(thread.id, { order: 'asc' })).data;
  assert.is(runs.length, 3);
  for (let index = 1; index < runs.length; index++) assert.ok(runs[index]!.created_at >= runs[index - 1]!.completed_at!, 'each run starts after the one before it ended');
});

test('progress reaches actor.on listeners and a parent machine', async ({ ts, assistantId }) => {
  const { setup, assign } = await import('xstate');
  const thread = await ts.openai.beta.threads.create();
  const logic = createAssistantRun({ client: clientOf(ts.server.url), tools: { get_weather: () => '20C', get_time: () => '9:00' } });
  const parent = setup({
    types: {} as { context: { text: string; status: string | null; statuses: string[] }; events: AssistantRunProgress },
    actors: { assistant: logic },
  }).createMachine({
    context: { text: '', status: null, statuses: [] },
    initial: 'asking',
    states: {
      asking: {
        invoke: {
          src: 'assistant',
          input: { threadId: thread.id, assistantId, additionalMessages: ASK },
          onDone: { target: 'answered', actions: assign({ status: ({ event }) => event.output.run.status }) },
          onError: 'broken',
        },
        on: {
          'assistantRun.textDelta': { actions: assign({ text: ({ context, event }) => context.text + event.text }) },
          'assistantRun.status': { actions: assign({ statuses: ({ context, event }) => [...context.statuses, event.run.status] }) },
        },
      },
      answered: { type: 'final' },
      broken: { type: 'final' },
    },
  });
  const actor = createActor(parent).start();
  const final = await waitFor(actor, (snapshot) => snapshot.status === 'done', { timeout: 5000 });
  assert.equal(final.value, 'answered');
  assert.is(final.context.status, 'completed');
  assert.is(final.context.text, 'The tools returned:\n- get_weather: 20C\n- get_time: 9:00');
  assert.is(final.context.statuses.at(-1), 'completed');
});

// What a durable host relies on (assistant-machines/restate): keys that are the same on every execution.
test('each tool call gets <run id>/<tool call id> as its idempotency key; the given run key is in the metadata', async ({ ts, assistantId }) => {
  const seen: Array<[string, string]> = [];
  const keep = (value: unknown) => (_args: unknown, { toolCall, idempotencyKey }: ToolContext) => {
    seen.push([toolCall.id, idempotencyKey]);
    return value;
  };
  const thread = await ts.openai.beta.threads.create();
  const { output } = await runToEnd(
    { client: clientOf(ts.server.url), tools: { get_weather: keep({ temp: '22C' }), get_time: keep('14:00') } },
    { threadId: thread.id, assistantId, additionalMessages: [{ role: 'user', content: "What's the weather and the time in Paris?" }], runKey: 'host-key-1' },
  );
  assert.is(seen.length, 2);
  for (const [callId, key] of seen) assert.is(key, `${output.run.id}/${callId}`);
  assert.is(output.run.metadata?.['assistant_machines_run'], 'host-key-1');
});

test.run();
