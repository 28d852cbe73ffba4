// The Restate adapter's pure parts, without a server (the Restate suite, `npm run test:restate`,
// runs the object on the real restate-server): the signal a pause's outputs travel on, errors as
// a journal records and replays them, the terminal errors a failed run ends its invocation with,
// and the Node 20 shim Restate's SDK needs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeadlineExceededError, RunNotStartedError, type AssistantRunToolOutput } from '../src/index.ts';
import { FAILURE_CODES, ReplayedStepError, toolOutputsSignal } from '../src/restate/index.ts';
import { recordError, terminalErrorOf } from '../src/restate/failures.ts';
import { ensurePromiseWithResolvers } from '../src/restate/node20.ts';
import { APIError } from '../src/client/errors.ts';

test('a pause is named by its calls, in any order, from the outputs or from the calls', () => {
  const outputs: AssistantRunToolOutput[] = [
    { tool_call_id: 'call_b', output: '1' },
    { tool_call_id: 'call_a', output: '2' },
  ];
  const fromOutputs = toolOutputsSignal(outputs);
  assert.is(fromOutputs, 'toolOutputs:call_a,call_b');
  assert.is(toolOutputsSignal([{ id: 'call_a' }, { id: 'call_b' }]), fromOutputs);
});

test('a recorded error keeps its name, message, kind and status, and replays as a ReplayedStepError', () => {
  const error = APIError.generate(409, { error: { message: 'busy' } }, undefined, new Headers());
  const recorded = recordError(error);
  assert.equal(JSON.parse(JSON.stringify(recorded)), recorded, 'plain JSON');
  assert.is(recorded.status, 409);
  const replayed = new ReplayedStepError(recorded);
  assert.equal([replayed.name, replayed.message, replayed.kind, replayed.status], [recorded.name, recorded.message, recorded.kind, 409]);
  assert.equal(recordError('plain'), { name: 'Error', message: 'plain' });
});

test('a failed run ends its invocation with 408 (deadline), 409 (never started) or 500, saying why', () => {
  const deadline = terminalErrorOf(new DeadlineExceededError(0, undefined, 'the run on thread t'), 'thread t');
  assert.equal([deadline.code, deadline.message.startsWith('deadline-exceeded: the run on thread t')], [FAILURE_CODES.deadline, true]);
  const notStarted = terminalErrorOf(new RunNotStartedError('cancel', 't'), 't');
  assert.equal([notStarted.code, notStarted.message.startsWith('run-not-started: ')], [FAILURE_CODES.notStarted, true]);
  const other = terminalErrorOf(new Error('gone'), 't');
  assert.equal([other.code, other.message], [FAILURE_CODES.error, 'the run on t failed: Error: gone']);
});

test('Promise.withResolvers is installed when missing (Node 20), and left alone when present', async () => {
  const original = (Promise as { withResolvers?: unknown }).withResolvers;
  try {
    delete (Promise as { withResolvers?: unknown }).withResolvers;
    ensurePromiseWithResolvers();
    const { promise, resolve } = (Promise as unknown as { withResolvers: <T>() => { promise: Promise<T>; resolve: (value: T) => void } }).withResolvers<number>();
    resolve(7);
    assert.is(await promise, 7);
    const mine = () => undefined;
    Object.defineProperty(Promise, 'withResolvers', { value: mine, configurable: true, writable: true });
    ensurePromiseWithResolvers();
    assert.is((Promise as { withResolvers?: unknown }).withResolvers, mine);
  } finally {
    if (original === undefined) delete (Promise as { withResolvers?: unknown }).withResolvers;
    else Object.defineProperty(Promise, 'withResolvers', { value: original, configurable: true, writable: true });
  }
});

test.run();
