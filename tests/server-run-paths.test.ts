// The path-following backend, driven through every run path (the strict run chart, up to two
// tool rounds): the embedded server's executor follows each one, and what it streams — read
// by our charts in strict mode, across the create stream, the submit streams and, where the
// run ends while waiting for outputs, the re-attached stream — announces exactly the path's
// statuses, and the run ends where the path does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, type AssistantStream, type Run } from '../src/index.ts';
import { createServer, RunScriptError, validateRunScript } from '../src/server/index.ts';
import { forEachRunPath, runPaths, type RunPath } from '../src/testing/index.ts';
import { functionTool } from './helpers/server.ts';

const TERMINAL = ['completed', 'incomplete', 'failed', 'cancelled', 'expired'];

async function followPath(path: RunPath): Promise<{ statuses: string[]; run: Run; internalErrors: unknown[]; events: string[] }> {
  const internalErrors: unknown[] = [];
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, runScripts: [{ statuses: path.statuses }], onInternalError: (error) => internalErrors.push(error) });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'unused', maxRetries: 0, lifecycle: 'strict' });
    const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: "What's the weather in Paris?" }] });
    const statuses: string[] = [];
    const events: string[] = [];
    const watch = (stream: AssistantStream) => {
      stream.on('event', ({ event, data }) => {
        events.push(event);
        if (/^thread\.run\.[a-z_]+$/.test(event) && !event.startsWith('thread.run.step')) statuses.push((data as Run).status);
      });
      return stream;
    };
    let stream = watch(client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }));
    let run = await stream.finalRun();
    for (let round = 0; run.status === 'requires_action'; round += 1) {
      const at = path.statuses.findIndex((status, index) => status === 'requires_action' && path.statuses.slice(0, index).filter((s) => s === 'requires_action').length === round);
      const tool_outputs = run.required_action!.submit_tool_outputs.tool_calls.map((call) => ({ tool_call_id: call.id, output: '{"forecast":"sunny"}' }));
      if (path.statuses[at + 1] === 'queued') {
        stream = watch(client.beta.threads.runs.submitToolOutputsStream(run.id, { thread_id: thread.id, tool_outputs }));
      } else {
        // The run ended while it waited: the outputs are refused, and the rest is re-attached.
        const refused = await client.beta.threads.runs.submitToolOutputs(run.id, { thread_id: thread.id, tool_outputs }).catch((error: unknown) => error);
        assert.is((refused as { status?: number }).status, 400, `${path.description}: submitting after the run ended`);
        stream = watch(client.beta.threads.runs.attachStream(thread.id, run.id, { startingAfter: Number(stream.lastEventId) }));
      }
      run = await stream.finalRun();
    }
    const retrieved = await client.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
    assert.is(retrieved.status, run.status);
    return { statuses, run, internalErrors, events };
  } finally {
    await server.close();
  }
}

test('runPaths: every lifecycle up to N tool rounds, each a path of the strict chart from queued to an ending', () => {
  assert.equal([0, 1, 2, 3].map((toolRounds) => runPaths({ toolRounds }).length), [18, 44, 70, 96]);
  const paths = runPaths({ toolRounds: 2 });
  const descriptions = paths.map((path) => path.description);
  for (const description of [
    'queued → in_progress → completed',
    'queued → in_progress → requires_action → expired',
    'queued → in_progress → requires_action → queued → in_progress → requires_action → queued → in_progress → completed',
    'queued → in_progress → cancelling → cancelled',
    'queued → in_progress → requires_action → cancelling → cancelled',
    'queued → in_progress → failed',
    'queued → in_progress → incomplete',
    'queued → cancelled',
  ]) {
    assert.ok(descriptions.includes(description), description);
  }
  assert.equal([...new Set(paths.map((path) => path.ending))].sort(), [...TERMINAL].sort());
  assert.equal(Math.max(...paths.map((path) => path.toolRounds)), 2);
  for (const path of paths) validateRunScript({ statuses: path.statuses }, path.description);
  assert.throws(() => runPaths({ toolRounds: -1 }), RangeError);
});

