// A durable run traced on the real restate-server: the run sent to the ingress with a
// `traceparent`, its worker SIGKILLed in the submission stream (after both tools ran and their
// results were journaled), a replacement worker finishing it. Every span the workers exported
// (tests/helpers/spanFile.ts, one JSON line as each ends) is in the caller's trace; each tool ran
// once and has one execute_tool span, from the worker that ran it; the killed attempt's
// invoke_agent never ended; the retry's is marked replayed and carries the run's outcome.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AssistantRunOutput } from '../src/index.ts';
import { answerOf, ASK_WEATHER_AND_TIME, EXPECTED_ANSWER, startRestateSuite, type RestateSuite } from './helpers/restateSuite.ts';
import type { FileSpan } from './helpers/spanFile.ts';

const test = suite<{ suite: RestateSuite; file: string }>('a durable run traced, its worker killed mid-run');

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

test.before(async (context) => {
  context.suite = await startRestateSuite();
  context.file = join(tmpdir(), `restate-spans-${process.pid}.jsonl`);
});
test.after(async ({ suite, file }) => {
  assert.equal(suite.ts.internalErrors, []);
  await suite.close();
  rmSync(file, { force: true });
});

test('each attempt in the caller’s trace; one execute_tool per executed tool; the retry marked, ending the run', async ({ suite, file }) => {
  const threadId = (await suite.ts.openai.beta.threads.create()).id;
  const doomed = await suite.worker({ SPANS_FILE: file, KILL_AFTER_TOOLS: '1', WORKER_NAME: 'first' });
  const answer = await suite.ingress<{ invocationId: string }>(`/assistantThread/${threadId}/run/send`, { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME() }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
  assert.is(answer.status < 300, true, JSON.stringify(answer.body));
  await doomed.exited;
  const replacement = await suite.worker({ SPANS_FILE: file, WORKER_NAME: 'second' });
  try {
    const { status, body } = await suite.attach<AssistantRunOutput>(answer.body.invocationId);
    assert.is(status, 200, JSON.stringify(body));
    assert.is(answerOf(body), EXPECTED_ANSWER());

    const spans = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as FileSpan);
    assert.ok(spans.every((span) => span.traceId === TRACE_ID), 'every span in the caller’s trace');
    const executions = suite.records().filter(([kind]) => kind === 'tool');
    assert.is(executions.length, 2, 'each tool ran once');
    const tools = spans.filter((span) => span.name.startsWith('execute_tool'));
    assert.equal(tools.map((span) => span.attributes['gen_ai.tool.call.id']).sort(), executions.map(([, call]) => call).sort(), 'one execute_tool span per executed tool');
    assert.ok(tools.every((span) => span.worker === 'first'), 'from the worker that ran them');

    const agents = spans.filter((span) => span.name === 'invoke_agent Weather');
    assert.equal(agents.map((span) => span.worker), ['second'], 'the killed attempt’s span never ended; the retry’s did');
    const [agent] = agents;
    assert.is(agent!.attributes['assistant_machines.restate.replayed'], true);
    assert.is(agent!.attributes['assistant_machines.restate.attempt.outcome'], 'returned');
    assert.is(agent!.attributes['assistant_machines.restate.invocation_id'], answer.body.invocationId);
    assert.is(agent!.attributes['gen_ai.conversation.id'], threadId);
    assert.is(agent!.attributes['gen_ai.response.id'], body.run.id);
    assert.equal(agent!.attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.ok(agent!.events.some((event) => event.attributes?.['assistant_machines.restate.replayed'] === true), 'some transitions replayed');
    assert.is(agent!.events.at(-1)?.name, 'assistantRun.done');
    assert.is(agent!.events.at(-1)?.attributes?.['assistant_machines.restate.replayed'], undefined, 'the end, live');
    // Restate hands the handler the caller's traceparent: the attempt is its child (restate-server
    // here does not trace itself, so no span of its own sits between them).
    console.log(`  (the attempt's parent: ${agent!.parentSpanId === CALLER_SPAN ? "the caller's span" : `span ${agent!.parentSpanId}`})`);
    // The first worker's tool spans hang from its attempt's span, which never reached the exporter.
    assert.ok(tools.every((span) => span.parentSpanId !== agent!.spanId));
    // The retry's steps are those it read (the answer's), its requests joined the trace.
    assert.ok(spans.some((span) => span.worker === 'second' && span.name === 'run_step message_creation' && span.parentSpanId === agent!.spanId));
  } finally {
    await replacement.kill();
  }
});

test.run();
