// Model-based testing: every path through the run statechart (xstate/graph) becomes a stream;
// each stream, consumed by AssistantStream, must end in the state the path predicts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, type AssistantStreamError } from '../src/index.ts';
import { makeRun, runLifecyclePaths, textSource, toSSE } from '../src/testing/index.ts';

test('shortest paths reach every state of the run chart', () => {
  const states = new Set(runLifecyclePaths().map((path) => path.state));
  assert.equal([...states].sort(), ['cancelled', 'cancelling', 'completed', 'expired', 'failed', 'in_progress', 'incomplete', 'queued', 'requires_action', 'unseen']);
});

test('every simple path through the run chart, as a stream, ends where the chart says', async () => {
  const paths = runLifecyclePaths({ paths: 'simple' });
  assert.ok(paths.length > 100, `${paths.length} paths`);
  for (const path of paths) {
    const stream = AssistantStream.fromSSE(textSource(toSSE(path.events)));
    const error = await stream.done().then(
      () => undefined,
      (thrown: unknown) => thrown as AssistantStreamError,
    );
    if ('finalRunStatus' in path.outcome) {
      assert.is(error, undefined, `${path.description}: ${error?.message}`);
      assert.is((await stream.finalRun()).status, path.outcome.finalRunStatus, path.description);
    } else {
      assert.is(error?.kind, path.outcome.error, path.description);
    }
    const run = stream.actor.getSnapshot().context.runs.get('run_1');
    assert.equal(run?.getSnapshot().value ?? 'unseen', path.state, path.description);
  }
});

test('a run event the chart does not allow after a final state fails the stream as a lifecycle fault', async () => {
  const finals = runLifecyclePaths().filter((path) => ['completed', 'failed', 'cancelled', 'expired', 'incomplete'].includes(path.state));
  assert.is(finals.length, 5);
  for (const path of finals) {
    const events = [...path.events, { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) }];
    const stream = AssistantStream.fromSSE(textSource(toSSE(events)));
    const error = (await stream.done().catch((thrown: unknown) => thrown)) as AssistantStreamError;
    assert.is(error.kind, 'lifecycle', path.description);
    assert.is(error.eventIndex, events.length);
  }
});

test.run();
