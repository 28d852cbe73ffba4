import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AssistantsClient,
  BadRequestError,
  DeadlineExceededError,
  NotFoundError,
  type AssistantTool,
  type Message,
  type Run,
} from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';
import { handlesLeftAfterClose } from './helpers/loopback.ts';

// Every helper of the client, end to end, against the embedded server and its scripted model.

const baseline = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind.startsWith('TCP'));
let server: AssistantsServer;
let client: AssistantsClient;
const internalErrors: unknown[] = [];

const weatherTool: AssistantTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

const textOf = (message: Message | undefined) =>
  (message?.content ?? []).map((block) => (block.type === 'text' ? (block as { text: { value: string } }).text.value : '')).join('');

async function newestAssistantText(threadId: string): Promise<string> {
  const page = await client.beta.threads.messages.list(threadId, { limit: 1 });
  return textOf(page.data[0]);
}

test.before(async () => {
  server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5, onInternalError: (error) => internalErrors.push(error) });
  client = new AssistantsClient({ apiKey: 'sk-e2e', baseURL: server.url });
});

test.after(async () => {
  await server.close();
});

test('createAndRunPoll: code_interpreter evaluates the arithmetic; the answer is the newest message', async () => {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
  const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What is 2**10 + 3*7?' }] } });
  assert.is(run.status, 'completed');
  assert.is(await newestAssistantText(run.thread_id), 'The result of 2**10 + 3*7 is 1045.');
  const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, order: 'asc' });
  assert.equal(steps.data.map((step) => step.type), ['tool_calls', 'message_creation']);
  const step = await client.beta.threads.runs.steps.retrieve(steps.data[0]!.id, { thread_id: run.thread_id, run_id: run.id });
  assert.is(step.status, 'completed');
});

test('poll form: createAndPoll → requires_action → submitToolOutputsAndPoll → completed', async () => {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [weatherTool] });
  const thread = await client.beta.threads.create();
  await client.beta.threads.messages.create(thread.id, { role: 'user', content: "What's the weather in Paris?" });
  const paused = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
  assert.is(paused.status, 'requires_action');
  const [call] = paused.required_action!.submit_tool_outputs.tool_calls;
  assert.is(call!.function.name, 'get_weather');
  assert.equal(JSON.parse(call!.function.arguments), { city: 'Paris' });
  const done = await client.beta.threads.runs.submitToolOutputsAndPoll(paused.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: call!.id, output: '{"temp":"22C"}' }],
  });
  assert.is(done.status, 'completed');
  assert.is(await newestAssistantText(thread.id), 'get_weather returned: {"temp":"22C"}');
});

test('stream form: runs.stream → requires_action → submitToolOutputsStream → completed', async () => {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [weatherTool] });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: "What's the weather in Paris?" }] });
  const first = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const argumentsSeen: string[] = [];
  first.on('toolCallDone', (toolCall) => {
    if (toolCall.type === 'function') argumentsSeen.push(toolCall.function.arguments);
  });
  const paused = await first.finalRun();
  assert.is(paused.status, 'requires_action');
  assert.equal(argumentsSeen.map((text) => JSON.parse(text)), [{ city: 'Paris' }]);
  const [call] = paused.required_action!.submit_tool_outputs.tool_calls;
  const rest = client.beta.threads.runs.submitToolOutputsStream(paused.id, {
    thread_id: thread.id,
    tool_outputs: [{ tool_call_id: call!.id, output: '{"temp":"22C"}' }],
  });
  let text = '';
  for await (const fragment of rest.textDeltas) text += fragment;
  assert.is(text, 'get_weather returned: {"temp":"22C"}');
  assert.is((await rest.finalRun()).status, 'completed');
});

test('createAndRunStream: thread.created first, then the run to completion', async () => {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
  const stream = client.beta.threads.createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What is 6*7?' }] } });
  const events: string[] = [];
  stream.on('event', (event) => events.push(event.event));
  const run: Run = await stream.finalRun();
  assert.is(run.status, 'completed');
  assert.is(events[0], 'thread.created');
  assert.is(textOf((await stream.finalMessages()).at(-1)), 'The result of 6*7 is 42.');
});

