// attachStream on a server without the run events endpoint: the stream is made by polling
// (retrieve, list steps and messages), opens with an event that says so, and drives the charts
// to the same finals as the live stream — a finished run, one still writing, a paused one.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, POLLED_ATTACH_EVENT, type AssistantStreamEvent, type Message } from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';
import { WEATHER_AND_TIME } from './helpers/assistantRun.ts';

const test = suite<{ server: AssistantsServer; slow: AssistantsServer }>('attachStream by polling');

test.before(async (context) => {
  context.server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5 });
  context.slow = await createServer({ pace: { deltaDelayMs: 15, stepDelayMs: 5 }, pollAfterMs: 5 });
});
test.after(async ({ server, slow }) => {
  await server.close();
  await slow.close();
});

/** A client whose server answers `status` for the run events endpoint, as one without it does. */
function clientWithoutEvents(url: string, status: 404 | 405 = 404, onRequest: (path: string) => void = () => {}): AssistantsClient {
  const fetchWithoutEvents: typeof fetch = async (input, init) => {
    const target = new URL(String(input));
    onRequest(target.pathname);
    if (/\/runs\/[^/]+\/events$/.test(target.pathname)) {
      const error = { message: `Invalid URL (GET ${target.pathname})`, type: 'invalid_request_error', param: null, code: null };
      return new Response(JSON.stringify({ error }), { status, headers: { 'content-type': 'application/json' } });
    }
    return fetch(input, init);
  };
  return new AssistantsClient({ baseURL: url, apiKey: 'k', maxRetries: 0, fetch: fetchWithoutEvents });
}

const textOf = (message: Message) => message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('');

test('a finished run: the notice first, then the lifecycle the live stream had, and the same finals', async ({ server }) => {
  const client = clientWithoutEvents(server.url);
  const assistant = await client.beta.assistants.create({ model: 'scripted' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 6 * 7?' }] });
  const live = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const liveNames: string[] = [];
  live.on('event', (event) => liveNames.push(event.event));
  const liveRun = await live.finalRun();

  const attached = client.beta.threads.runs.attachStream(thread.id, liveRun.id);
  const names: string[] = [];
  const events: AssistantStreamEvent[] = [];
  let text = '';
  attached.on('event', (event) => {
    names.push(event.event);
    events.push(event as AssistantStreamEvent);
  });
  attached.on('textDelta', (delta) => (text += delta.value ?? ''));
  const run = await attached.finalRun();
  assert.is(names[0], POLLED_ATTACH_EVENT);
  const notice = (events[0] as unknown as { data: Record<string, unknown> }).data;
  assert.is(notice['run_id'], liveRun.id);
  assert.is(notice['starting_after_ignored'], false);
  assert.match(String(notice['reason']), /answered 404: the server has no run events endpoint/);
  assert.equal(names.slice(1), liveNames.filter((name) => name !== 'thread.run.created' && name !== 'thread.run.queued' && name !== 'thread.message.delta').flatMap((name) =>
    // The polled stream carries a message's text as one delta (it was whole when polled).
    name === 'thread.message.in_progress' ? [name, 'thread.message.delta'] : [name],
  ));
  assert.is(run.status, 'completed');
  assert.equal(run, await client.beta.threads.runs.retrieve(liveRun.id, { thread_id: thread.id }));
  const [message] = await attached.finalMessages();
  assert.equal(message, (await live.finalMessages())[0]);
  assert.is(text, textOf(message!));
});

test('a run still writing: its text arrives as it grows between polls, and the stream ends with the run', async ({ slow }) => {
  const client = clientWithoutEvents(slow.url);
  const assistant = await client.beta.assistants.create({ model: 'scripted' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a story' }] });
  const live = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const runId = await new Promise<string>((resolve) => live.once('runStepCreated', (step) => resolve(step.run_id)));
  const attached = client.beta.threads.runs.attachStream(thread.id, runId, {}, { idleTimeoutMs: 10_000 });
  const deltas: string[] = [];
  attached.on('textDelta', (delta) => deltas.push(delta.value ?? ''));
  const run = await attached.finalRun(); // pollAfterMs 5: the server's hint paces the polls
  const [liveMessage] = await live.finalMessages();
  assert.is(run.status, 'completed');
  assert.ok(deltas.length > 1, `the text came in ${deltas.length} piece(s)`);
  assert.is(deltas.join(''), textOf(liveMessage!));
  assert.equal((await attached.finalMessages())[0], liveMessage);
});

test('a paused run: the stream ends at requires_action, its tool calls delivered; startingAfter is reported as not honoured', async ({ server }) => {
  const client = clientWithoutEvents(server.url, 405);
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: "What's the weather and the time in Paris?" }] });
  const paused = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 5 });
  assert.is(paused.status, 'requires_action');
  const attached = client.beta.threads.runs.attachStream(thread.id, paused.id, { startingAfter: 3 });
  let notice: Record<string, unknown> | undefined;
  attached.on('event', (event) => {
    if (event.event === POLLED_ATTACH_EVENT) notice = (event as unknown as { data: Record<string, unknown> }).data;
  });
  const created: string[] = [];
  attached.on('toolCallCreated', (call) => created.push(call.type === 'function' ? call.function.name : call.type));
  const run = await attached.finalRun();
  assert.is(run.status, 'requires_action');
  assert.equal(run.required_action, paused.required_action);
  assert.equal(created, ['get_weather', 'get_time']);
  assert.is(notice?.['starting_after_ignored'], true);
  assert.match(String(notice?.['reason']), /answered 405/);
});

test('a run that does not exist is still the 404 api-error, not a poll', async ({ server }) => {
  const client = clientWithoutEvents(server.url);
  const thread = await client.beta.threads.create();
  const error = await client.beta.threads.runs
    .attachStream(thread.id, 'run_missing')
    .done()
    .then(
      () => undefined,
      (thrown: { kind: string; status: number }) => thrown,
    );
  assert.equal([error?.kind, error?.status], ['api-error', 404]);
});

test('aborting a polled stream stops the polling', async ({ slow }) => {
  let polls = 0;
  const counting = clientWithoutEvents(slow.url, 404, (path) => {
    if (/\/runs\/[^/]+$/.test(path)) polls++;
  });
  const assistant = await counting.beta.assistants.create({ model: 'scripted' });
  const thread = await counting.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a story' }] });
  const live = counting.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const runId = await new Promise<string>((resolve) => live.once('runStepCreated', (step) => resolve(step.run_id)));
  const attached = counting.beta.threads.runs.attachStream(thread.id, runId);
  await new Promise<void>((resolve) => attached.once('textDelta', () => resolve()));
  attached.abort();
  await attached.done().catch(() => {});
  const afterAbort = polls;
  await live.done();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.is(polls, afterAbort, 'no retrieve after the abort');
  assert.is(attached.aborted, true);
});

test.run();
