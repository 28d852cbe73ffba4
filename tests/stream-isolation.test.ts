import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream } from '../src/index.ts';
import { makeRun, makeRunStep, textSource, toSSE } from '../src/testing/index.ts';

// Regression: the stream machine's context was one object literal, so every stream of the
// process shared its maps of runs, steps and messages — the tool-outputs stream of a run found
// the first stream's run actor (paused at requires_action) and rejected `thread.run.completed`.
test('two streams of the same run keep separate state', async () => {
  const toolStep = makeRunStep({ type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: [] } });
  const first = AssistantStream.fromSSE(
    textSource(
      toSSE([
        { event: 'thread.run.created', data: makeRun() },
        { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
        { event: 'thread.run.step.created', data: toolStep },
        { event: 'thread.run.requires_action', data: makeRun({ status: 'requires_action' }) },
      ]),
    ),
  );
  assert.is((await first.finalRun()).status, 'requires_action');
  const second = AssistantStream.fromSSE(
    textSource(
      toSSE([
        { event: 'thread.run.step.completed', data: { ...toolStep, status: 'completed' } },
        { event: 'thread.run.queued', data: makeRun() },
        { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
        { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
      ]),
    ),
  );
  assert.is((await second.finalRun()).status, 'completed');
  assert.is(first.snapshot().runSteps[0]?.status, 'in_progress', 'the first stream still sees its step open');
});

test.run();