test('vector store files: upload, attach, poll; a batch of uploads; file_search finds the text', async () => {
  const store = await client.vectorStores.create({ name: 'handbook' });
  const single = await client.vectorStores.files.uploadAndPoll(store.id, new File(['The office opens at nine.'], 'hours.txt'), { pollIntervalMs: 0 });
  assert.is(single.status, 'completed');
  const batch = await client.vectorStores.fileBatches.uploadAndPoll(
    store.id,
    { files: [new File(['Lunch is at noon.'], 'lunch.txt'), new File(['Parking is free on Fridays.'], 'parking.txt'), new File(['The wifi password is on the fridge.'], 'wifi.txt')] },
    { maxConcurrency: 2 },
  );
  assert.is(batch.status, 'completed');
  assert.is(batch.file_counts.completed, 3);
  const batchFiles: string[] = [];
  for await (const file of client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id, limit: 1 })) batchFiles.push(file.status);
  assert.equal(batchFiles, ['completed', 'completed', 'completed']);
  const files: string[] = [];
  for await (const file of client.vectorStores.files.list(store.id, { limit: 2 })) files.push(file.id);
  assert.is(files.length, 4);

  const assistant = await client.beta.assistants.create({
    model: 'scripted',
    tools: [{ type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [store.id] } },
  });
  const run = await client.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'When is lunch?' }] } });
  assert.is(run.status, 'completed');
  assert.match(await newestAssistantText(run.thread_id), 'noon');
});

test('vector store helpers: files.createAndPoll and poll, fileBatches.createAndPoll, poll, retrieve, cancel', async () => {
  const store = await client.vectorStores.create({ name: 'notes' });
  const [a, b, c] = await Promise.all(
    ['alpha.txt', 'beta.txt', 'gamma.txt'].map((name) => client.files.create({ file: new File([`${name} says hello`], name), purpose: 'assistants' })),
  );
  const attached = await client.vectorStores.files.createAndPoll(store.id, { file_id: a!.id }, { pollIntervalMs: 0 });
  assert.is(attached.status, 'completed');
  assert.is((await client.vectorStores.files.poll(store.id, a!.id)).status, 'completed');
  const batch = await client.vectorStores.fileBatches.createAndPoll(store.id, { file_ids: [b!.id, c!.id] }, { pollIntervalMs: 0 });
  assert.is(batch.status, 'completed');
  assert.is(batch.file_counts.total, 2);
  assert.is((await client.vectorStores.fileBatches.poll(store.id, batch.id)).status, 'completed');
  assert.is((await client.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: store.id })).id, batch.id);
  const refused = await client.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id }).then(() => undefined, (error: unknown) => error);
  assert.instance(refused, BadRequestError);
  assert.is((refused as BadRequestError).message, "400 Cannot cancel a batch with status 'completed'.");
});

test('fileBatches.cancel on a batch still processing: the poll ends on cancelled', async () => {
  const slow = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 60_000 }, pollAfterMs: 10 });
  try {
    const slowClient = new AssistantsClient({ apiKey: 'sk-e2e', baseURL: slow.url });
    const store = await slowClient.vectorStores.create({ name: 'slow' });
    const file = await slowClient.files.create({ file: new File(['slow text'], 'slow.txt'), purpose: 'assistants' });
    const batch = await slowClient.vectorStores.fileBatches.create(store.id, { file_ids: [file.id] });
    assert.is(batch.status, 'in_progress');
    assert.is((await slowClient.vectorStores.fileBatches.cancel(batch.id, { vector_store_id: store.id })).status, 'cancelled');
    assert.is((await slowClient.vectorStores.fileBatches.poll(store.id, batch.id)).status, 'cancelled');
  } finally {
    await slow.close();
  }
});

