import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream } from '../src/index.ts';
import { makeRun, textSource, toSSE } from '../src/testing/index.ts';

// Regression: the stream machine's context was an object literal, so every stream in a process
// shared one Map of runs, steps and messages; a second stream of the same run failed with
// "the run is completed, which does not allow this event".

const events = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
];

test('two streams of the same run ids keep separate state', async () => {
  const first = AssistantStream.fromSSE(textSource(toSSE(events)));
  await first.done();
  const second = AssistantStream.fromSSE(textSource(toSSE(events)));
  await second.done();
  assert.is((await second.finalRun()).status, 'completed');
  assert.is.not(first.actor.getSnapshot().context.runs, second.actor.getSnapshot().context.runs);
});

test.run();
