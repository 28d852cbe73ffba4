import OpenAI from 'openai';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { makeRun, toSSE } from '../src/testing/index.ts';
import { fakeFetch, type FetchCall } from './helpers/fakeFetch.ts';

// Differential: the same code, written against the official SDK, run with `openai` and with our
// client (the import is all that changes), must send the same requests — method, path, query,
// JSON body and the headers that carry meaning.

const base = 'http://127.0.0.1:9/v1';
const MEANINGFUL_HEADERS = ['authorization', 'openai-beta', 'x-stainless-poll-helper', 'x-stainless-custom-poll-interval', 'x-stainless-helper-method', 'x-caller'];

const anyObject = { id: 'obj_1', object: 'thread.run', status: 'completed', thread_id: 'thread_1', data: [], has_more: false, created_at: 1 };
const sseBody = toSSE([
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
]);

function answer(call: FetchCall): Response {
  const body = typeof call.body === 'string' ? (JSON.parse(call.body) as { stream?: boolean }) : {};
  if (body.stream === true) return new Response(sseBody, { headers: { 'content-type': 'text/event-stream' } });
  return Response.json(anyObject);
}

interface Seen {
  method: string;
  url: string;
  body: unknown;
  headers: Record<string, string | null>;
}

function describe(call: FetchCall): Seen {
  return {
    method: call.method,
    url: decodeURIComponent(call.url),
    body: typeof call.body === 'string' ? JSON.parse(call.body) : call.body === undefined || call.body === null ? null : 'multipart',
    headers: Object.fromEntries(MEANINGFUL_HEADERS.map((name) => [name, call.headers.get(name)])),
  };
}

// The calls the scripts below make, with the official SDK's parameter types (spelled out where
// the SDK overloads a call: the non-streaming `create`, since ours answers JSON only and the
// stream helpers stream; `list` with its query).
type Official = OpenAI;
type RequestOptions = NonNullable<Parameters<Official['beta']['assistants']['create']>[1]>;
type Runs = Official['beta']['threads']['runs'];
type Used = {
  beta: {
    assistants: Pick<Official['beta']['assistants'], 'create' | 'retrieve' | 'update' | 'delete'> & { list(query?: OpenAI.Beta.AssistantListParams, options?: RequestOptions): unknown };
    threads: Pick<Official['beta']['threads'], 'retrieve' | 'update' | 'delete' | 'createAndRunPoll' | 'createAndRunStream'> & {
      create(body?: OpenAI.Beta.ThreadCreateParams, options?: RequestOptions): unknown;
      createAndRun(body: OpenAI.Beta.ThreadCreateAndRunParamsNonStreaming, options?: RequestOptions): unknown;
      messages: Pick<Official['beta']['threads']['messages'], 'create' | 'retrieve' | 'update' | 'delete'> & {
        list(threadId: string, query?: OpenAI.Beta.Threads.MessageListParams, options?: RequestOptions): unknown;
      };
      runs: Pick<Runs, 'retrieve' | 'update' | 'cancel' | 'createAndPoll' | 'poll' | 'submitToolOutputsAndPoll' | 'stream' | 'submitToolOutputsStream'> & {
        create(threadId: string, body: OpenAI.Beta.Threads.RunCreateParamsNonStreaming, options?: RequestOptions): unknown;
        list(threadId: string, query?: OpenAI.Beta.Threads.RunListParams, options?: RequestOptions): unknown;
        submitToolOutputs(runId: string, body: OpenAI.Beta.Threads.RunSubmitToolOutputsParamsNonStreaming, options?: RequestOptions): unknown;
        steps: Pick<Runs['steps'], 'retrieve' | 'list'>;
      };
    };
  };
  files: Pick<Official['files'], 'retrieve' | 'delete'> & {
    // Uploads take a web File or named Blob: not the SDK's Response or Node stream (docs/client.md).
    create(body: Omit<OpenAI.FileCreateParams, 'file'> & { file: File }, options?: RequestOptions): unknown;
    list(query?: OpenAI.FileListParams, options?: RequestOptions): unknown;
  };
  vectorStores: Pick<Official['vectorStores'], 'create' | 'retrieve' | 'update' | 'delete'> & {
    list(query?: OpenAI.VectorStoreListParams, options?: RequestOptions): unknown;
    files: Pick<Official['vectorStores']['files'], 'create' | 'retrieve' | 'update' | 'delete' | 'createAndPoll'> & {
      list(vectorStoreId: string, query?: OpenAI.VectorStores.FileListParams, options?: RequestOptions): unknown;
    };
    fileBatches: Pick<Official['vectorStores']['fileBatches'], 'create' | 'retrieve' | 'cancel' | 'listFiles' | 'createAndPoll'>;
  };
  conversations: Pick<Official['conversations'], 'create' | 'retrieve' | 'update' | 'delete'> & {
    items: Pick<Official['conversations']['items'], 'create' | 'retrieve' | 'delete'> & {
      list(conversationId: string, query?: OpenAI.Conversations.ItemListParams, options?: RequestOptions): unknown;
    };
  };
};

