import { call, type CheckContext, CheckFailure, createOrNotOffered, describe, expect, isRecord, messageText, NotOffered, ok, pollUntil, streamRun } from './http.ts';

/** One check of the conformance suite. */
export interface ConformanceCheck {
  /** Stable id, as the table and the JSON report name it: `pagination`. */
  id: string;
  /** What it checks, one line. */
  title: string;
  run(ctx: CheckContext, shared: SharedState): Promise<void>;
}

/** What later checks reuse from earlier ones (a processed vector store for file search). */
export interface SharedState {
  vectorStore?: { id: string; fileId: string } | 'not offered' | 'failed';
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired', 'incomplete']);
const HANDBOOK = [
  '# Travel handbook',
  '',
  'Refunds are paid within 14 days of a return.',
  'Hotels must be booked through the travel desk.',
  'Taxis are reimbursed up to 40 euros per trip.',
  '',
].join('\n');

async function thread(ctx: CheckContext, content: string): Promise<string> {
  const created = await ok(ctx, 'POST', '/threads', { messages: [{ role: 'user', content }] });
  expect(typeof created['id'] === 'string', 'POST /threads answered no thread id');
  return created['id'] as string;
}

async function assistant(ctx: CheckContext, body: Record<string, unknown>, what: string): Promise<string> {
  const created = await createOrNotOffered(ctx, '/assistants', { model: ctx.model, ...body }, what);
  expect(typeof created['id'] === 'string', 'POST /assistants answered no assistant id');
  return created['id'] as string;
}

/** An error answer must be `{error: {message, type, param, code}}` with a string message and type. */
function expectEnvelope(body: unknown, request: string): void {
  expect(isRecord(body) && isRecord(body['error']), `${request}: the error body is not {error: {…}}: ${describe(body)}`);
  const error = body['error'] as Record<string, unknown>;
  expect(typeof error['message'] === 'string' && error['message'] !== '', `${request}: error.message is not a non-empty string`);
  expect(typeof error['type'] === 'string', `${request}: error.type is not a string`);
  for (const key of ['param', 'code']) expect(key in error, `${request}: error.${key} is missing (null when not applicable)`);
}

/** The fixed checks, in the order they run. */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'assistants-crud',
    title: 'assistants: create, retrieve, modify, list, delete',
    async run(ctx) {
      const id = await assistant(ctx, { name: 'conformance', metadata: { suite: 'conformance' } }, 'assistants');
      const got = await ok(ctx, 'GET', `/assistants/${id}`);
      expect(got['id'] === id && got['object'] === 'assistant', `GET /assistants/${id} answered ${describe(got)}`);
      const modified = await ok(ctx, 'POST', `/assistants/${id}`, { name: 'conformance-renamed' });
      expect(modified['name'] === 'conformance-renamed', 'POST /assistants/{id} did not change the name');
      const list = await ok(ctx, 'GET', '/assistants?limit=100');
      expect(Array.isArray(list['data']) && list['object'] === 'list', 'GET /assistants is not a list');
      const deleted = await ok(ctx, 'DELETE', `/assistants/${id}`);
      expect(deleted['deleted'] === true && deleted['id'] === id, `DELETE /assistants/${id} answered ${describe(deleted)}`);
      const gone = await call(ctx, 'GET', `/assistants/${id}`);
      expect(gone.status === 404, `GET of a deleted assistant answered ${gone.status}, not 404`);
    },
  },
  {
    id: 'threads-messages-crud',
    title: 'threads and messages: create, retrieve, modify, delete',
    async run(ctx) {
      const id = await thread(ctx, 'Hello');
      const got = await ok(ctx, 'GET', `/threads/${id}`);
      expect(got['object'] === 'thread', `GET /threads/${id}: object is ${String(got['object'])}`);
      const message = await ok(ctx, 'POST', `/threads/${id}/messages`, { role: 'user', content: 'Second' });
      expect(message['object'] === 'thread.message' && messageText(message) === 'Second', `POST /threads/{id}/messages answered ${describe(message)}`);
      const modified = await ok(ctx, 'POST', `/threads/${id}`, { metadata: { checked: 'yes' } });
      expect(isRecord(modified['metadata']) && modified['metadata']['checked'] === 'yes', 'POST /threads/{id} did not store metadata');
      const deleted = await ok(ctx, 'DELETE', `/threads/${id}`);
      expect(deleted['deleted'] === true, 'DELETE /threads/{id} did not answer deleted: true');
    },
  },
  {
    id: 'error-unknown-id',
    title: 'an unknown thread is a 404 with the error envelope',
    async run(ctx) {
      const answer = await call(ctx, 'GET', '/threads/thread_conformance_does_not_exist');
      expect(answer.status === 404, `GET of an unknown thread answered ${answer.status}, not 404`);
      expectEnvelope(answer.body, 'GET of an unknown thread');
    },
  },
  {
    id: 'error-invalid-request',
    title: 'a malformed body is a 400 invalid_request_error with the envelope',
    async run(ctx) {
      const answer = await call(ctx, 'POST', '/threads', { messages: [{ role: 'user', content: 42 }] });
      expect(answer.status === 400, `a message whose content is a number answered ${answer.status}, not 400`);
      expectEnvelope(answer.body, 'POST /threads with a bad message');
      expect((answer.body as { error: { type: unknown } }).error.type === 'invalid_request_error', 'error.type is not invalid_request_error');
    },
  },
  {
    id: 'pagination',
    title: 'lists: limit, has_more, first_id/last_id, after',
    async run(ctx) {
      const id = await thread(ctx, 'one');
      for (const content of ['two', 'three']) await ok(ctx, 'POST', `/threads/${id}/messages`, { role: 'user', content });
      const first = await ok(ctx, 'GET', `/threads/${id}/messages?limit=2&order=asc`);
      expect(first['object'] === 'list' && Array.isArray(first['data']), 'the message list is not {object: "list", data: […]}');
      expect(typeof first['has_more'] === 'boolean', `has_more is ${first['has_more'] === undefined ? 'missing' : `not a boolean (${describe(first['has_more'])})`}`);
      const data = first['data'] as Record<string, unknown>[];
      expect(data.length === 2, `limit=2 gave ${data.length} items`);
      expect(first['has_more'] === true, 'has_more is false with a third message left');
      expect(first['first_id'] === data[0]!['id'] && first['last_id'] === data[1]!['id'], 'first_id/last_id do not name the first and last items');
      const rest = await ok(ctx, 'GET', `/threads/${id}/messages?limit=2&order=asc&after=${String(first['last_id'])}`);
      const restData = rest['data'] as Record<string, unknown>[];
      expect(Array.isArray(restData) && restData.length === 1, `the page after last_id has ${Array.isArray(restData) ? restData.length : 'no'} items, not 1`);
      expect(rest['has_more'] === false, 'has_more is not false on the last page');
      expect(messageText(restData[0]) === 'three', 'the page after last_id is not the next message in order');
    },
  },
  {
    id: 'streaming-order',
    title: 'a streamed run: SSE, every event in an order the charts draw (strict)',
    async run(ctx) {
      const assistantId = await assistant(ctx, {}, 'assistants');
      const threadId = await thread(ctx, 'Say hello in five words.');
      const streamed = await streamRun(ctx, `/threads/${threadId}/runs`, { assistant_id: assistantId });
      expect(streamed.run.status === 'completed', `the run ended ${streamed.run.status}, not completed`);
      expect(streamed.messages.some((message) => messageText(message).length > 0), 'the stream carried no message text');
      expect(streamed.events.includes('thread.run.created'), 'the stream has no thread.run.created');
    },
  },
  {
    id: 'polling',
    title: 'a run polled to its end; openai-poll-after-ms on run retrieval',
    async run(ctx) {
      const assistantId = await assistant(ctx, {}, 'assistants');
      const threadId = await thread(ctx, 'Say hello.');
      const run = await ok(ctx, 'POST', `/threads/${threadId}/runs`, { assistant_id: assistantId });
      expect(typeof run['id'] === 'string' && ['queued', 'in_progress'].includes(String(run['status'])), `a new run is ${describe(run['status'])}, not queued or in_progress`);
      const seen: string[] = [];
      let header: string | null = null;
      try {
        const end = await pollUntil(ctx, `/threads/${threadId}/runs/${String(run['id'])}`, (body) => {
          seen.push(String(body['status']));
          return TERMINAL.has(String(body['status']));
        });
        header = end.pollAfter;
        expect(end.body['status'] === 'completed', `the run ended ${String(end.body['status'])}, not completed`);
      } catch (error) {
        if (ctx.signal.aborted) throw new CheckFailure(`the run never ended (statuses seen: ${[...new Set(seen)].join(', ')})`);
        throw error;
      }
      if (header === null) ctx.warn('no openai-poll-after-ms header on run retrieval');
      else expect(/^\d+$/.test(header), `openai-poll-after-ms is ${header}, not a whole number`);
      const list = await ok(ctx, 'GET', `/threads/${threadId}/runs/${String(run['id'])}/steps`);
      expect(Array.isArray(list['data']) && (list['data'] as unknown[]).length > 0, 'the finished run lists no steps');
    },
  },
  {
    id: 'function-tools',
    title: 'function tools: requires_action, submit_tool_outputs (streamed), completed',
    async run(ctx) {
      const tool = {
        type: 'function',
        function: { name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      };
      const assistantId = await assistant(ctx, { tools: [tool] }, 'function tools');
      const threadId = await thread(ctx, "What's the weather in Paris? Use get_weather.");
      const first = await streamRun(ctx, `/threads/${threadId}/runs`, {
        assistant_id: assistantId,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      expect(first.run.status === 'requires_action', `the run ended ${first.run.status}, not requires_action`);
      const calls = first.run.required_action?.submit_tool_outputs.tool_calls ?? [];
      expect(calls.length > 0 && calls.every((toolCall) => toolCall.function.name === 'get_weather'), 'required_action names no get_weather call');
      for (const toolCall of calls) {
        try {
          JSON.parse(toolCall.function.arguments);
        } catch {
          throw new CheckFailure(`the call's arguments are not JSON: ${toolCall.function.arguments}`);
        }
      }
      const outputs = calls.map((toolCall) => ({ tool_call_id: toolCall.id, output: '{"temp":"22C"}' }));
      const second = await streamRun(ctx, `/threads/${threadId}/runs/${first.run.id}/submit_tool_outputs`, { tool_outputs: outputs });
      expect(second.run.status === 'completed', `after the outputs the run ended ${second.run.status}, not completed`);
    },
  },
  {
    id: 'code-interpreter',
    title: 'code interpreter: a code_interpreter call with logs, the result stated',
    async run(ctx) {
      const assistantId = await assistant(ctx, { tools: [{ type: 'code_interpreter' }] }, 'code interpreter');
      const threadId = await thread(ctx, 'What is 2**10 + 3*7? Compute it with code.');
      const streamed = await streamRun(ctx, `/threads/${threadId}/runs`, { assistant_id: assistantId });
      expect(streamed.run.status === 'completed', `the run ended ${streamed.run.status}, not completed`);
      const calls = streamed.steps.flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : []));
      const code = calls.find((toolCall) => toolCall.type === 'code_interpreter');
      expect(code !== undefined, 'no code_interpreter tool call was streamed');
      expect(code.type === 'code_interpreter' && code.code_interpreter.input.length > 0, 'the code_interpreter call has no input');
      const logs = code.code_interpreter.outputs.some((output) => output.type === 'logs' && output.logs.includes('1045'));
      expect(logs, 'the code_interpreter call has no logs with 1045');
      expect(streamed.messages.some((message) => messageText(message).includes('1045')), 'no message states 1045');
    },
  },
  {
    id: 'vector-stores',
    title: 'vector stores: upload a file, index it, file_counts and status completed',
    async run(ctx, shared) {
      shared.vectorStore = 'failed';
      const form = new FormData();
      form.append('purpose', 'assistants');
      form.append('file', new Blob([HANDBOOK], { type: 'text/markdown' }), 'handbook.md');
      const upload = await call(ctx, 'POST', '/files', form);
      if (upload.status === 404 || upload.status === 405) {
        shared.vectorStore = 'not offered';
        throw new NotOffered(`files: POST /files answered ${upload.status}`);
      }
      expect(upload.status === 200 && isRecord(upload.body) && typeof upload.body['id'] === 'string', `POST /files answered ${upload.status}: ${describe(upload.body)}`);
      const fileId = upload.body['id'] as string;
      let store: Record<string, unknown>;
      try {
        store = await createOrNotOffered(ctx, '/vector_stores', { name: 'conformance', file_ids: [fileId] }, 'vector stores');
      } catch (error) {
        if (error instanceof NotOffered) shared.vectorStore = 'not offered';
        throw error;
      }
      const storeId = String(store['id']);
      const end = await pollUntil(ctx, `/vector_stores/${storeId}`, (body) => body['status'] !== 'in_progress');
      expect(end.body['status'] === 'completed', `the vector store ended ${String(end.body['status'])}, not completed`);
      const counts = end.body['file_counts'] as Record<string, unknown> | undefined;
      expect(isRecord(counts) && counts['completed'] === 1 && counts['total'] === 1, `file_counts is ${describe(counts)}, not one completed of one`);
      const file = await ok(ctx, 'GET', `/vector_stores/${storeId}/files/${fileId}`);
      expect(file['status'] === 'completed', `the vector store file is ${String(file['status'])}`);
      shared.vectorStore = { id: storeId, fileId };
    },
  },
  {
    id: 'file-search',
    title: 'file search: the answer cites the file (file_citation annotation)',
    async run(ctx, shared) {
      if (shared.vectorStore === 'not offered' || shared.vectorStore === undefined) throw new NotOffered('file search needs vector stores, not offered');
      if (shared.vectorStore === 'failed') throw new CheckFailure('needs a processed vector store, and the vector-stores check failed');
      const { id, fileId } = shared.vectorStore;
      const assistantId = await assistant(ctx, { tools: [{ type: 'file_search' }], tool_resources: { file_search: { vector_store_ids: [id] } } }, 'file search');
      const threadId = await thread(ctx, 'What does the handbook say about refunds?');
      const streamed = await streamRun(ctx, `/threads/${threadId}/runs`, { assistant_id: assistantId });
      expect(streamed.run.status === 'completed', `the run ended ${streamed.run.status}, not completed`);
      const annotations = streamed.messages.flatMap((message) => message.content.flatMap((block) => (block.type === 'text' ? block.text.annotations : [])));
      const citation = annotations.find((annotation) => annotation.type === 'file_citation');
      expect(citation !== undefined, 'the answer has no file_citation annotation');
      expect(citation.type === 'file_citation' && citation.file_citation.file_id === fileId, 'the file_citation does not name the uploaded file');
    },
  },
  {
    id: 'cancel',
    title: 'cancel: a run in progress goes cancelling → cancelled',
    async run(ctx) {
      const assistantId = await assistant(ctx, {}, 'assistants');
      const threadId = await thread(ctx, `Please write a long story about ${'a very patient statechart '.repeat(8)}`);
      const run = await ok(ctx, 'POST', `/threads/${threadId}/runs`, { assistant_id: assistantId });
      const path = `/threads/${threadId}/runs/${String(run['id'])}`;
      const cancelled = await call(ctx, 'POST', `${path}/cancel`);
      if (cancelled.status !== 200) {
        expectEnvelope(cancelled.body, 'POST …/cancel');
        throw new CheckFailure(`POST …/cancel answered ${cancelled.status}: ${describe(cancelled.body)} (did the run end first?)`);
      }
      expect(isRecord(cancelled.body) && ['cancelling', 'cancelled'].includes(String(cancelled.body['status'])), `cancel answered status ${describe(isRecord(cancelled.body) ? cancelled.body['status'] : cancelled.body)}`);
      const end = await pollUntil(ctx, path, (body) => TERMINAL.has(String(body['status'])));
      if (end.body['status'] !== 'cancelled') ctx.warn(`the run ended ${String(end.body['status'])} after cancelling (allowed by the API)`);
      const again = await call(ctx, 'POST', `${path}/cancel`);
      expect(again.status === 400, `cancelling an ended run answered ${again.status}, not 400`);
      expectEnvelope(again.body, 'POST …/cancel of an ended run');
    },
  },
];
