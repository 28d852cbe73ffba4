// The assistantRun actor on the Responses API: one workflow definition runs its tool loop on
// either protocol, a thread is a conversation (or, explicitly, a chain of responses), run steps
// are the items, a pause is cancelled by not going on, an existing response is attached to, and
// parameters without a counterpart are refused.
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

test('a thread is a conversation: created on its first run, named by every response of its runs, holding its history', async ({ ts, assistantId }) => {
  // Two logics of one mode object share its conversations.
  const options: AssistantRunOptions = { client: clientOf(ts.server.url), tools: TOOLS, responses: responsesMode(assistantId) };
  const first = await runToEnd(options, { threadId: 'conversation-2', assistantId, additionalMessages: ASK });
  const conversationId = first.output.run.thread_id;
  assert.match(conversationId, /^conv_/, "the run's thread is the conversation");
  assert.equal((await ts.openai.conversations.retrieve(conversationId)).metadata, { assistant_machines_thread: 'conversation-2' });
  const second = await runToEnd(options, { threadId: 'conversation-2', assistantId, additionalMessages: [{ role: 'user', content: 'Thanks!' }] });
  const opening = await ts.openai.responses.retrieve(second.output.run.id);
  assert.equal([opening.conversation, opening.previous_response_id], [{ id: conversationId }, null]);
  assert.equal(second.output.messages.map(textOf), ['You said: "Thanks!". I am the scripted model of assistant-machines: name a function tool and I call it, give me arithmetic and I compute it with the code interpreter, attach files and I quote them with file search.']);
  const items = [];
  for await (const item of ts.openai.conversations.items.list(conversationId, { order: 'asc' })) items.push(item.type === 'message' ? `message:${item.role}` : item.type);
  assert.equal(items, [
    'message:user',
    'function_call',
    'function_call',
    'function_call_output',
    'function_call_output',
    'message:assistant',
    'message:user',
    'message:assistant',
  ]);
  // Another thread is another conversation.
  const other = await runToEnd(options, { threadId: 'conversation-3', assistantId, additionalMessages: [{ role: 'user', content: 'Hello' }] });
  assert.match(other.output.run.thread_id, /^conv_/);
  assert.is.not(other.output.run.thread_id, conversationId);
});

test('a thread id that names a conversation is that conversation; a run of several responses reads its messages from it', async ({ ts, assistantId }) => {
  const conversation = await ts.openai.conversations.create({ items: [{ role: 'user', content: 'Earlier: hello.' }] });
  const { output } = await runToEnd({ client: clientOf(ts.server.url), tools: TOOLS, responses: responsesMode(assistantId) }, { threadId: conversation.id, assistantId, additionalMessages: ASK });
  assert.equal([output.run.thread_id, output.run.status], [conversation.id, 'completed']);
  assert.equal(output.messages.map(textOf), ['The tools returned:\n- get_weather: {"city":"Paris","temp":"22C"}\n- get_time: 14:00']);
  assert.equal(output.messages.map((message) => message.thread_id), [conversation.id]);
});

test('previous_response_id, the explicit alternative: the next run of a thread follows the last response of its last', async ({ ts, assistantId }) => {
  const options: AssistantRunOptions = { client: clientOf(ts.server.url), tools: TOOLS, responses: { ...responsesMode(assistantId), history: 'previous_response_id' } };
  const first = await runToEnd(options, { threadId: 'chain-2', assistantId, additionalMessages: ASK });
  assert.is(first.output.run.thread_id, first.output.run.id, 'no conversation: the run is its own thread');
  const lastOfFirst = (first.output.run as { response_id?: string }).response_id!;
  const second = await runToEnd(options, { threadId: 'chain-2', assistantId, additionalMessages: [{ role: 'user', content: 'Thanks!' }] });
  const opening = await ts.openai.responses.retrieve(second.output.run.id);
  assert.equal([opening.previous_response_id, opening.conversation], [lastOfFirst, null]);
  // Another thread starts afresh.
  const other = await runToEnd(options, { threadId: 'chain-3', assistantId, additionalMessages: [{ role: 'user', content: 'Hello' }] });
  assert.is((await ts.openai.responses.retrieve(other.output.run.id)).previous_response_id, null);
});

