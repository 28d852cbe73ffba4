// Re-attaching to a run's stream (an extension of the embedded server: the run's event log as
// SSE, each frame with its position as the SSE id): a stream that dropped picks up exactly
// where it stopped, nothing lost and nothing twice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';

test('attachStream from the last event id seen: the rest of the run, nothing lost, nothing twice', async () => {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'k' });
    const assistant = await client.beta.assistants.create({ model: 'scripted' });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 6 * 7?' }] });

    const whole: string[] = [];
    const full = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    full.on('event', (event) => whole.push(event.event));
    await full.done();
    const runId = full.currentRun()!.id;

    // A reader that "dropped" after the 5th event.
    const first: string[] = [];
    const partial = client.beta.threads.runs.attachStream(thread.id, runId);
    partial.on('event', (event) => {
      first.push(event.event);
      if (first.length === 5) partial.abort();
    });
    await partial.done().catch(() => {});
    const lastEventId = partial.lastEventId;
    assert.is(lastEventId, '4', 'ids are the positions in the run log, from 0');

    const rest: string[] = [];
    const resumed = client.beta.threads.runs.attachStream(thread.id, runId, { startingAfter: Number(lastEventId) });
    resumed.on('event', (event) => rest.push(event.event));
    // The resumed stream starts mid-run: its run actor joins at whatever status comes next.
    await resumed.done();
    assert.equal([...first, ...rest], whole);
    assert.is((await resumed.finalRun()).status, 'completed');
  } finally {
    await server.close();
  }
});

test('attachStream to an unknown run is a 404 api-error', async () => {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'k' });
    const thread = await client.beta.threads.create();
    const error = await client.beta.threads.runs
      .attachStream(thread.id, 'run_missing')
      .done()
      .then(
        () => undefined,
        (thrown: { kind: string; status: number }) => thrown,
      );
    assert.equal([error?.kind, error?.status], ['api-error', 404]);
  } finally {
    await server.close();
  }
});

test.run();
