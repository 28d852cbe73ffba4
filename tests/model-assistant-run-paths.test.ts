// Model-based testing of the workflow chart (machines/assistantRun.ts): paths from the start (a
// new run or an attach, with or without tools) to `done` or `failed`, each played through the
// real createAssistantRun logic whose actors the path resolves, end where the chart predicts:
// done with the run's status and the listed messages, or failed with the failure's typed error.
// By default a sample that takes every chart transition; MBT=full (`npm run test:mbt`) plays
// every path and prints the count and time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeadlineExceededError } from '../src/client/errors.ts';
import {
  ASSISTANT_RUN_PATH_ERRORS,
  ASSISTANT_RUN_PATH_MESSAGES,
  assistantRunPaths,
  playAssistantRunPath,
  sampleAssistantRunPaths,
  type AssistantRunPath,
} from '../src/testing/index.ts';
import { RunNotStartedError } from '../src/workflow/errors.ts';

const FULL = process.env['MBT'] === 'full';
const paths = assistantRunPaths();
const injected: readonly unknown[] = Object.values(ASSISTANT_RUN_PATH_ERRORS);

async function check(path: AssistantRunPath): Promise<void> {
  const where = `${path.input}${path.tools ? ' with tools' : ''}: ${path.description}`;
  const played = await playAssistantRunPath(path);
  const { outcome } = path;
  if (outcome.ending === 'done') {
    assert.is(played.ending, 'done', where);
    if (played.ending !== 'done') return;
    assert.is(played.output.run.status, outcome.runStatus, where);
    assert.equal(played.output.messages, ASSISTANT_RUN_PATH_MESSAGES, where);
    return;
  }
  assert.is(played.ending, 'failed', where);
  if (played.ending !== 'failed') return;
  const { failure } = outcome;
  const { error } = played;
  if (failure.reason === 'deadline-exceeded') {
    assert.instance(error, DeadlineExceededError, where);
    assert.is((error as DeadlineExceededError).lastObject, failure.run ?? undefined, where);
  } else if (failure.reason === 'not-started') {
    assert.instance(error, RunNotStartedError, where);
    assert.is((error as RunNotStartedError).reason, failure.cause, where);
  } else if (injected.includes(failure.error)) {
    assert.is(error, failure.error, where);
  } else {
    // Made by the chart (a lost run, a refused submission): the same message, with this actor's key.
    const predicted = failure.error as Error;
    assert.instance(error, Error, where);
    assert.is((error as Error).message, predicted.message.replace(/metadata\.assistant_machines_run = [^ )]+/, `metadata.assistant_machines_run = ${played.runKey}`), where);
  }
}

test('the paths start both ways, reach every ending and every retry limit', () => {
  assert.ok(paths.length > 1000, `${paths.length} paths`);
  const endings = new Set(paths.map((path) => (path.outcome.ending === 'done' ? `done ${path.outcome.runStatus}` : `failed ${path.outcome.failure.reason}`)));
  assert.equal([...endings].sort(), ['done cancelled', 'done completed', 'failed deadline-exceeded', 'failed error', 'failed not-started']);
  const messages = new Set(paths.flatMap((path) => (path.outcome.ending === 'failed' && path.outcome.failure.reason === 'error' ? [String((path.outcome.failure.error as Error).message)] : [])));
  assert.ok([...messages].some((message) => message.includes('refused the tool outputs')), 'a submission refused 3 times');
  assert.ok([...messages].some((message) => message.startsWith('no run of this actor')), 'no run after 3 creates');
  assert.ok(paths.some((path) => path.events.filter((event) => event.type === 'xstate.error.actor.retrieveRun').length === 5), '5 failed retrieves in a row');
  assert.ok(paths.some((path) => path.description === 'queued → creating → runningTools → submitting → finishing → done'));
  assert.ok(paths.some((path) => path.description.includes('awaitingOutputs → submitting')));
});

test(`${FULL ? 'every path' : 'a sample of paths taking every transition'} of the assistantRun chart ends where the chart predicts`, async () => {
  const started = performance.now();
  const chosen = FULL ? paths : sampleAssistantRunPaths(paths);
  const transitions = new Set(paths.flatMap((path) => path.transitions));
  assert.equal(new Set(chosen.flatMap((path) => path.transitions)), transitions);
  for (const path of chosen) await check(path);
  if (FULL) console.log(`  assistantRun: ${chosen.length} paths (${transitions.size} chart transitions) in ${Math.round(performance.now() - started)} ms`);
});

test.run();