/** What a script may do with a call's result: await it, or (a stream) ask for its final run. */
type Result<R> = R extends { finalRun(): unknown } ? { finalRun(): Promise<unknown> } : PromiseLike<unknown>;

/**
 * The surface one script drives on both clients: every call of {@link Used} takes the official
 * SDK's arguments (as function-typed properties, so parameters are checked contravariantly)
 * and returns what both can give. Our client is assigned to it without a cast, so this file
 * does not compile unless our parameter types accept everything the official types accept for
 * these calls — the type-level half of this differential test. The per-call options are only
 * what the scripts pass (the official RequestOptions has transport knobs we do not offer:
 * idempotencyKey, fetchOptions, nested header arrays).
 */
type Client = Surface<Used>;
type Surface<T> = {
  [K in keyof T]: T[K] extends (...args: infer Args) => infer R ? (...args: OwnOptions<Args>) => Result<R> : Surface<T[K]>;
};
type OwnOptions<Args extends unknown[]> = { [I in keyof Args]: IsOptions<NonNullable<Args[I]>> extends true ? SharedOptions | undefined : Args[I] };
type IsOptions<T> = [T] extends [RequestOptions] ? ([RequestOptions] extends [T] ? true : false) : false;
/** The options the scripts pass, which both clients take. */
type SharedOptions = { headers?: Record<string, string>; pollIntervalMs?: number };

async function recordWith(make: (fetch: typeof globalThis.fetch) => Client, script: (client: Client) => PromiseLike<unknown>): Promise<Seen[]> {
  const { fetch, calls } = fakeFetch((call) => answer(call));
  await script(make(fetch));
  // The official SDK fetches `data:,` once to probe FormData support before an upload.
  return calls.filter((call) => !call.url.startsWith('data:')).map(describe);
}

const official = (fetch: typeof globalThis.fetch) => new OpenAI({ apiKey: 'sk-test', baseURL: base, fetch, maxRetries: 0 });
const ours = (fetch: typeof globalThis.fetch): Client => new AssistantsClient({ apiKey: 'sk-test', baseURL: base, fetch, maxRetries: 0 });

async function sameRequests(name: string, script: (client: Client) => PromiseLike<unknown>) {
  const expected = await recordWith(official, script);
  const actual = await recordWith(ours, script);
  assert.ok(expected.length > 0, `${name}: the official SDK sent nothing`);
  assert.equal(actual, expected, name);
}

const headers = { 'X-Caller': 'yes' };

test('assistants, threads and messages', async () => {
  await sameRequests('assistants', async (c) => {
    await c.beta.assistants.create({ model: 'gpt-4o', name: 'Tutor', tools: [{ type: 'code_interpreter' }] }, { headers });
    await c.beta.assistants.retrieve('asst_1');
    await c.beta.assistants.update('asst_1', { name: 'Tutor 2' });
    await c.beta.assistants.list({ limit: 3, order: 'asc' });
    await c.beta.assistants.delete('asst_1');
  });
  await sameRequests('threads', async (c) => {
    await c.beta.threads.create({ messages: [{ role: 'user', content: 'hi' }], metadata: { a: 'b' } });
    await c.beta.threads.create();
    await c.beta.threads.retrieve('thread_1');
    await c.beta.threads.update('thread_1', { metadata: { a: 'c' } });
    await c.beta.threads.delete('thread_1');
    await c.beta.threads.createAndRun({ assistant_id: 'asst_1', thread: { messages: [{ role: 'user', content: 'hi' }] } });
  });
  await sameRequests('messages', async (c) => {
    await c.beta.threads.messages.create('thread_1', { role: 'user', content: [{ type: 'text', text: 'hi' }] });
    await c.beta.threads.messages.retrieve('msg_1', { thread_id: 'thread_1' });
    await c.beta.threads.messages.update('msg_1', { thread_id: 'thread_1', metadata: { k: 'v' } });
    await c.beta.threads.messages.list('thread_1', { run_id: 'run_1', limit: 2, after: 'msg_0' });
    await c.beta.threads.messages.delete('msg_1', { thread_id: 'thread_1' });
  });
});

test('runs and steps', async () => {
  await sameRequests('runs', async (c) => {
    await c.beta.threads.runs.create('thread_1', { assistant_id: 'asst_1', include: ['step_details.tool_calls[*].file_search.results[*].content'], additional_instructions: 'Be brief.' });
    await c.beta.threads.runs.retrieve('run_1', { thread_id: 'thread_1' });
    await c.beta.threads.runs.update('run_1', { thread_id: 'thread_1', metadata: { k: 'v' } });
    await c.beta.threads.runs.list('thread_1', { limit: 1 });
    await c.beta.threads.runs.cancel('run_1', { thread_id: 'thread_1' });
    await c.beta.threads.runs.submitToolOutputs('run_1', { thread_id: 'thread_1', tool_outputs: [{ tool_call_id: 'call_1', output: '42' }] });
  });
  await sameRequests('steps', async (c) => {
    await c.beta.threads.runs.steps.retrieve('step_1', { thread_id: 'thread_1', run_id: 'run_1', include: ['step_details.tool_calls[*].file_search.results[*].content'] });
    await c.beta.threads.runs.steps.list('run_1', { thread_id: 'thread_1', order: 'asc' });
  });
});