test('CRUD round trips: assistants, threads, messages, runs, vector stores and their files', async () => {
  const assistant = await client.beta.assistants.create({ model: 'scripted', name: 'A', tools: [{ type: 'code_interpreter' }] });
  assert.is((await client.beta.assistants.update(assistant.id, { name: 'B' })).name, 'B');
  assert.is((await client.beta.assistants.retrieve(assistant.id)).name, 'B');
  const listed: string[] = [];
  for await (const item of client.beta.assistants.list({ limit: 2 })) listed.push(item.id);
  assert.ok(listed.includes(assistant.id));

  const thread = await client.beta.threads.create();
  assert.equal((await client.beta.threads.update(thread.id, { metadata: { topic: 'math' } })).metadata, { topic: 'math' });
  assert.equal((await client.beta.threads.retrieve(thread.id)).metadata, { topic: 'math' });
  const message = await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'What is 1+2?' });
  assert.equal((await client.beta.threads.messages.update(message.id, { thread_id: thread.id, metadata: { seen: 'yes' } })).metadata, { seen: 'yes' });
  assert.is(textOf(await client.beta.threads.messages.retrieve(message.id, { thread_id: thread.id })), 'What is 1+2?');

  const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 0 });
  assert.is((await client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).status, 'completed');
  assert.equal((await client.beta.threads.runs.update(run.id, { thread_id: thread.id, metadata: { k: 'v' } })).metadata, { k: 'v' });
  const answers = await client.beta.threads.messages.list(thread.id, { run_id: run.id });
  assert.is(textOf(answers.data[0]), 'The result of 1+2 is 3.');

  assert.is((await client.beta.threads.messages.delete(message.id, { thread_id: thread.id })).deleted, true);
  assert.is((await client.beta.threads.delete(thread.id)).deleted, true);
  assert.is((await client.beta.assistants.delete(assistant.id)).deleted, true);

  const store = await client.vectorStores.create({ name: 'tmp' });
  assert.is((await client.vectorStores.update(store.id, { name: 'tmp2' })).name, 'tmp2');
  assert.is((await client.vectorStores.retrieve(store.id)).name, 'tmp2');
  const uploaded = await client.vectorStores.files.upload(store.id, new File(['text'], 'one.txt'));
  assert.equal((await client.vectorStores.files.update(uploaded.id, { vector_store_id: store.id, attributes: { lang: 'en' } })).attributes, { lang: 'en' });
  assert.is((await client.vectorStores.files.retrieve(uploaded.id, { vector_store_id: store.id })).id, uploaded.id);
  assert.is((await client.vectorStores.files.delete(uploaded.id, { vector_store_id: store.id })).deleted, true);
  const stores: string[] = [];
  for await (const item of client.vectorStores.list()) stores.push(item.id);
  assert.ok(stores.includes(store.id));
  assert.is((await client.vectorStores.delete(store.id)).deleted, true);
});

test('files: create, retrieve, list, content, delete', async () => {
  const file = await client.files.create({ file: new File(['hello file'], 'hello.txt'), purpose: 'assistants' });
  assert.is((await client.files.retrieve(file.id)).filename, 'hello.txt');
  assert.is(await (await client.files.content(file.id)).text(), 'hello file');
  const ids: string[] = [];
  for await (const listed of client.files.list({ purpose: 'assistants' })) ids.push(listed.id);
  assert.ok(ids.includes(file.id));
  assert.is((await client.files.delete(file.id)).deleted, true);
  try {
    await client.files.retrieve(file.id);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, NotFoundError);
  }
});

test('cancel, and the server’s errors as typed errors', async () => {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [weatherTool] });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: "What's the weather in Paris?" }] });
  const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  try {
    await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'and Rome?' });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, BadRequestError);
  }
  await client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
  const cancelled = await client.beta.threads.runs.poll(run.id, { thread_id: thread.id });
  assert.is(cancelled.status, 'cancelled');
  const runs = await client.beta.threads.runs.list(thread.id);
  assert.equal(runs.data.map((listed) => listed.status), ['cancelled']);
});

test('a poll that cannot finish in time ends with DeadlineExceededError and the last run seen', async () => {
  const slow = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 60_000 }, pollAfterMs: 10 });
  try {
    const slowClient = new AssistantsClient({ apiKey: 'sk-e2e', baseURL: slow.url });
    const assistant = await slowClient.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
    const error = await slowClient.beta.threads
      .createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What is 1+1?' }] } }, { deadlineMs: 200 })
      .then(() => undefined, (thrown: unknown) => thrown);
    assert.instance(error, DeadlineExceededError);
    assert.ok(['queued', 'in_progress'].includes((error as DeadlineExceededError<Run>).lastObject?.status ?? ''));
  } finally {
    await slow.close();
  }
});

test('the server’s rate limit: each 429 is retried after its retry-after-ms', async () => {
  const limited = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, rateLimit: { every: 2, retryAfterMs: 10 } });
  try {
    const statuses: number[] = [];
    const countingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    const limitedClient = new AssistantsClient({ apiKey: 'sk-e2e', baseURL: limited.url, fetch: countingFetch });
    const first = await limitedClient.beta.threads.create();
    const second = await limitedClient.beta.threads.retrieve(first.id);
    assert.is(second.id, first.id);
    assert.equal(statuses, [200, 429, 200]);
  } finally {
    await limited.close();
  }
});

test('no internal server errors, nothing left running', async () => {
  assert.equal(internalErrors, []);
  await server.close();
  assert.equal(await handlesLeftAfterClose(baseline), []);
});

test.run();
