import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, SimulatedClock } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import {
  nextPollDelayMs,
  pollMachine,
  providePollIO,
  type PollFetchInput,
  type PollFetchOutput,
  type PollInput,
  type PollOutput,
} from '../machines/index.ts';

// Each test drives the machine on XState's SimulatedClock: the retrieve is an in-test fake that
// answers from a script and records the simulated time it was called at.

interface Answer {
  status?: unknown;
  pollAfterMs?: string;
  fail?: Error;
}

function scriptedPoll(clock: SimulatedClock, answers: Answer[]) {
  const calls: Array<{ at: number; input: PollFetchInput; aborted: () => boolean }> = [];
  const retrieve = async (input: PollFetchInput, signal: AbortSignal): Promise<PollFetchOutput> => {
    calls.push({ at: clock.now(), input, aborted: () => signal.aborted });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    if (answer.fail) throw answer.fail;
    return { object: { id: 'run_1', status: answer.status, n: calls.length }, pollAfterMs: answer.pollAfterMs ?? null, receivedAt: clock.now() };
  };
  const machine = providePollIO(retrieve, clock);
  return { machine, calls };
}

/** A retrieve that never answers, and the signal it was last given (to see it aborted). */
function neverAnswers() {
  let given: AbortSignal | undefined;
  const retrieve = (_: PollFetchInput, signal: AbortSignal) => {
    given = signal;
    return new Promise<PollFetchOutput>(() => {});
  };
  return { retrieve, signal: () => given };
}

const runTarget = { resource: 'run', threadId: 'thread_1', runId: 'run_1' } as const;

