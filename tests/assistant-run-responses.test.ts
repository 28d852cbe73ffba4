// The assistantRun actor on the Responses API: one workflow definition runs its tool loop on
// either protocol, a thread's runs continue one conversation, a pause is cancelled by not going
// on, an existing response is attached to, and parameters without a counterpart are refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, setup, toPromise, waitFor } from 'xstate';
import {
  createAssistantRun,
  InvalidArgumentError,
  type AssistantRunLogic,
  type AssistantRunOptions,
  type AssistantRunOutput,
  type AssistantRunStartInput,
  type ResponsesRunMode,
} from '../src/index.ts';
import { clientOf, runToEnd, WEATHER_AND_TIME } from './helpers/assistantRun.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ ts: TestServer; assistantId: string }>('assistantRun on the Responses API');

const ASK = [{ role: 'user', content: "What's the weather and the time in Paris?" }];
const TOOLS = { get_weather: ({ city }: { city: string }) => ({ city, temp: '22C' }), get_time: () => '14:00' };
// The same assistant, twice: on the server (Assistants), and described here (Responses).
const responsesMode = (assistantId: string): ResponsesRunMode => ({
  assistants: { [assistantId]: { model: 'scripted', tools: WEATHER_AND_TIME.map(({ function: fn }) => ({ type: 'function' as const, ...fn })) } },
});

test.before(async (context) => {
  context.ts = await startTestServer();
  context.assistantId = (await context.ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME })).id;
});
test.after(async ({ ts }) => {
  assert.equal(ts.internalErrors, []);
  await ts.close();
});

const textOf = (message: { content: unknown[] }) => (message.content as Array<{ text?: { value: string } }>).map((part) => part.text?.value ?? '').join('');

/** A user's workflow: ask, let the run's actor do the tool loop, keep the answer. Knows nothing of protocols. */
function askWorkflow(assistantRun: AssistantRunLogic) {
  return setup({
    types: {} as { input: AssistantRunStartInput; context: { request: AssistantRunStartInput; answer: AssistantRunOutput | null }; output: AssistantRunOutput },
    actors: { assistantRun },
  }).createMachine({
    context: ({ input }) => ({ request: input, answer: null }),
    initial: 'asking',
    states: {
      asking: {
        invoke: { src: 'assistantRun', input: ({ context }) => context.request, onDone: { target: 'answered', actions: assign({ answer: ({ event }) => event.output }) } },
      },
      answered: { type: 'final' },
    },
    output: ({ context }) => context.answer!,
  });
}

test('one workflow definition runs the same tool loop on the Assistants and on the Responses API', async ({ ts, assistantId }) => {
  const client = clientOf(ts.server.url);
  const outputs: Record<string, AssistantRunOutput> = {};
  const statuses: Record<string, string[]> = {};
  for (const protocol of ['assistants', 'responses'] as const) {
    const options: AssistantRunOptions = { client, tools: TOOLS, ...(protocol === 'responses' ? { responses: responsesMode(assistantId) } : {}) };
    const threadId = protocol === 'assistants' ? (await ts.openai.beta.threads.create()).id : 'conversation-1';
    const actor = createActor(askWorkflow(createAssistantRun(options)), { input: { threadId, assistantId, additionalMessages: ASK } });
    statuses[protocol] = [];
    actor.system.inspect((event) => {
      if (event.type === '@xstate.event' && (event.event as { type: string }).type === 'assistantRun.status') {
        statuses[protocol]!.push((event.event as unknown as { run: { status: string } }).run.status);
      }
    });
    outputs[protocol] = await toPromise(actor.start());
  }
  const { assistants, responses } = outputs as { assistants: AssistantRunOutput; responses: AssistantRunOutput };
  assert.is(assistants.run.status, 'completed');
  assert.is(responses.run.status, 'completed');
  const answer = 'The tools returned:\n- get_weather: {"city":"Paris","temp":"22C"}\n- get_time: 14:00';
  assert.equal(assistants.messages.map(textOf), [answer]);
  assert.equal(responses.messages.map(textOf), [answer]);
  // The run is a chain of two responses under the first one's id.
  assert.match(responses.run.id, /^resp_/);
  assert.is.not((responses.run as { response_id?: string }).response_id, responses.run.id);
  assert.equal(statuses['responses'], ['queued', 'in_progress', 'requires_action', 'queued', 'in_progress', 'completed']);
  assert.equal(statuses['assistants'], ['queued', 'queued', 'in_progress', 'requires_action', 'queued', 'in_progress', 'completed']);
});

test("a thread's runs continue one conversation: the next run's first response follows the last one's", async ({ ts, assistantId }) => {
  // Two logics of one mode object share its conversations.
  const options: AssistantRunOptions = { client: clientOf(ts.server.url), tools: TOOLS, responses: responsesMode(assistantId) };
  const first = await runToEnd(options, { threadId: 'conversation-2', assistantId, additionalMessages: ASK });
  const lastOfFirst = (first.output.run as { response_id?: string }).response_id!;
  const second = await runToEnd(options, { threadId: 'conversation-2', assistantId, additionalMessages: [{ role: 'user', content: 'Thanks!' }] });
  const opening = await ts.openai.responses.retrieve(second.output.run.id);
  assert.is(opening.previous_response_id, lastOfFirst);
  // Another thread starts afresh.
  const other = await runToEnd(options, { threadId: 'conversation-3', assistantId, additionalMessages: [{ role: 'user', content: 'Hello' }] });
  assert.is((await ts.openai.responses.retrieve(other.output.run.id)).previous_response_id, null);
});

