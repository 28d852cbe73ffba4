import OpenAI from 'openai';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../../src/index.ts';
import { createServer, type AssistantsServer, type LiveModelOptions } from '../../src/server/index.ts';
import type { ModelUpstream } from './modelUpstream.ts';

/** A model API for the shim to stand in front of, and how to stop it. */
export interface Backend {
  /** The model API the shim talks to (a proxy that records requests and injects faults). */
  upstream: ModelUpstream;
  /** The same backend, but slow: each piece of text takes a while (for cancelling). */
  slow: ModelUpstream;
  close(): Promise<void>;
}

interface Context {
  backend: Backend;
  shim: AssistantsServer;
  slowShim: AssistantsServer;
  openai: OpenAI;
  slowOpenai: OpenAI;
  internalErrors: unknown[];
  vectorStoreId: string;
  fileId: string;
}

const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

/**
 * The official SDK's Assistants code against our server in shim mode, in front of a live model
 * API (`protocol`): the same checks for each backend.
 */
export function liveModelSuite(name: string, protocol: LiveModelOptions['protocol'], startBackend: () => Promise<Backend>) {
  const test = suite<Context>(name);

  test.before(async (context) => {
    context.backend = await startBackend();
    context.internalErrors = [];
    const options = (upstream: ModelUpstream) => ({
      model: { baseURL: upstream.url, apiKey: 'upstream-test-key', protocol, retryBaseDelayMs: 1 },
      pace: { deltaDelayMs: 0, stepDelayMs: 0 },
      pollAfterMs: 5,
      onInternalError: (error: unknown) => context.internalErrors.push(error),
    });
    context.shim = await createServer(options(context.backend.upstream));
    context.slowShim = await createServer(options(context.backend.slow));
    context.openai = new OpenAI({ baseURL: context.shim.url, apiKey: 'client-key', maxRetries: 0 });
    context.slowOpenai = new OpenAI({ baseURL: context.slowShim.url, apiKey: 'client-key', maxRetries: 0 });
    const store = await context.openai.vectorStores.create({ name: 'policies' });
    const file = await context.openai.vectorStores.files.uploadAndPoll(
      store.id,
      new File(['Refunds are paid within five working days. Hotels in Paris are reimbursed up to 180 euros a night.'], 'refund-policy.txt'),
      { pollIntervalMs: 5 },
    );
    context.vectorStoreId = store.id;
    context.fileId = file.id;
  });

  test.after(async ({ shim, slowShim, backend, internalErrors }) => {
    await Promise.all([shim.close(), slowShim.close()]);
    await backend.close();
    assert.equal(internalErrors, []);
  });

  test('streaming text: deltas as the model sends them, the run completed with its settings sent upstream and usage from upstream', async ({ openai, backend }) => {
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live', instructions: 'Be brief.', temperature: 0.3 });
    const before = backend.upstream.requests.length;
    const stream = openai.beta.threads.createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hello there' }] } });
    const deltas: string[] = [];
    stream.on('textDelta', (delta) => deltas.push(delta.value ?? ''));
    const run = (await stream.finalRun()) as Run;
    const [message] = await stream.finalMessages();
    assert.is(run.status, 'completed');
    assert.ok(deltas.length > 1, 'the answer arrives in several deltas');
    const text = message?.content[0]?.type === 'text' ? message.content[0].text.value : '';
    assert.is(deltas.join(''), text);
    assert.match(text, /Hello there/);
    const [body] = backend.upstream.bodies().slice(before);
    assert.is(body?.['model'], 'gpt-live');
    assert.is(body?.['temperature'], 0.3);
    assert.is(body?.['stream'], true);
    assert.ok(JSON.stringify(body).includes('Be brief.'), 'the instructions go upstream');
    const steps = await openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
    const stepTotal = steps.data.reduce((sum, step) => sum + (step.usage?.total_tokens ?? 0), 0);
    assert.ok((run.usage?.total_tokens ?? 0) > 0);
    assert.is(run.usage?.total_tokens, stepTotal, 'the run reports the sum of its steps');
  });

  test('a function round trip: requires_action with the model\'s call, the output goes back upstream, the answer uses it', async ({ openai, backend }) => {
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live', tools: [weather] });
    const thread = await openai.beta.threads.create({ messages: [{ role: 'user', content: "What's the weather in Paris?" }] });
    const first = await openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 5 });
    assert.is(first.status, 'requires_action');
    const [call] = first.required_action?.submit_tool_outputs.tool_calls ?? [];
    assert.is(call?.function.name, 'get_weather');
    assert.equal(JSON.parse(call?.function.arguments ?? '{}'), { city: 'Paris' });
    const before = backend.upstream.requests.length;
    const stream = openai.beta.threads.runs.submitToolOutputsStream(first.id, { thread_id: thread.id, tool_outputs: [{ tool_call_id: call!.id, output: '22 degrees and sunny' }] });
    const run = (await stream.finalRun()) as Run;
    assert.is(run.status, 'completed');
    const messages = await openai.beta.threads.messages.list(thread.id);
    const answer = messages.data[0]?.content[0];
    assert.match(answer?.type === 'text' ? answer.text.value : '', /22 degrees and sunny/);
    const continued = JSON.stringify(backend.upstream.bodies().slice(before));
    assert.ok(continued.includes('22 degrees and sunny'), 'the output went upstream');
  });

  test('file search runs in our server over its vector store, and the answer cites the file', async ({ openai, vectorStoreId, fileId }) => {
    const assistant = await openai.beta.assistants.create({
      model: 'gpt-live',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
    });
    const run = await openai.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What do the files say about refunds?' }] } },
      { pollIntervalMs: 5 },
    );
    assert.is(run.status, 'completed');
    const steps = await openai.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, include: ['step_details.tool_calls[*].file_search.results[*].content'] });
    const searchStep = steps.data.find((step) => step.step_details.type === 'tool_calls');
    const searchCall = searchStep?.step_details.type === 'tool_calls' ? searchStep.step_details.tool_calls[0] : undefined;
    assert.is(searchCall?.type, 'file_search');
    assert.is(searchCall?.type === 'file_search' ? searchCall.file_search.results?.[0]?.file_id : undefined, fileId);
    const messages = await openai.beta.threads.messages.list(run.thread_id);
    const content = messages.data[0]?.content[0];
    assert.is(content?.type, 'text');
    if (content?.type !== 'text') return;
    assert.match(content.text.value, /five working days/);
    const [citation] = content.text.annotations;
    assert.is(citation?.type, 'file_citation');
    if (citation?.type !== 'file_citation') return;
    assert.is(citation.file_citation.file_id, fileId);
    assert.is(content.text.value.slice(citation.start_index, citation.end_index), citation.text);
    assert.match(citation.text, /^【0:0†refund-policy\.txt】$/);
  });

  test('file search, streamed: the citation arrives in the last text delta, and both SDKs\' snapshots carry it', async ({ openai, shim, vectorStoreId, fileId }) => {
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live', tools: [{ type: 'file_search' }], tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } } });
    const stream = openai.beta.threads.createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What do the files say about refunds?' }] } });
    const [message] = await stream.finalMessages();
    const content = message?.content[0];
    assert.is(content?.type === 'text' ? content.text.annotations.map((annotation) => (annotation.type === 'file_citation' ? annotation.file_citation.file_id : '')).join() : '', fileId);
    // Our own client's stream over the same kind of run.
    const client = new AssistantsClient({ baseURL: shim.url, apiKey: 'client-key' });
    const ours = client.beta.threads.createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What do the files say about refunds?' }] } });
    const [ourMessage] = await ours.finalMessages();
    const ourContent = ourMessage?.content[0];
    assert.is(ourContent?.type === 'text' ? ourContent.text.annotations[0]?.type : undefined, 'file_citation');
    assert.is(ourContent?.type === 'text' ? ourContent.text.value : '', content?.type === 'text' ? content.text.value : undefined);
  });

  test('cancel: a run cancelled while the model streams ends cancelled, its message incomplete, the upstream answer hung up on', async ({ slowOpenai: openai, backend }) => {
    const hungUp = backend.slow.abandoned.length;
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    const stream = openai.beta.threads.createAndRunStream({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Tell me something long about the sea and the sky and the wind' }] } });
    let cancelled: Promise<unknown> | undefined;
    stream.on('textDelta', () => {
      const run = stream.currentRun();
      if (cancelled === undefined && run !== undefined) cancelled = openai.beta.threads.runs.cancel(run.id, { thread_id: run.thread_id });
    });
    const run = (await stream.finalRun()) as Run;
    await cancelled;
    assert.is(run.status, 'cancelled');
    const messages = await openai.beta.threads.messages.list(run.thread_id);
    assert.is(messages.data[0]?.status, 'incomplete');
    // The shim stops reading the answer nobody wants: the connection closes before it ends.
    for (let tries = 0; backend.slow.abandoned.length === hungUp && tries < 200; tries += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.is(backend.slow.abandoned.length, hungUp + 1);
  });

  test('createAndPoll and pagination: several runs on one thread, their messages paged back in order', async ({ openai }) => {
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    const thread = await openai.beta.threads.create();
    for (const word of ['one', 'two', 'three']) {
      await openai.beta.threads.messages.create(thread.id, { role: 'user', content: `Say ${word}` });
      const run = await openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 5 });
      assert.is(run.status, 'completed');
    }
    const pages: number[] = [];
    let page = await openai.beta.threads.messages.list(thread.id, { order: 'asc', limit: 2 });
    const texts: string[] = [];
    for (;;) {
      pages.push(page.data.length);
      texts.push(...page.data.map((message) => `${message.role}: ${message.content[0]?.type === 'text' ? message.content[0].text.value : ''}`));
      if (!page.hasNextPage()) break;
      page = await page.getNextPage();
    }
    assert.equal(pages, [2, 2, 2]);
    assert.equal(texts.filter((line) => line.startsWith('user:')), ['user: Say one', 'user: Say two', 'user: Say three']);
    assert.match(texts[5] ?? '', /^assistant: .*Say three/);
  });

  test('an upstream failure (500, retried) ends the run failed with server_error', async ({ openai, backend }) => {
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    backend.upstream.failNext(3, { status: 500, message: 'the model server fell over' });
    const before = backend.upstream.faulted.length;
    const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hello' }] } }, { pollIntervalMs: 5 });
    assert.is(run.status, 'failed');
    assert.is(run.last_error?.code, 'server_error');
    assert.match(run.last_error?.message ?? '', /answered 500 after 3 tries: the model server fell over/);
    assert.is(backend.upstream.faulted.length - before, 3);
  });

  test('an upstream 429 is retried with backoff; a passing retry completes the run', async ({ openai, backend }) => {
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    backend.upstream.failNext(1, { status: 429, message: 'slow down', headers: { 'retry-after-ms': '1' } });
    const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hello' }] } }, { pollIntervalMs: 5 });
    assert.is(run.status, 'completed');
  });

  test('an upstream 429 that persists ends the run failed with rate_limit_exceeded', async ({ openai, backend }) => {
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    backend.upstream.failNext(3, { status: 429, message: 'Rate limit reached for requests', headers: { 'retry-after-ms': '1' } });
    const before = backend.upstream.faulted.length;
    const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hello' }] } }, { pollIntervalMs: 5 });
    assert.is(run.status, 'failed');
    assert.is(run.last_error?.code, 'rate_limit_exceeded');
    assert.match(run.last_error?.message ?? '', /rate limited \(429\) after 3 tries: Rate limit reached/);
    assert.is(backend.upstream.faulted.length - before, 3);
  });

  test('a refused request (400) ends the run failed with invalid_prompt, not retried', async ({ openai, backend }) => {
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
    backend.upstream.failNext(1, { status: 400, message: 'This prompt is not allowed' });
    const before = backend.upstream.faulted.length;
    const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hello' }] } }, { pollIntervalMs: 5 });
    assert.is(run.status, 'failed');
    assert.is(run.last_error?.code, 'invalid_prompt');
    assert.is(backend.upstream.faulted.length - before, 1);
  });

  test('tool_choice none goes upstream, and the model calls nothing', async ({ openai, backend }) => {
    const assistant = await openai.beta.assistants.create({ model: 'gpt-live', tools: [weather] });
    const before = backend.upstream.requests.length;
    const run = await openai.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, tool_choice: 'none', thread: { messages: [{ role: 'user', content: "What's the weather in Rome?" }] } },
      { pollIntervalMs: 5 },
    );
    assert.is(run.status, 'completed');
    assert.is(backend.upstream.bodies()[before]?.['tool_choice'], 'none');
  });

  return test;
}