/** Lets resolved promise actors report back (a macrotask: no simulated time passes). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function advance(clock: SimulatedClock, ms: number) {
  clock.increment(ms);
  await settle();
}

function start(machine: ReturnType<typeof scriptedPoll>['machine'], clock: SimulatedClock, input: Partial<PollInput> = {}) {
  const actor = createActor(machine, { clock, input: { target: runTarget, ...input } });
  actor.start();
  return actor;
}

test('queued → in_progress → completed: retrieves every pollIntervalMs, ends done with the final object', async () => {
  const clock = new SimulatedClock();
  const { machine, calls } = scriptedPoll(clock, [{ status: 'queued' }, { status: 'in_progress' }, { status: 'completed' }]);
  const actor = start(machine, clock, { pollIntervalMs: 1000 });
  await settle();
  assert.equal(actor.getSnapshot().value, { polling: 'waiting' });
  await advance(clock, 999);
  assert.is(calls.length, 1);
  await advance(clock, 1);
  assert.is(calls.length, 2);
  await advance(clock, 1000);
  assert.equal(calls.map((call) => call.at), [0, 1000, 2000]);
  assert.is(actor.getSnapshot().value, 'done');
  assert.equal(actor.getSnapshot().output, { outcome: 'done', object: { id: 'run_1', status: 'completed', n: 3 } } satisfies PollOutput);
  assert.equal(calls[0]!.input, { target: runTarget, pollIntervalMs: 1000 });
});

test('without pollIntervalMs the openai-poll-after-ms header sets the wait, else 5 s', async () => {
  const clock = new SimulatedClock();
  const { machine, calls } = scriptedPoll(clock, [{ status: 'in_progress', pollAfterMs: '250' }, { status: 'in_progress' }, { status: 'completed' }]);
  const actor = start(machine, clock);
  await settle();
  await advance(clock, 250);
  await advance(clock, 4999);
  assert.is(calls.length, 2);
  await advance(clock, 1);
  assert.equal(calls.map((call) => call.at), [0, 250, 5250]);
  assert.is(actor.getSnapshot().value, 'done');
});

test('pollIntervalMs 0 overrides the header and retrieves again at once', async () => {
  const clock = new SimulatedClock();
  const { machine, calls } = scriptedPoll(clock, [{ status: 'queued', pollAfterMs: '9000' }, { status: 'in_progress' }, { status: 'requires_action' }]);
  const actor = start(machine, clock, { pollIntervalMs: 0 });
  for (let i = 0; i < 4; i++) await advance(clock, 0);
  assert.equal(calls.map((call) => call.at), [0, 0, 0]);
  assert.is(actor.getSnapshot().value, 'done', 'requires_action ends a run poll');
});

test('nextPollDelayMs: custom interval, else the header as a decimal integer, else 5000', () => {
  assert.is(nextPollDelayMs(0, '100'), 0);
  assert.is(nextPollDelayMs(null, '12ms'), 12);
  assert.is(nextPollDelayMs(null, '0'), 0);
  assert.is(nextPollDelayMs(null, 'soon'), 5000);
  assert.is(nextPollDelayMs(null, ''), 5000);
  assert.is(nextPollDelayMs(null, null), 5000);
});

test('an unknown status is retrieved again at once, 3 times, then the poll fails with unknown-status', async () => {
  const clock = new SimulatedClock();
  const { machine, calls } = scriptedPoll(clock, [{ status: 'thinking' }]);
  const actor = start(machine, clock, { pollIntervalMs: 1000 });
  for (let i = 0; i < 6; i++) await settle();
  assert.equal(calls.map((call) => call.at), [0, 0, 0, 0]);
  assert.is(actor.getSnapshot().value, 'failed');
  const output = actor.getSnapshot().output as Extract<PollOutput, { outcome: 'failed' }>;
  assert.equal(output.failure, { reason: 'unknown-status', status: 'thinking', attempts: 4 });
  assert.equal(output.lastObject, { id: 'run_1', status: 'thinking', n: 4 });
});

test('a known status resets the unknown-status count', async () => {
  const clock = new SimulatedClock();
  const { machine, calls } = scriptedPoll(clock, [
    { status: 'new' }, { status: 'new' }, { status: 'new' }, { status: 'queued' },
    { status: 'new' }, { status: 'new' }, { status: 'new' }, { status: 'completed' },
  ]);
  const actor = start(machine, clock, { pollIntervalMs: 10 });
  for (let i = 0; i < 6; i++) await settle();
  await advance(clock, 10);
  for (let i = 0; i < 6; i++) await settle();
  assert.is(calls.length, 8);
  assert.is(actor.getSnapshot().value, 'done');
});

test('a missing status counts as unknown', async () => {
  const clock = new SimulatedClock();
  const { machine } = scriptedPoll(clock, [{}]);
  const actor = start(machine, clock, { maxUnknownStatusRefetches: 0 });
  await settle();
  const output = actor.getSnapshot().output as Extract<PollOutput, { outcome: 'failed' }>;
  assert.equal(output.failure, { reason: 'unknown-status', status: undefined, attempts: 1 });
});

test('a failed retrieve ends the poll with that very error', async () => {
  const clock = new SimulatedClock();
  const boom = new Error('boom');
  const { machine } = scriptedPoll(clock, [{ status: 'queued' }, { fail: boom }]);
  const actor = start(machine, clock, { pollIntervalMs: 100 });
  await settle();
  await advance(clock, 100);
  const output = actor.getSnapshot().output as Extract<PollOutput, { outcome: 'failed' }>;
  assert.is(output.failure.reason, 'fetch-failed');
  assert.is((output.failure as { error: unknown }).error, boom);
  assert.equal(output.lastObject, { id: 'run_1', status: 'queued', n: 1 });
});

test('a retrieve that throws instead of rejecting fails the poll with that error', async () => {
  const clock = new SimulatedClock();
  const boom = new Error('thrown at once');
  const machine = providePollIO(() => {
    throw boom;
  }, clock);
  const actor = start(machine, clock);
  await settle();
  const output = actor.getSnapshot().output as Extract<PollOutput, { outcome: 'failed' }>;
  assert.equal(output.failure, { reason: 'fetch-failed', error: boom });
});

test('the deadline ends a poll that never finishes, in the middle of a wait, with the last object', async () => {
  const clock = new SimulatedClock();
  const { machine, calls } = scriptedPoll(clock, [{ status: 'in_progress' }]);
  const actor = start(machine, clock, { pollIntervalMs: 5000, deadlineAt: 12_000 });
  await settle();
  for (let t = 0; t < 12_000; t += 1000) await advance(clock, 1000);
  assert.equal(calls.map((call) => call.at), [0, 5000, 10_000]);
  assert.is(actor.getSnapshot().value, 'failed');
  const output = actor.getSnapshot().output as Extract<PollOutput, { outcome: 'failed' }>;
  assert.equal(output.failure, { reason: 'deadline-exceeded', deadlineAt: 12_000 });
  assert.equal(output.lastObject, { id: 'run_1', status: 'in_progress', n: 3 });
  await advance(clock, 60_000);
  assert.is(calls.length, 3, 'nothing runs after the end');
});

test('the deadline aborts a retrieve in flight', async () => {
  const clock = new SimulatedClock();
  const { retrieve, signal: signalOf } = neverAnswers();
  const machine = providePollIO(retrieve, clock);
  const actor = start(machine, clock, { deadlineAt: 3000 });
  await advance(clock, 3000);
  assert.is(actor.getSnapshot().value, 'failed');
  assert.ok(signalOf()?.aborted, 'the retrieve was told to stop');
});

test('abort during a wait ends the poll at once and clears its timers', async () => {
  const clock = new SimulatedClock();
  const { machine, calls } = scriptedPoll(clock, [{ status: 'queued' }]);
  const actor = start(machine, clock, { pollIntervalMs: 5000, deadlineAt: 60_000 });
  await settle();
  actor.send({ type: 'abort', reason: 'user left' });
  assert.is(actor.getSnapshot().value, 'failed');
  assert.equal((actor.getSnapshot().output as Extract<PollOutput, { outcome: 'failed' }>).failure, { reason: 'aborted', cause: 'user left' });
  assert.is((clock as unknown as { timeouts: Map<number, unknown> }).timeouts.size, 0, 'no timer left armed');
  await advance(clock, 120_000);
  assert.is(calls.length, 1);
});

test('a persisted snapshot, restored into a new actor, wakes at the original time and finishes', async () => {
  const clock = new SimulatedClock();
  const first = scriptedPoll(clock, [{ status: 'in_progress' }]);
  const actor = start(first.machine, clock, { pollIntervalMs: 3000, deadlineAt: 100_000 });
  await settle();
  await advance(clock, 1000);
  const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
  actor.stop();
  assert.is(persisted.context.wakeAt, 3000);

  const second = scriptedPoll(clock, [{ status: 'completed' }]);
  // XState's types ask for `input` whenever a machine declares one; a snapshot overrides it.
  const restored = createActor(second.machine, { clock, snapshot: persisted, input: { target: runTarget } });
  restored.start();
  await settle();
  assert.equal(restored.getSnapshot().value, { polling: 'waiting' });
  await advance(clock, 1999);
  assert.is(second.calls.length, 0);
  await advance(clock, 1);
  assert.equal(second.calls.map((call) => call.at), [3000]);
  assert.is(restored.getSnapshot().value, 'done');
  assert.equal((restored.getSnapshot().output as PollOutput & { outcome: 'done' }).object, { id: 'run_1', status: 'completed', n: 1 });
});

test('the status sets per resource: a vector store file stops on cancelled, keeps polling on in_progress', async () => {
  const clock = new SimulatedClock();
  const { machine, calls } = scriptedPoll(clock, [{ status: 'in_progress' }, { status: 'cancelled' }]);
  const actor = createActor(machine, { clock, input: { target: { resource: 'vectorStoreFile', vectorStoreId: 'vs_1', fileId: 'file-1' }, pollIntervalMs: 10 } });
  actor.start();
  await settle();
  await advance(clock, 10);
  assert.is(calls.length, 2);
  assert.is(actor.getSnapshot().value, 'done');
});

test('a run status of the file sets (queued is not a file status) is unknown for a file poll', async () => {
  const clock = new SimulatedClock();
  const { machine } = scriptedPoll(clock, [{ status: 'queued' }]);
  const actor = createActor(machine, {
    clock,
    input: { target: { resource: 'vectorStoreFileBatch', vectorStoreId: 'vs_1', batchId: 'vsfb_1' }, maxUnknownStatusRefetches: 1 },
  });
  actor.start();
  for (let i = 0; i < 4; i++) await settle();
  assert.equal((actor.getSnapshot().output as Extract<PollOutput, { outcome: 'failed' }>).failure, { reason: 'unknown-status', status: 'queued', attempts: 2 });
});

test('a poll is one actor for its whole life, however many retrieves and waits it makes', async () => {
  const clock = new SimulatedClock();
  const { machine, calls } = scriptedPoll(clock, [{ status: 'queued' }, { status: 'in_progress' }, { status: 'in_progress' }, { status: 'completed' }]);
  const created: string[] = [];
  const actor = createActor(machine, {
    clock,
    input: { target: runTarget, pollIntervalMs: 10 },
    inspect: (event) => {
      if (event.type === '@xstate.actor') created.push((event.actorRef as { id?: string }).id ?? '?');
    },
  });
  actor.start();
  await settle();
  for (let i = 0; i < 3; i++) await advance(clock, 10);
  assert.is(calls.length, 4);
  assert.is(actor.getSnapshot().value, 'done');
  assert.is(created.length, 1, `actors created: ${created.join(', ')}`);
});

test('an answer that comes after the poll left fetching is not reported', async () => {
  const clock = new SimulatedClock();
  let answer: ((output: PollFetchOutput) => void) | undefined;
  const retrieve = () => new Promise<PollFetchOutput>((resolve) => (answer = resolve));
  const events: string[] = [];
  const actor = createActor(providePollIO(retrieve, clock), {
    clock,
    input: { target: runTarget, deadlineAt: 100 },
    inspect: (event) => {
      if (event.type === '@xstate.event' && event.actorRef === actor) events.push(event.event.type);
    },
  });
  actor.start();
  await advance(clock, 100);
  assert.is(actor.getSnapshot().value, 'failed');
  answer!({ object: { status: 'completed' }, pollAfterMs: null, receivedAt: 100 });
  await settle();
  assert.equal(events, ['xstate.init', 'deadlineReached']);
  assert.equal((actor.getSnapshot().output as Extract<PollOutput, { outcome: 'failed' }>).failure, { reason: 'deadline-exceeded', deadlineAt: 100 });
});

test('stopping a poll actor aborts its retrieve in flight and clears its timers', async () => {
  const clock = new SimulatedClock();
  const { retrieve, signal: signalOf } = neverAnswers();
  const actor = start(providePollIO(retrieve, clock), clock, { deadlineAt: 60_000 });
  await settle();
  actor.stop();
  assert.ok(signalOf()?.aborted, 'the retrieve was told to stop');
  assert.is((clock as unknown as { timeouts: Map<number, unknown> }).timeouts.size, 0, 'no timer left armed');
});

test('a snapshot persisted mid-retrieve retrieves again when restored, with its deadline', async () => {
  const clock = new SimulatedClock();
  const first = scriptedPoll(clock, [{ status: 'in_progress' }]);
  let hang: ((output: PollFetchOutput) => void) | undefined;
  const hanging = providePollIO(() => new Promise<PollFetchOutput>((resolve) => (hang = resolve)), clock);
  const actor = start(hanging, clock, { pollIntervalMs: 1000, deadlineAt: 5000 });
  await settle();
  assert.ok(hang !== undefined);
  const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
  actor.stop();
  assert.equal(persisted.value, { polling: 'fetching' });
  const restored = createActor(first.machine, { clock, snapshot: persisted, input: { target: runTarget } });
  restored.start();
  await settle();
  assert.is(first.calls.length, 1, 'the restored poll retrieved again at once');
  for (let t = 0; t < 5000; t += 1000) await advance(clock, 1000);
  assert.equal((restored.getSnapshot().output as Extract<PollOutput, { outcome: 'failed' }>).failure, { reason: 'deadline-exceeded', deadlineAt: 5000 });
});

test('the machine without I/O provided fails at once, saying what to provide', () => {
  const actor = createActor(pollMachine, { input: { target: runTarget } });
  let error: unknown;
  actor.subscribe({ error: (thrown) => (error = thrown) });
  actor.start();
  assert.match(String(error), 'providePollIO');
});

test('the statechart, as xstate/graph draws it: every transition of the documented sketch, no other', () => {
  const edges = (node: DirectedGraphNode): string[] => [
    ...node.edges.map((edge) => `${edge.source.id} --${edge.label.text}--> ${edge.target.id}`),
    ...node.children.flatMap(edges),
  ];
  assert.equal(edges(toDirectedGraph(pollMachine)), [
    'poll.polling --abort--> poll.failed',
    'poll.polling --deadlineReached--> poll.failed',
    'poll.polling.fetching --retrieved--> poll.done',
    'poll.polling.fetching --retrieved--> poll.polling.waiting',
    'poll.polling.fetching --retrieved--> poll.polling.fetching',
    'poll.polling.fetching --retrieved--> poll.failed',
    'poll.polling.fetching --retrieveFailed--> poll.failed',
    'poll.polling.waiting --woke--> poll.polling.fetching',
  ]);
});

test.run();
