// runs.attachStream against a backend without the run events extension (it answers 404 or
// 405): the stream is rebuilt from polling, says so in its first event, and drives the
// statecharts to the same final state as the live stream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ATTACH_FALLBACK_EVENT, AssistantsClient, type AttachFallbackData } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';

/** A fetch to the embedded server that, like a backend without the extension, answers `status` to `…/events`. */
function withoutEventsEndpoint(status: number): { fetch: typeof fetch; eventRequests: () => number } {
  let eventRequests = 0;
  return {
    eventRequests: () => eventRequests,
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.endsWith('/events')) {
        eventRequests++;
        return new Response(JSON.stringify({ error: { message: 'Invalid URL', type: 'invalid_request_error', param: null, code: null } }), {
          status,
          headers: { 'content-type': 'application/json' },
        });
      }
      return fetch(input, init);
    },
  };
}

for (const status of [404, 405]) {
  test(`a finished run, server answering ${status}: the marker, then the run as a stream would tell it`, async () => {
    const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
    try {
      const direct = new AssistantsClient({ baseURL: server.url, apiKey: 'k' });
      const assistant = await direct.beta.assistants.create({ model: 'scripted' });
      const thread = await direct.beta.threads.create({ messages: [{ role: 'user', content: 'Hello there' }] });
      const live = direct.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      await live.done();
      const runId = live.currentRun()!.id;
      const liveText = (await live.finalMessages())[0]!.content[0]!;

      const backend = withoutEventsEndpoint(status);
      const client = new AssistantsClient({ baseURL: server.url, apiKey: 'k', fetch: backend.fetch });
      const attached = client.beta.threads.runs.attachStream(thread.id, runId, {}, { lifecycle: 'strict' });
      const names: string[] = [];
      let marker: AttachFallbackData | undefined;
      attached.on('event', (event) => {
        names.push(event.event);
        if (event.event === ATTACH_FALLBACK_EVENT) marker = event.data as AttachFallbackData;
      });
      let text = '';
      attached.on('textDelta', (delta) => (text += delta.value ?? ''));
      const run = await attached.finalRun();

      assert.is(backend.eventRequests(), 1);
      assert.is(names[0], ATTACH_FALLBACK_EVENT, 'the first event says the stream is rebuilt');
      assert.equal([marker?.status, marker?.run_id, marker?.thread_id], [status, runId, thread.id]);
      assert.is(run.status, 'completed');
      assert.equal(names.slice(1, 3), ['thread.run.created', 'thread.run.in_progress']);
      assert.is(names.at(-1), 'thread.run.completed');
      const messages = await attached.finalMessages();
      assert.equal(messages[0]!.content[0], liveText, 'the final message is the server’s');
      assert.is(text, liveText.type === 'text' ? liveText.text.value : '', 'the text reached textDelta listeners');
      assert.ok(names.indexOf('thread.message.created') > names.indexOf('thread.run.step.created'), 'the message comes inside its step');
      assert.ok(names.indexOf('thread.message.completed') < names.lastIndexOf('thread.run.step.completed'));
    } finally {
      await server.close();
    }
  });
}

test('a run still going: the fallback polls until it ends, and tells the text as it grows', async () => {
  // Paced: the run takes a while, so more than one poll sees it in progress.
  const server = await createServer({ pace: { deltaDelayMs: 15, stepDelayMs: 30 } });
  try {
    const direct = new AssistantsClient({ baseURL: server.url, apiKey: 'k' });
    const assistant = await direct.beta.assistants.create({ model: 'scripted' });
    const thread = await direct.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me about the weather in a few words please' }] });
    const run = await direct.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });

    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'k', fetch: withoutEventsEndpoint(404).fetch });
    const attached = client.beta.threads.runs.attachStream(thread.id, run.id, { pollIntervalMs: 20 });
    const deltas: string[] = [];
    attached.on('textDelta', (delta) => deltas.push(delta.value ?? ''));
    const finalRun = await attached.finalRun();
    assert.is(finalRun.status, 'completed');
    const message = (await attached.finalMessages())[0]!;
    const value = message.content[0]!.type === 'text' ? message.content[0]!.text.value : '';
    assert.is(deltas.join(''), value, 'the pieces add up to the final text, nothing lost or twice');
    assert.ok(deltas.length > 1, `the text came in more than one poll (${deltas.length})`);
  } finally {
    await server.close();
  }
});

test('fallback: false, or a run that does not exist: the endpoint’s answer, as before', async () => {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'k', fetch: withoutEventsEndpoint(404).fetch });
    const thread = await client.beta.threads.create();
    const failure = (stream: { done(): Promise<unknown> }) =>
      stream.done().then(
        () => undefined,
        (thrown: { kind: string; status: number }) => [thrown.kind, thrown.status],
      );
    assert.equal(await failure(client.beta.threads.runs.attachStream(thread.id, 'run_missing')), ['api-error', 404]);
    const direct = new AssistantsClient({ baseURL: server.url, apiKey: 'k' });
    const assistant = await direct.beta.assistants.create({ model: 'scripted' });
    const run = await direct.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 10 });
    assert.equal(await failure(client.beta.threads.runs.attachStream(thread.id, run.id, { fallback: false })), ['api-error', 404]);
  } finally {
    await server.close();
  }
});

test.run();