test('a failed run does not move its thread on: its conversation is as it was (or, chained, its last response)', async ({ ts, assistantId }) => {
  const conversations = new Map<string, string>();
  const options: AssistantRunOptions = { client: clientOf(ts.server.url), responses: { ...responsesMode(assistantId), conversations } };
  const failed = await runToEnd(options, { threadId: 'conversation-4', assistantId, metadata: { scenario: 'failed' }, additionalMessages: [{ role: 'user', content: 'Tell me a story' }] });
  assert.is(failed.output.run.status, 'failed');
  assert.ok(failed.output.run.last_error !== null);
  const conversationId = conversations.get('conversation-4')!;
  assert.equal((await ts.openai.conversations.items.list(conversationId)).data, []);
  const story = await runToEnd(options, { threadId: 'conversation-4', assistantId, additionalMessages: [{ role: 'user', content: 'Hello' }] });
  assert.is(story.output.run.status, 'completed');
  assert.is((await ts.openai.conversations.items.list(conversationId)).data.length, 2);

  const chained = new Map<string, string>();
  const chain: AssistantRunOptions = { client: clientOf(ts.server.url), responses: { ...responsesMode(assistantId), history: 'previous_response_id', conversations: chained } };
  const { output } = await runToEnd(chain, { threadId: 'chain-4', assistantId, metadata: { scenario: 'failed' }, additionalMessages: [{ role: 'user', content: 'Tell me a story' }] });
  assert.is(output.run.status, 'failed');
  assert.is(chained.has('chain-4'), false);
  const next = await runToEnd(chain, { threadId: 'chain-4', assistantId, additionalMessages: [{ role: 'user', content: 'Hello' }] });
  assert.is(chained.get('chain-4'), (next.output.run as { response_id?: string }).response_id);
});

test('run steps are the items: one step per function_call, file_search_call and code_interpreter_call', async ({ ts, assistantId }) => {
  const file = await ts.openai.files.create({ file: new File(['The travel policy: hotels up to 150 euros a night.'], 'policy.txt'), purpose: 'assistants' });
  const store = await ts.openai.vectorStores.create({ file_ids: [file.id] });
  await ts.openai.vectorStores.files.poll(store.id, file.id, { pollIntervalMs: 5 });
  const tools = [...WEATHER_AND_TIME.map(({ function: fn }) => ({ type: 'function' as const, ...fn })), { type: 'code_interpreter' as const }, { type: 'file_search' as const, vector_store_ids: [store.id] }];
  const options: AssistantRunOptions = { client: clientOf(ts.server.url), tools: TOOLS, responses: { assistants: { planner: { model: 'scripted', tools } } } };
  const { output, progress } = await runToEnd(options, {
    threadId: 'conversation-8',
    assistantId: 'planner',
    additionalMessages: [{ role: 'user', content: 'What is the weather and the time in Paris, what is 6*7, and what does the travel policy say about hotels?' }],
  });
  assert.is(output.run.status, 'completed');
  const steps = progress.flatMap((item) =>
    item.type === 'assistantRun.event' && item.event.event === 'thread.run.step.completed' ? [item.event.data as { id: string; step_details: { type: string; tool_calls?: Array<{ type: string }> } }] : [],
  );
  assert.equal(
    steps.map((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls!.map((call) => call.type) : step.step_details.type)),
    [['function'], ['function'], ['code_interpreter'], ['file_search'], 'message_creation'],
  );
  assert.is(new Set(steps.map((step) => step.id)).size, steps.length);
});

test('without tools the actor waits at the pause; a cancel there ends the run cancelled, nothing submitted, and the thread goes on', async ({ ts, assistantId }) => {
  const options: AssistantRunOptions = { client: clientOf(ts.server.url), responses: responsesMode(assistantId) };
  const actor = createActor(createAssistantRun(options), { input: { threadId: 'conversation-5', assistantId, additionalMessages: ASK } });
  actor.start();
  const paused = await waitFor(actor, (snapshot) => snapshot.matches({ active: { working: 'awaitingOutputs' } }), { timeout: 5000 });
  assert.equal(paused.context.run!.required_action!.submit_tool_outputs.tool_calls.map((call) => call.function.name).sort(), ['get_time', 'get_weather']);
  actor.send({ type: 'cancel' });
  const output = await toPromise(actor);
  assert.is(output.run.status, 'cancelled');
  assert.is(output.run.required_action, null);
  // The pause's response is where the run stopped: nothing continued it.
  const response = await ts.openai.responses.retrieve((output.run as { response_id?: string }).response_id!);
  assert.is(response.id, output.run.id);
  assert.is(response.status, 'completed');
  // Its calls left the conversation (nothing will answer them), so the thread's next run goes on there.
  const types = (await ts.openai.conversations.items.list(output.run.thread_id, { order: 'asc' })).data.map((item) => item.type);
  assert.equal(types, ['message']);
  const next = await runToEnd(options, { threadId: 'conversation-5', assistantId, additionalMessages: [{ role: 'user', content: 'Never mind. Hello!' }] });
  assert.equal([next.output.run.status, next.output.run.thread_id], ['completed', output.run.thread_id]);
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
