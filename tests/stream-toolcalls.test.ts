// Tool calls: each tracked by its own slot, created → deltas → done, done before its step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream } from '../src/index.ts';
import { makeRun, makeRunStep, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
import { recordCallbacks } from './helpers/record.ts';

const toolStep = (id = 'step_1', status: 'in_progress' | 'completed' = 'in_progress', tool_calls: unknown[] = []) =>
  makeRunStep({ id, type: 'tool_calls', status, step_details: { type: 'tool_calls', tool_calls: tool_calls as never } });
const calls = (...entries: object[]) => ({
  event: 'thread.run.step.delta',
  data: { id: 'step_1', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: entries } } },
});
const start: ScriptedEvent[] = [
  { event: 'thread.run.created', data: makeRun() },
  { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
  { event: 'thread.run.step.created', data: toolStep() },
  { event: 'thread.run.step.in_progress', data: toolStep() },
];
const onlyLifecycle = (log: string[]) => log.filter((entry) => !entry.startsWith('event') && entry !== 'connect');

test('code interpreter: input grows, outputs merge by their own index, done before the step', async () => {
  const stream = AssistantStream.fromSSE(
    textSource(
      toSSE([
        ...start,
        calls({ index: 0, id: 'call_ci', type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }),
        calls({ index: 0, type: 'code_interpreter', code_interpreter: { input: '2**10' } }),
        calls({ index: 0, type: 'code_interpreter', code_interpreter: { input: ' + 21' } }),
        calls({ index: 0, type: 'code_interpreter', code_interpreter: { outputs: [{ index: 0, type: 'logs', logs: '1045' }] } }),
        calls({ index: 0, type: 'code_interpreter', code_interpreter: { outputs: [{ index: 1, type: 'image', image: { file_id: 'file-plot' } }] } }),
        calls({ index: 1, id: 'call_fs', type: 'file_search', file_search: {} }),
        { event: 'thread.run.step.completed', data: toolStep('step_1', 'completed') },
        { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
      ]),
    ),
  );
  const log = recordCallbacks(stream);
  const done: unknown[] = [];
  stream.on('toolCallDone', (toolCall) => done.push(structuredClone(toolCall)));
  await stream.done();
  assert.equal(onlyLifecycle(log), [
    'runStepCreated:step_1',
    'toolCallCreated:0', 'runStepDelta',
    'toolCallDelta:0', 'runStepDelta',
    'toolCallDelta:0', 'runStepDelta',
    'toolCallDelta:0', 'runStepDelta',
    'toolCallDelta:0', 'runStepDelta',
    'toolCallCreated:1', 'runStepDelta',
    'toolCallDone:0', 'toolCallDone:1', 'runStepDone:step_1',
    'run:completed', 'end',
  ]);
  assert.equal(done[0], {
    index: 0,
    id: 'call_ci',
    type: 'code_interpreter',
    code_interpreter: { input: '2**10 + 21', outputs: [{ index: 0, type: 'logs', logs: '1045' }, { index: 1, type: 'image', image: { file_id: 'file-plot' } }] },
  });
});

test('parallel function calls: the run pauses for outputs, the calls are done, the step stays open', async () => {
  const requiresAction = makeRun({
    status: 'requires_action',
    required_action: {
      type: 'submit_tool_outputs',
      submit_tool_outputs: {
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
    },
  });
  const stream = AssistantStream.fromSSE(
    textSource(
      toSSE([
        ...start,
        calls({ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '', output: null } }),
        calls({ index: 0, type: 'function', function: { arguments: '{"city":' } }),
        calls({ index: 0, type: 'function', function: { arguments: '"Paris"}' } }),
        calls({ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '', output: null } }),
        calls({ index: 1, type: 'function', function: { arguments: '{}' } }),
        { event: 'thread.run.requires_action', data: requiresAction },
      ]),
    ),
  );
  const log = recordCallbacks(stream);
  const args: string[] = [];
  stream.on('toolCallDone', (toolCall) => args.push(toolCall.type === 'function' ? toolCall.function.arguments : ''));
  await stream.done();
  assert.equal(onlyLifecycle(log).slice(-6), ['toolCallDelta:1', 'runStepDelta', 'toolCallDone:0', 'toolCallDone:1', 'run:requires_action', 'end']);
  assert.equal(args, ['{"city":"Paris"}', '{}']);
  assert.is((await stream.finalRun()).status, 'requires_action');
  const [step] = await stream.finalRunSteps();
  assert.is(step!.status, 'in_progress', 'the step is not completed in this stream');
  assert.is(stream.currentRunStepSnapshot()?.id, 'step_1', 'and it is still the open step');
  assert.equal(stream.actor.getSnapshot().context.runSteps.get('step_1')!.getSnapshot().value, { in_progress: 'awaiting_tool_outputs' });
});

test('the tool-outputs stream opens with the completion of a step it never saw created', async () => {
  const finished = toolStep('step_1', 'completed', [{ id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{}', output: '18°C' } }]);
  const stream = AssistantStream.fromSSE(
    textSource(
      toSSE([
        { event: 'thread.run.step.completed', data: finished },
        { event: 'thread.run.queued', data: makeRun() },
        { event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) },
        { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
      ]),
    ),
  );
  const log = recordCallbacks(stream);
  await stream.done();
  assert.equal(onlyLifecycle(log), ['runStepDone:step_1', 'run:completed', 'end']);
  assert.equal(await stream.finalRunSteps(), [finished]);
});

test('interleaved fragments of two calls: each call is created once and done once (the official SDK repeats them)', async () => {
  const stream = AssistantStream.fromSSE(
    textSource(
      toSSE([
        ...start,
        calls({ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '', output: null } }),
        calls({ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '', output: null } }),
        calls({ index: 0, type: 'function', function: { arguments: '{"x":1}' } }),
        calls({ index: 1, type: 'function', function: { arguments: '{"y":2}' } }),
        { event: 'thread.run.step.completed', data: toolStep('step_1', 'completed') },
        { event: 'thread.run.completed', data: makeRun({ status: 'completed' }) },
      ]),
    ),
  );
  const log = recordCallbacks(stream);
  const args: string[] = [];
  stream.on('toolCallDone', (toolCall) => args.push(toolCall.type === 'function' ? toolCall.function.arguments : ''));
  await stream.done();
  assert.equal(
    onlyLifecycle(log).filter((entry) => entry.startsWith('toolCall')),
    ['toolCallCreated:0', 'toolCallCreated:1', 'toolCallDelta:0', 'toolCallDelta:1', 'toolCallDone:0', 'toolCallDone:1'],
  );
  assert.equal(args, ['{"x":1}', '{"y":2}']);
});

test('a run that ends with a step still streaming closes its tool calls, not the step', async () => {
  const stream = AssistantStream.fromSSE(
    textSource(
      toSSE([
        ...start,
        calls({ index: 0, id: 'call_ci', type: 'code_interpreter', code_interpreter: { input: 'while True:', outputs: [] } }),
        { event: 'thread.run.expired', data: makeRun({ status: 'expired' }) },
      ]),
    ),
  );
  const log = recordCallbacks(stream);
  await stream.done();
  assert.equal(onlyLifecycle(log).slice(-4), ['runStepDelta', 'toolCallDone:0', 'run:expired', 'end']);
  assert.equal(stream.actor.getSnapshot().context.runSteps.get('step_1')!.getSnapshot().value, { in_progress: 'abandoned' });
});

test.run();
