import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ResponseWriter } from '../src/server/responses/writer.ts';
import { makeRun, makeRunStep } from '../src/testing/index.ts';
import type { ResponseObject } from '../src/wire/index.ts';

// A response is rebuilt from its run's event log after a restart or on another server: every
// field must come from the log, never from the clock at the time of the rebuild.

const STEP_CREATED_AT = 1_700_000_100;

function functionCallLog(): Array<[string, unknown]> {
  const step = makeRunStep({ id: 'step_1', type: 'tool_calls', created_at: STEP_CREATED_AT, step_details: { type: 'tool_calls', tool_calls: [] } });
  const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: null } };
  return [
    ['thread.run.created', makeRun({ created_at: 1_700_000_000 })],
    ['thread.run.in_progress', makeRun({ status: 'in_progress', created_at: 1_700_000_000, started_at: 1_700_000_050 })],
    ['thread.run.step.created', step],
    [
      'thread.run.step.delta',
      { id: 'step_1', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [{ index: 0, ...call }] } } },
    ],
    [
      'thread.run.requires_action',
      makeRun({
        status: 'requires_action',
        created_at: 1_700_000_000,
        started_at: 1_700_000_050,
        completed_at: null,
        required_action: {
          type: 'submit_tool_outputs',
          submit_tool_outputs: { tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        },
      }),
    ],
  ];
}

function write(): ResponseObject {
  const response = { id: 'resp_1', object: 'response', created_at: 1_700_000_000, status: 'in_progress', output: [] } as unknown as ResponseObject;
  let final: ResponseObject | undefined;
  const writer = new ResponseWriter(
    response,
    (event) => {
      if (event.type === 'response.completed') final = event['response'] as ResponseObject;
    },
    { query: 'weather?' },
  );
  for (const [name, data] of functionCallLog()) writer.take(name, data);
  assert.ok(final !== undefined, 'the response completed at requires_action');
  return final;
}

test('a response that ends at requires_action takes its completed_at from the log, not the clock', () => {
  const final = write();
  assert.is(final.status, 'completed');
  // The run has no completed_at while it waits for tool outputs: the last time the log carries
  // (the step that made the call) stands in, so a rebuild writes the same object.
  assert.is(final.completed_at, STEP_CREATED_AT);
});

test.run();