test('a script the strict run chart refuses is a RunScriptError that says where', async () => {
  const refused = (statuses: string[]) => {
    try {
      validateRunScript({ statuses: statuses as never }, 'runScripts[0]');
    } catch (error) {
      assert.instance(error, RunScriptError);
      return (error as Error).message;
    }
    return 'accepted';
  };
  assert.is(refused(['in_progress', 'completed']), 'accepted');
  assert.is(refused(['in_progress', 'completed', 'in_progress']), "runScripts[0].statuses[2]: the run chart (strict) has no transition from 'completed' to 'in_progress'");
  assert.is(refused(['requires_action', 'expired']), "runScripts[0].statuses[0]: the run chart (strict) has no transition from 'queued' to 'requires_action'");
  assert.is(refused(['in_progress']), "runScripts[0].statuses[0]: the last status must be terminal, not 'in_progress'");
  assert.is(refused([]), 'runScripts[0].statuses: expected a non-empty list of run statuses');
  await createServer({ runScripts: [{ statuses: ['in_progress', 'queued', 'completed'] }] }).then(
    () => assert.unreachable('a server with a wrong script started'),
    (error: unknown) => assert.instance(error, RunScriptError),
  );
});

const FULL = process.env['MBT'] === 'full';

// Paths that take every transition between two statuses at least once: greedily, longest
// first, so two tool rounds each time (18 of the 70).
function transitionCover(paths: readonly RunPath[]): RunPath[] {
  const covered = new Set<string>();
  const transitions = (path: RunPath) => {
    const statuses = ['queued', ...path.statuses];
    return statuses.slice(1).map((status, index) => `${statuses[index]}→${status}`);
  };
  const chosen: RunPath[] = [];
  for (const path of [...paths].sort((a, b) => b.statuses.length - a.statuses.length)) {
    const fresh = transitions(path).filter((transition) => !covered.has(transition));
    if (fresh.length === 0) continue;
    for (const transition of fresh) covered.add(transition);
    chosen.push(path);
  }
  return chosen;
}

// Every path up to two tool rounds under MBT=full (`npm run test:mbt`); by default a set of
// them that takes every transition.
test(`the executor follows every run path${FULL ? '' : ' of a transition cover'}, and its streams announce exactly it, read strictly`, async () => {
  const all = runPaths({ toolRounds: 2 });
  const paths = FULL ? all : transitionCover(all);
  if (!FULL) assert.is(paths.length, 18);
  // Four at a time (each path has its own server): the waits are the network's, not the CPU's.
  const followed = [];
  for (let start = 0; start < paths.length; start += 4) followed.push(...(await Promise.all(paths.slice(start, start + 4).map(followPath))));
  for (const [index, path] of paths.entries()) {
    const { statuses, run, internalErrors, events } = followed[index]!;
    assert.equal(statuses, ['queued', 'queued', ...path.statuses], path.description);
    assert.is(run.status, path.ending, path.description);
    assert.equal(internalErrors, [], path.description);
    if (path.ending === 'failed') assert.is(run.last_error?.code, 'server_error', path.description);
    if (path.description === 'queued → in_progress → cancelling → cancelled') {
      // Cancelled mid-tool-call: a call streamed halfway, its step cancelled.
      assert.ok(events.includes('thread.run.step.delta') && events.includes('thread.run.step.cancelled'), events.join(' '));
    }
  }
});

