// Tolerant by default, strict on request: a backend that skips an intermediate status is
// accepted unless `lifecycle: 'strict'`; impossible orders fail in both modes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, AssistantsClient, InvalidArgumentError, type AssistantStreamError, type LifecycleMode } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep, textSource, toNDJSON, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

const run = (status: Parameters<typeof makeRun>[0] extends infer P ? P extends { status?: infer S } ? S : never : never) => makeRun({ status });
const hello = [{ type: 'text' as const, text: { value: 'Hello', annotations: [] } }];

/** Streams a backend may send that skip a status the charts draw. */
const SKIPS: Record<string, ScriptedEvent[]> = {
  'a run going queued → completed': [
    { event: 'thread.run.created', data: run('queued') },
    { event: 'thread.run.completed', data: run('completed') },
  ],
  'a run going queued → requires_action': [
    { event: 'thread.run.created', data: run('queued') },
    { event: 'thread.run.requires_action', data: run('requires_action') },
  ],
  'a resumed run going requires_action → completed': [
    { event: 'thread.run.requires_action', data: run('requires_action') },
    { event: 'thread.run.completed', data: run('completed') },
  ],
  'a run created already in_progress': [
    { event: 'thread.run.created', data: run('in_progress') },
    { event: 'thread.run.completed', data: run('completed') },
  ],
  'a step created already completed': [
    { event: 'thread.run.created', data: run('queued') },
    { event: 'thread.run.in_progress', data: run('in_progress') },
    { event: 'thread.run.step.created', data: makeRunStep({ status: 'completed' }) },
    { event: 'thread.run.completed', data: run('completed') },
  ],
  'a message created already completed': [
    { event: 'thread.run.created', data: run('queued') },
    { event: 'thread.run.in_progress', data: run('in_progress') },
    { event: 'thread.message.created', data: makeMessage({ status: 'completed', content: hello }) },
    { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: hello }) },
    { event: 'thread.run.completed', data: run('completed') },
  ],
};

/** The 1-based number of the event that skips, per stream above. */
const SKIPPED_AT: Record<string, number> = {
  'a run going queued → completed': 2,
  'a run going queued → requires_action': 2,
  'a resumed run going requires_action → completed': 2,
  'a run created already in_progress': 1,
  'a step created already completed': 3,
  'a message created already completed': 3,
};

/** Orders no backend may send, in either mode. */
const IMPOSSIBLE: Record<string, { events: ScriptedEvent[]; kind: string }> = {
  'a delta for a message never created': {
    events: [
      { event: 'thread.run.created', data: run('queued') },
      { event: 'thread.message.delta', data: { id: 'msg_ghost', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: 'x' } }] } } },
    ],
    kind: 'unknown-id',
  },
  'a run event after a terminal one': {
    events: [
      { event: 'thread.run.in_progress', data: run('in_progress') },
      { event: 'thread.run.completed', data: run('completed') },
      { event: 'thread.run.failed', data: run('failed') },
    ],
    kind: 'lifecycle',
  },
  'a run going back from completed': {
    events: [
      { event: 'thread.run.in_progress', data: run('in_progress') },
      { event: 'thread.run.completed', data: run('completed') },
      { event: 'thread.run.in_progress', data: run('in_progress') },
    ],
    kind: 'lifecycle',
  },
  'a message event after it completed': {
    events: [
      { event: 'thread.run.in_progress', data: run('in_progress') },
      { event: 'thread.message.created', data: makeMessage() },
      { event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: hello }) },
      { event: 'thread.message.in_progress', data: makeMessage() },
    ],
    kind: 'lifecycle',
  },
  'a run going back from in_progress to queued': {
    events: [
      { event: 'thread.run.in_progress', data: run('in_progress') },
      { event: 'thread.run.queued', data: run('queued') },
    ],
    kind: 'lifecycle',
  },
};

async function outcome(events: ScriptedEvent[], lifecycle?: LifecycleMode): Promise<AssistantStreamError | undefined> {
  const stream = AssistantStream.fromSSE(textSource(toSSE(events)), lifecycle === undefined ? {} : { lifecycle });
  return stream.done().then(
    () => undefined,
    (error: unknown) => error as AssistantStreamError,
  );
}

for (const [name, events] of Object.entries(SKIPS)) {
  test(`tolerant by default: ${name} is accepted`, async () => {
    const error = await outcome(events);
    assert.is(error, undefined, error?.message);
    assert.is(await outcome(events, 'tolerant'), undefined);
  });
  test(`strict: ${name} fails as a lifecycle error at the skipping event`, async () => {
    const error = await outcome(events, 'strict');
    assert.is(error?.kind, 'lifecycle', name);
    assert.is(error?.eventIndex, SKIPPED_AT[name], name);
  });
}

for (const [name, { events, kind }] of Object.entries(IMPOSSIBLE)) {
  for (const lifecycle of ['tolerant', 'strict'] as const) {
    test(`${lifecycle}: ${name} fails with a typed ${kind} error`, async () => {
      const error = await outcome(events, lifecycle);
      assert.is(error?.kind, kind);
      assert.is(error?.eventIndex, events.length);
    });
  }
}

test('a step created already completed keeps its payload in the finals (tolerant)', async () => {
  const stream = AssistantStream.fromSSE(textSource(toSSE(SKIPS['a step created already completed']!)));
  const created: string[] = [];
  stream.on('runStepCreated', (step) => created.push(step.status));
  assert.equal((await stream.finalRunSteps()).map((step) => step.status), ['completed']);
  assert.equal(created, ['completed']);
});

test('fromReadableStream takes the same option', async () => {
  const ndjson = toNDJSON(SKIPS['a run going queued → completed']!);
  assert.is((await AssistantStream.fromReadableStream(textSource(ndjson)).finalRun()).status, 'completed');
  const error = await AssistantStream.fromReadableStream(textSource(ndjson), { lifecycle: 'strict' })
    .done()
    .catch((thrown: AssistantStreamError) => thrown);
  assert.is(error?.kind, 'lifecycle');
});

test('an unknown lifecycle mode is refused with a clear error', () => {
  assert.throws(() => AssistantStream.fromSSE(textSource(''), { lifecycle: 'lenient' as LifecycleMode }), /lifecycle must be 'tolerant' or 'strict'/);
  assert.throws(
    () => new AssistantsClient({ apiKey: 'k', lifecycle: 'lenient' as LifecycleMode }),
    (error: unknown) => error instanceof InvalidArgumentError && error.argument === 'lifecycle',
  );
});

test("the client's lifecycle option reaches its stream helpers; a call may override it", async () => {
  const body = toSSE(SKIPS['a run going queued → completed']!);
  const fetch = async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  const strict = new AssistantsClient({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', fetch, lifecycle: 'strict', maxRetries: 0 });
  assert.is(strict.lifecycle, 'strict');
  const failed = await strict.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }).done().catch((error: AssistantStreamError) => error);
  assert.is(failed?.kind, 'lifecycle');
  const overridden = strict.beta.threads.runs.stream('thread_1', { assistant_id: 'asst_1' }, { lifecycle: 'tolerant' });
  assert.is((await overridden.finalRun()).status, 'completed');
  const tolerant = new AssistantsClient({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', fetch, maxRetries: 0 });
  assert.is((await tolerant.beta.threads.createAndRunStream({ assistant_id: 'asst_1' }).finalRun()).status, 'completed');
});

test.run();