test('a failed run does not move its conversation on', async ({ ts, assistantId }) => {
  const conversations = new Map<string, string>();
  const options: AssistantRunOptions = { client: clientOf(ts.server.url), responses: { ...responsesMode(assistantId), conversations } };
  const { output } = await runToEnd(options, { threadId: 'conversation-4', assistantId, metadata: { scenario: 'failed' }, additionalMessages: [{ role: 'user', content: 'Tell me a story' }] });
  assert.is(output.run.status, 'failed');
  assert.ok(output.run.last_error !== null);
  assert.is(conversations.has('conversation-4'), false);
  const story = await runToEnd(options, { threadId: 'conversation-4', assistantId, additionalMessages: [{ role: 'user', content: 'Hello' }] });
  assert.is(story.output.run.status, 'completed');
  assert.is(conversations.get('conversation-4'), (story.output.run as { response_id?: string }).response_id);
});

test('without tools the actor waits at the pause; a cancel there ends the run cancelled, nothing submitted', async ({ ts, assistantId }) => {
  const actor = createActor(createAssistantRun({ client: clientOf(ts.server.url), responses: responsesMode(assistantId) }), {
    input: { threadId: 'conversation-5', assistantId, additionalMessages: ASK },
  });
  actor.start();
  const paused = await waitFor(actor, (snapshot) => snapshot.matches({ active: { working: 'awaitingOutputs' } }), { timeout: 5000 });
  assert.equal(paused.context.run!.required_action!.submit_tool_outputs.tool_calls.map((call) => call.function.name).sort(), ['get_time', 'get_weather']);
  actor.send({ type: 'cancel' });
  const output = await toPromise(actor);
  assert.is(output.run.status, 'cancelled');
  assert.is(output.run.required_action, null);
  // The pause's response is where the chain stopped: nothing continued it.
  const response = await ts.openai.responses.retrieve((output.run as { response_id?: string }).response_id!);
  assert.is(response.id, output.run.id);
  assert.is(response.status, 'completed');
});

test('attach: { threadId, runId: a response id } carries a paused response to its end', async ({ ts, assistantId }) => {
  const paused = await ts.openai.responses.create({
    model: 'scripted',
    input: ASK[0]!.content,
    tools: WEATHER_AND_TIME.map(({ function: fn }) => ({ type: 'function' as const, strict: false, ...fn })),
  });
  assert.ok(paused.output.some((item) => item.type === 'function_call'));
  const { output } = await runToEnd({ client: clientOf(ts.server.url), tools: TOOLS, responses: responsesMode(assistantId) }, { threadId: 'conversation-6', runId: paused.id });
  assert.is(output.run.id, paused.id);
  assert.is(output.run.status, 'completed');
  assert.equal(output.messages.map(textOf), ['The tools returned:\n- get_weather: {"city":"Paris","temp":"22C"}\n- get_time: 14:00']);
});

test('what the Responses API cannot do is refused with an InvalidArgumentError that names the input, before any request', async ({ ts, assistantId }) => {
  const cases: Array<[Partial<AssistantRunStartInput>, string, string]> = [
    [{ assistantId: 'asst_unknown' }, 'responses.assistants', 'responses.assistants has no assistant "asst_unknown"'],
    [{ maxPromptTokens: 500 }, 'input.maxPromptTokens', 'input.maxPromptTokens has no counterpart on the Responses API'],
    [{ tools: [{ type: 'file_search' }] }, 'input.tools[0]', 'input.tools[0] is a file_search tool without vector_store_ids'],
    [{ additionalMessages: [{ role: 'user', content: [{ type: 'video', video: {} }] }] }, 'input.additionalMessages[0].content[0].type', 'must be "text", "image_url" or "image_file" (got "video")'],
    [{ additionalMessages: [{ role: 'user', content: 'hi', attachments: [{ file_id: 'file_1' }] }] }, 'input.additionalMessages[0].attachments', 'has no counterpart on the Responses API'],
  ];
  const requests: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${String(input)}`);
    return fetch(input, init);
  };
  for (const [override, argument, message] of cases) {
    const error = await runToEnd(
      { client: clientOf(ts.server.url, { fetch: countingFetch }), responses: responsesMode(assistantId) },
      { threadId: 'conversation-7', assistantId, additionalMessages: ASK, ...override } as AssistantRunStartInput,
    ).then(() => undefined, (thrown: unknown) => thrown);
    assert.instance(error, InvalidArgumentError, argument);
    assert.is((error as InvalidArgumentError).argument, argument);
    assert.ok((error as Error).message.includes(message), (error as Error).message);
  }
  assert.equal(requests, []);
});

test.run();
