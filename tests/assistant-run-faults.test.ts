// Fault injection: a proxy cuts the connection after the k-th SSE event of a tool-calling run
// (function call → requires_action → outputs → answer), for every k. Whatever k, the actor ends
// with the server's final state, each tool function ran once, and one submission was accepted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AssistantRunOutput } from '../src/index.ts';
import { clientOf, runToEnd, WEATHER_AND_TIME } from './helpers/assistantRun.ts';
import { startCuttingProxy, type CuttingProxy } from './helpers/cuttingProxy.ts';
import { handlesLeftAfterClose, within } from './helpers/loopback.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const baseline = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind.startsWith('TCP'));
const ASK = [{ role: 'user', content: "What's the weather and the time in Paris?" }];

interface Outcome {
  output: AssistantRunOutput;
  executions: Map<string, number>;
  threadId: string;
}

// Runs at once (each on its own thread, cut at its own position): the whole sweep stays short.
const CONCURRENT_RUNS = 6;

async function oneRun(ts: TestServer, proxy: CuttingProxy, assistantId: string, cutAfter: number): Promise<Outcome> {
  const thread = await ts.openai.beta.threads.create();
  proxy.cutAfter(thread.id, cutAfter);
  const executions = new Map<string, number>();
  const count = (name: string, result: string) => (_args: unknown, { toolCall }: { toolCall: { id: string } }) => {
    executions.set(toolCall.id, (executions.get(toolCall.id) ?? 0) + 1);
    return `${name}: ${result}`;
  };
  const { output } = await within(
    runToEnd(
      // A stream that goes quiet for long counts as broken too (a safety net; cuts close the socket).
      { client: clientOf(proxy.url), tools: { get_weather: count('weather', '22C'), get_time: count('time', '14:00') }, idleTimeoutMs: 10_000 },
      { threadId: thread.id, assistantId, additionalMessages: ASK, pollIntervalMs: 5 },
    ),
    10_000,
    'the run',
  );
  return { output, executions, threadId: thread.id };
}

// Set up before the tests are declared: the number of positions goes into the test's name.
const ts = await startTestServer();
const proxy = await startCuttingProxy(ts.server.url);
const assistantId = (await ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME })).id;
// A run without faults says how many events there are to cut after.
const faultFree = await oneRun(ts, proxy, assistantId, Number.POSITIVE_INFINITY);
const eventCount = proxy.eventsForwarded(faultFree.threadId);

test('the fault-free run completes, with events to cut after', () => {
  assert.is(faultFree.output.run.status, 'completed');
  assert.ok(eventCount > 20, `${eventCount} events`);
});

test(`cut at each of ${eventCount} event positions: every run ends as the server says, tools ran once, one submission accepted`, async () => {
  const failures: string[] = [];
  const check = async (k: number) => {
    const { output, executions, threadId } = await oneRun(ts, proxy, assistantId, k);
    const server = await ts.openai.beta.threads.runs.retrieve(output.run.id, { thread_id: threadId });
    const serverMessages = (await ts.openai.beta.threads.messages.list(threadId, { order: 'asc', run_id: output.run.id })).data.filter((m) => m.role === 'assistant');
    const accepted = proxy.submissions.filter((submission) => submission.threadId === threadId && submission.status === 200).length;
    const problems = [
      proxy.wasCut(threadId) ? '' : 'no cut happened',
      output.run.status === 'completed' && server.status === 'completed' ? '' : `status ${output.run.status} (server ${server.status})`,
      JSON.stringify(output.messages) === JSON.stringify(serverMessages) ? '' : 'messages differ from the server’s',
      executions.size === 2 && [...executions.values()].every((n) => n === 1) ? '' : `executions ${JSON.stringify([...executions])}`,
      accepted === 1 ? '' : `${accepted} accepted submissions`,
    ].filter((problem) => problem !== '');
    if (problems.length > 0) failures.push(`k=${k}: ${problems.join('; ')}`);
  };
  const positions = Array.from({ length: eventCount }, (_, index) => index + 1);
  const workers = Array.from({ length: CONCURRENT_RUNS }, async () => {
    for (let k = positions.shift(); k !== undefined; k = positions.shift()) await check(k);
  });
  await Promise.all(workers);
  assert.equal(failures, [], failures.join('\n'));
  assert.equal(ts.internalErrors, []);
});

test('nothing is left running', async () => {
  await proxy.close();
  await ts.close();
  assert.equal(await handlesLeftAfterClose(baseline), []);
});

test.run();