test('a run script sets the tool calls, the answer and the error; later runs go back to the model', async () => {
  const server = await createServer({
    pace: { deltaDelayMs: 0, stepDelayMs: 0 },
    runScripts: [
      { statuses: ['in_progress', 'requires_action', 'queued', 'in_progress', 'completed'], toolCalls: [[{ name: 'lookup', arguments: '{"id":1}' }, { name: 'lookup', arguments: '{"id":2}' }]], text: 'Two lookups done.' },
      { statuses: ['in_progress', 'failed'], lastError: { code: 'rate_limit_exceeded', message: 'Slow down.' } },
    ],
  });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
    const assistant = await client.beta.assistants.create({ model: 'scripted' });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hello' }] });
    const paused = await client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).finalRun();
    const calls = paused.required_action!.submit_tool_outputs.tool_calls;
    assert.equal(calls.map((call) => [call.function.name, call.function.arguments]), [['lookup', '{"id":1}'], ['lookup', '{"id":2}']]);
    const stream = client.beta.threads.runs.submitToolOutputsStream(paused.id, { thread_id: thread.id, tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: 'ok' })) });
    assert.is((await stream.finalRun()).status, 'completed');
    const [answer] = await stream.finalMessages();
    assert.equal(answer?.content, [{ type: 'text', text: { value: 'Two lookups done.', annotations: [] } }]);
    const failed = await client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).finalRun();
    assert.equal([failed.status, failed.last_error], ['failed', { code: 'rate_limit_exceeded', message: 'Slow down.' }]);
    const modelRun = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 5 });
    assert.is(modelRun.status, 'completed');
  } finally {
    await server.close();
  }
});

test('a run without function tools: a cancel cuts its answer off; a requires_action fails it, saying why', async () => {
  const server = await createServer({
    pace: { deltaDelayMs: 0, stepDelayMs: 0 },
    runScripts: [{ statuses: ['in_progress', 'cancelling', 'cancelled'] }, { statuses: ['in_progress', 'requires_action', 'expired'] }],
  });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'unused', maxRetries: 0, lifecycle: 'strict' });
    const assistant = await client.beta.assistants.create({ model: 'scripted' });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a long story about statecharts.' }] });
    const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    assert.is((await stream.finalRun()).status, 'cancelled');
    const [message] = await stream.finalMessages();
    assert.equal([message?.status, message?.incomplete_details], ['incomplete', { reason: 'run_cancelled' }]);
    const failed = await client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).finalRun();
    assert.is(failed.status, 'failed');
    assert.match(failed.last_error?.message ?? '', 'The run script asks for function calls (round 1), but the run has no function tool and the script names none.');
  } finally {
    await server.close();
  }
});

test('forEachRunPath: a fresh server per path, failures in path order with their description, a test that hangs fails on its path', async () => {
  const paths = runPaths({ toolRounds: 0 }).slice(0, 3);
  const urls = new Set<string>();
  const report = await forEachRunPath({ paths, concurrency: 2, timeoutMs: 200 }, async ({ path, baseURL }) => {
    urls.add(baseURL);
    if (path === paths[0]) await new Promise(() => {});
    if (path === paths[2]) throw new Error('the app broke');
  });
  assert.is(urls.size, 3);
  assert.equal([report.total, report.passed], [3, 1]);
  assert.equal(report.failures.map((failure) => [failure.description, (failure.error as Error).message]), [
    [paths[0]!.description, 'the test did not finish within 200 ms'],
    [paths[2]!.description, 'the app broke'],
  ]);
  assert.is(report.summary, `1/3 run paths passed\n✗ ${paths[0]!.description}: the test did not finish within 200 ms\n✗ ${paths[2]!.description}: the app broke`);
});

test('a user cancel leaves the script: the run waiting for outputs is cancelled', async () => {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, runScripts: [{ statuses: ['in_progress', 'requires_action', 'queued', 'in_progress', 'completed'] }] });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
    const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Oslo?' }] });
    const paused = await client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).finalRun();
    assert.is(paused.status, 'requires_action');
    assert.is(paused.required_action!.submit_tool_outputs.tool_calls[0]!.function.name, 'get_weather');
    await client.beta.threads.runs.cancel(paused.id, { thread_id: thread.id });
    const ended = await client.beta.threads.runs.poll(paused.id, { thread_id: thread.id }, { pollIntervalMs: 5 });
    assert.is(ended.status, 'cancelled');
  } finally {
    await server.close();
  }
});

test.run();