test('poll helpers: the create, then retrieves with the poll headers', async () => {
  await sameRequests('runs.createAndPoll', (c) => c.beta.threads.runs.createAndPoll('thread_1', { assistant_id: 'asst_1' }, { pollIntervalMs: 0, headers }));
  await sameRequests('runs.poll', (c) => c.beta.threads.runs.poll('run_1', { thread_id: 'thread_1' }));
  await sameRequests('submitToolOutputsAndPoll', (c) =>
    c.beta.threads.runs.submitToolOutputsAndPoll('run_1', { thread_id: 'thread_1', tool_outputs: [{ tool_call_id: 'call_1', output: 'x' }] }, { pollIntervalMs: 10 }),
  );
  await sameRequests('createAndRunPoll', (c) => c.beta.threads.createAndRunPoll({ assistant_id: 'asst_1' }, { pollIntervalMs: 0 }));
  await sameRequests('vectorStores.files.createAndPoll', (c) => c.vectorStores.files.createAndPoll('vs_1', { file_id: 'file-1' }, { pollIntervalMs: 0 }));
  await sameRequests('fileBatches.createAndPoll', (c) => c.vectorStores.fileBatches.createAndPoll('vs_1', { file_ids: ['file-1', 'file-2'] }, { pollIntervalMs: 0 }));
});

test('stream helpers: the POST of each', async () => {
  await sameRequests('runs.stream', (c) => c.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1', include: ['step_details.tool_calls[*].file_search.results[*].content'] }, { headers }).finalRun());
  await sameRequests('createAndRunStream', (c) => c.beta.threads.createAndRunStream({ assistant_id: 'asst_1' }).finalRun());
  await sameRequests('submitToolOutputsStream', (c) =>
    c.beta.threads.runs.submitToolOutputsStream('run_1', { thread_id: 'thread_1', tool_outputs: [{ tool_call_id: 'call_1', output: 'x' }] }).finalRun(),
  );
});

test('vector stores, their files and batches, files', async () => {
  await sameRequests('vectorStores', async (c) => {
    await c.vectorStores.create({ name: 'kb', file_ids: ['file-1'], chunking_strategy: { type: 'auto' } });
    await c.vectorStores.retrieve('vs_1');
    await c.vectorStores.update('vs_1', { name: 'kb2' });
    await c.vectorStores.list({ limit: 5 });
    await c.vectorStores.delete('vs_1');
  });
  await sameRequests('vectorStores.files', async (c) => {
    await c.vectorStores.files.create('vs_1', { file_id: 'file-1', attributes: { lang: 'en' } });
    await c.vectorStores.files.retrieve('file-1', { vector_store_id: 'vs_1' });
    await c.vectorStores.files.update('file-1', { vector_store_id: 'vs_1', attributes: { lang: 'de' } });
    await c.vectorStores.files.list('vs_1', { filter: 'completed' });
    await c.vectorStores.files.delete('file-1', { vector_store_id: 'vs_1' });
  });
  await sameRequests('fileBatches', async (c) => {
    await c.vectorStores.fileBatches.create('vs_1', { file_ids: ['file-1'] });
    await c.vectorStores.fileBatches.retrieve('vsfb_1', { vector_store_id: 'vs_1' });
    await c.vectorStores.fileBatches.cancel('vsfb_1', { vector_store_id: 'vs_1' });
    await c.vectorStores.fileBatches.listFiles('vsfb_1', { vector_store_id: 'vs_1', filter: 'failed' });
  });
  await sameRequests('files', async (c) => {
    await c.files.create({ file: new File(['x'], 'x.txt'), purpose: 'assistants' });
    await c.files.retrieve('file-1');
    await c.files.list({ purpose: 'assistants' });
    await c.files.delete('file-1');
  });
});

test('conversations and their items', async () => {
  await sameRequests('conversations', async (c) => {
    await c.conversations.create({ items: [{ role: 'user', content: 'hi' }, { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'be brief' }] }], metadata: { a: 'b' } });
    await c.conversations.create();
    await c.conversations.retrieve('conv_1');
    await c.conversations.update('conv_1', { metadata: { a: 'c' } });
    await c.conversations.delete('conv_1');
  });
  await sameRequests('conversations.items', async (c) => {
    await c.conversations.items.create('conv_1', { items: [{ role: 'user', content: 'hi' }], include: ['file_search_call.results'] });
    await c.conversations.items.list('conv_1', { limit: 5, order: 'asc', after: 'msg_1', include: ['code_interpreter_call.outputs'] });
    await c.conversations.items.retrieve('msg_1', { conversation_id: 'conv_1', include: ['file_search_call.results'] });
    await c.conversations.items.delete('msg_1', { conversation_id: 'conv_1' });
  });
});

test.run();
