import OpenAI from 'openai';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type AssistantsServer, type ModelProtocol } from '../src/server/index.ts';
import { startLoopback, type Loopback } from './helpers/loopback.ts';

// A model API that answers badly: each failure ends the run `failed` with a last_error that
// says what went wrong; what streamed before it stays readable.

const frame = (event: Record<string, unknown>) => `event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`;
const chunk = (delta: Record<string, unknown>) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
const message = { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] };

// What the bad backend sends, by the user's message.
const ANSWERS: Record<string, string> = {
  'not json': 'data: {"type": "response.created", oops\n\n',
  'cut short': [
    frame({ type: 'response.created', response: { id: 'resp_1' } }),
    frame({ type: 'response.output_item.added', output_index: 0, item: message }),
    frame({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, delta: 'Half an' }),
    frame({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, delta: ' answer' }),
  ].join(''),
  'failed event': [
    frame({ type: 'response.created', response: { id: 'resp_1' } }),
    frame({ type: 'response.failed', response: { id: 'resp_1', status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Too many tokens per minute' } } }),
  ].join(''),
  'bad index': [chunk({ role: 'assistant', content: '' }), chunk({ tool_calls: [{ index: 5, id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] }), 'data: [DONE]\n\n'].join(''),
  'error chunk': [chunk({ role: 'assistant', content: 'Partly' }), `data: ${JSON.stringify({ error: { message: 'The server had an error', code: 'server_error' } })}\n\n`].join(''),
};

let backend: Loopback;
const shims: AssistantsServer[] = [];

test.before(async () => {
  backend = await startLoopback((request, response) => {
    const body = JSON.parse(request.body) as { input?: Array<{ content: string }>; messages?: Array<{ content: string }> };
    const question = (body.input ?? body.messages ?? []).at(-1)?.content ?? '';
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(ANSWERS[question] ?? '');
  });
});

test.after(async () => {
  await Promise.all(shims.map((shim) => shim.close()));
  await backend.close();
});

async function runOn(protocol: ModelProtocol, question: string, baseURL = backend.url) {
  const shim = await createServer({ model: { baseURL, protocol, maxRetries: 1, retryBaseDelayMs: 1 }, pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5 });
  shims.push(shim);
  const openai = new OpenAI({ baseURL: shim.url, apiKey: 'client-key', maxRetries: 0 });
  const assistant = await openai.beta.assistants.create({ model: 'gpt-live' });
  const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: question }] } }, { pollIntervalMs: 5 });
  const messages = await openai.beta.threads.messages.list(run.thread_id, { order: 'asc' });
  return { run, messages: messages.data };
}

test('an event that is not JSON fails the run with server_error, naming the event', async () => {
  const { run } = await runOn('responses', 'not json');
  assert.is(run.status, 'failed');
  assert.equal(run.last_error, { code: 'server_error', message: 'The model API sent an event that is not JSON (message).' });
});

test('a stream cut in the middle of a message fails the run; the text so far stays, incomplete', async () => {
  const { run, messages } = await runOn('responses', 'cut short');
  assert.is(run.status, 'failed');
  assert.equal(run.last_error, { code: 'server_error', message: "The model API's stream ended in the middle of a message." });
  const answer = messages[1];
  assert.is(answer?.status, 'incomplete');
  assert.is(answer?.content[0]?.type === 'text' ? answer.content[0].text.value : '', 'Half an answer');
});

test('response.failed keeps the code the backend gave', async () => {
  const { run } = await runOn('responses', 'failed event');
  assert.is(run.status, 'failed');
  assert.equal(run.last_error, { code: 'rate_limit_exceeded', message: 'The model API failed the response: Too many tokens per minute' });
});

test('a tool call delta with an index out of range fails the run, saying which', async () => {
  const { run } = await runOn('chat', 'bad index');
  assert.is(run.status, 'failed');
  assert.equal(run.last_error, { code: 'server_error', message: 'The model API sent a tool call delta with index 5 after 0 calls.' });
});

test('an error chunk in the middle of a chat answer fails the run; the text so far stays', async () => {
  const { run, messages } = await runOn('chat', 'error chunk');
  assert.is(run.status, 'failed');
  assert.equal(run.last_error, { code: 'server_error', message: 'The model API reported an error: The server had an error' });
  assert.is(messages[1]?.content[0]?.type === 'text' ? messages[1].content[0].text.value : '', 'Partly');
});

test('an upstream nobody listens on fails the run after its retries, naming where', async () => {
  const closed = await startLoopback(() => undefined);
  const url = closed.url;
  await closed.close();
  const { run } = await runOn('chat', 'Hello', url);
  assert.is(run.status, 'failed');
  assert.is(run.last_error?.code, 'server_error');
  assert.match(run.last_error?.message ?? '', new RegExp(`^Could not reach the model API at ${url.replace(/[/.]/g, '\\$&')}: fetch failed`));
});

test.run();
