// Two worker processes behind one load balancer on one restate-server: 100 tool-loop runs on 100
// threads all complete, the work spread over both; one worker SIGKILLed halfway, the other
// finishes every run it left, each created once and submitted once.
// (The balancer in front of the workers is an HTTP/2 one, as a cluster has: Restate keeps one
// connection per deployment and sends each invocation as a stream of it.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AssistantRunOutput } from '../src/index.ts';
import { startH2Balancer, type H2Balancer } from './helpers/h2Balancer.ts';
import { freePort } from './helpers/restate.ts';
import { answerOf, ASK_WEATHER_AND_TIME, EXPECTED_ANSWER, startRestateSuite, type RestateSuite } from './helpers/restateSuite.ts';

const test = suite<{ suite: RestateSuite; balancer: H2Balancer }>('Restate: two workers, one killed halfway');
const RUNS = 100;

test.before(async (context) => {
  context.suite = await startRestateSuite();
});
test.after(async ({ suite, balancer }) => {
  assert.equal(suite.ts.internalErrors, []);
  await balancer?.close();
  await suite.close();
});

// A unique city of letters per run (the scripted model reads a proper name as the city).
const cityOf = (index: number) => `Town${String.fromCharCode(65 + Math.floor(index / 26))}${String.fromCharCode(97 + (index % 26))}`;

test('100 runs on 100 threads complete across two workers, one of them killed halfway', async (context) => {
  const { suite } = context;
  // a's tools are the slower: when half the runs have completed, a still has runs in flight.
  const [a, b] = await Promise.all([
    suite.worker({ WORKER_NAME: 'a', TOOL_DELAY_MS: '1500' }, await freePort()),
    suite.worker({ WORKER_NAME: 'b', TOOL_DELAY_MS: '100' }, await freePort()),
  ]);
  context.balancer = await startH2Balancer([a.url, b.url]);
  await suite.restate.register(context.balancer.url);

  const threads = await Promise.all(Array.from({ length: RUNS }, () => suite.ts.openai.beta.threads.create()));
  const invocations = await Promise.all(
    threads.map((thread, index) => suite.sendRun('assistantThread', thread.id, { assistantId: suite.assistantId, additionalMessages: ASK_WEATHER_AND_TIME(cityOf(index)) })),
  );
  let completed = 0;
  let killedAfter = -1;
  const outputs = await Promise.all(
    invocations.map(async (id) => {
      const answer = await suite.attach<AssistantRunOutput>(id);
      if (++completed === RUNS / 2) {
        killedAfter = completed;
        await a.kill();
      }
      return answer;
    }),
  );
  assert.is(killedAfter, RUNS / 2);
  assert.equal(outputs.filter(({ status }) => status !== 200).map(({ body }) => body), []);
  assert.equal(outputs.map(({ body }) => answerOf(body)), outputs.map((_, index) => EXPECTED_ANSWER(cityOf(index))));

  // Spread over both, and b took over what a left.
  const started = suite.records().filter(([kind]) => kind === 'run');
  const byWorker = (name: string) => new Set(started.filter(([, , worker]) => worker === name).map(([, key]) => key));
  assert.ok(byWorker('a').size >= 10 && byWorker('b').size >= 10, `a started ${byWorker('a').size} runs, b ${byWorker('b').size}`);
  const takenOver = [...byWorker('a')].filter((key) => byWorker('b').has(key));
  assert.ok(takenOver.length > 0, 'some runs that a started, b finished');

  // A tool a was running when it died ran again on b, with the same idempotency key.
  const tools = suite.records().filter(([kind]) => kind === 'tool');
  for (const call of new Set(tools.map(([, id]) => id))) {
    const runs = tools.filter(([, id]) => id === call);
    assert.ok(runs.length <= 2 && new Set(runs.map(([, , key]) => key)).size === 1, `tool call ${call}: ${JSON.stringify(runs)}`);
  }

  // Created once and submitted once each (every retry with its key), nothing refused.
  for (const [index, thread] of threads.entries()) {
    const creates = suite.posts.filter((post) => post.kind === 'create' && post.target === thread.id);
    assert.is(new Set(creates.map((post) => post.idempotencyKey)).size, 1, `run ${index}: one create`);
    const runId = outputs[index]!.body.run.id;
    const submits = suite.posts.filter((post) => post.kind === 'submit' && post.target === runId);
    assert.is(new Set(submits.map((post) => post.idempotencyKey)).size, 1, `run ${index}: one submission`);
    assert.ok(submits.every((post) => post.status === 200), `run ${index}: no submission refused`);
  }
  console.log(`  (a started ${byWorker('a').size} runs, b ${byWorker('b').size}; b finished ${takenOver.length} that a had started)`);
  await b.kill();
});

test.run();
