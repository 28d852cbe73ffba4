// Differential property test: the official `openai` package is the oracle. Every generated
// stream is fed to both; each callback's arguments (cloned at call time) and the finals must
// be equal. Order may differ only where docs/compatibility.md documents it, so the order of
// our callbacks is checked separately against our lifecycle rules.
import fc from 'fast-check';
import { AssistantStream as OfficialStream } from 'openai/lib/AssistantStream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream } from '../src/index.ts';
import { byteChunks, toNDJSON, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
import { LISTENER_EVENTS } from './helpers/record.ts';
import { buildScenario, scenarioPlan } from './helpers/scenarios.ts';
import { propertyRuns } from './helpers/propertyRuns.ts';

type Entry = [name: string, args: unknown[]];

interface Outcome {
  log: Entry[];
  finalRun: unknown;
  finalMessages: unknown;
  finalRunSteps: unknown;
  failed: boolean;
}

interface Listenable {
  on(name: string, listener: (...args: unknown[]) => void): unknown;
  done(): Promise<void>;
  finalRun(): Promise<unknown>;
  finalMessages(): Promise<unknown>;
  finalRunSteps(): Promise<unknown>;
}

async function observe(stream: Listenable): Promise<Outcome> {
  const log: Entry[] = [];
  for (const name of LISTENER_EVENTS) stream.on(name, (...args) => log.push([name, structuredClone(args)]));
  let failed = false;
  await stream.done().catch(() => (failed = true));
  if (failed) return { log, finalRun: undefined, finalMessages: undefined, finalRunSteps: undefined, failed };
  return { log, finalRun: await stream.finalRun(), finalMessages: await stream.finalMessages(), finalRunSteps: await stream.finalRunSteps(), failed };
}

function ndjsonStream(events: ScriptedEvent[]): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(toNDJSON(events));
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

const byName = (log: Entry[], name: string) => log.filter(([entry]) => entry === name).map(([, args]) => args);

// Our lifecycle rules, as a grammar over one-letter symbols of the callbacks that matter.
const SYMBOLS: Record<string, string> = {
  messageCreated: 'S', textCreated: 'C', textDelta: 'D', textDone: 'T', imageFileDone: 'I', messageDone: 'M',
  runStepCreated: 'X', toolCallCreated: 'P', toolCallDelta: 'Q', toolCallDone: 'R', runStepDone: 'Y', run: 'U', end: 'E',
};
const symbolsOf = (log: Entry[], keep: string) =>
  log
    .map(([name]) => SYMBOLS[name] ?? '')
    .filter((symbol) => keep.includes(symbol))
    .join('');

function assertLifecycleOrder(log: Entry[]): void {
  // Messages: every text block created → deltas → done before the next block; done before
  // the message's done; a message the run abandoned may stop anywhere.
  const messages = symbolsOf(log, 'SCDTIM');
  assert.ok(/^(S(CD*T|I)*M)*(S(CD*T|I)*(CD*)?)?$/.test(messages), `message lifecycle out of order: ${messages}`);
  // Tool calls: created once, deltas, all done before their step is done.
  const steps = symbolsOf(log, 'XPQRY');
  for (const step of steps.split('X').filter(Boolean)) {
    const created = [...step].filter((s) => s === 'P').length;
    const done = [...step].filter((s) => s === 'R').length;
    if (step.endsWith('Y')) assert.is(done, created, `every tool call is done before its step: ${step}`);
    assert.ok(!/R.*[PQ]/.test(step), `no tool call fragment after the calls are done: ${step}`);
    assert.ok(!/Y./.test(step), `nothing of a step after its runStepDone: ${step}`);
  }
  const names = log.map(([name]) => name).filter((name) => name !== 'event');
  assert.equal(names.slice(-2), ['run', 'end'], 'run then end, last');
}

// Samples in `npm test`; ten times as many under PROPERTY_RUNS=full (`npm run test:properties`, in CI).
const COMPARED_RUNS = propertyRuns(100, 1_000);
const NDJSON_RUNS = propertyRuns(25, 250);

test(`our callbacks and finals equal the official SDK on ${COMPARED_RUNS} generated streams`, async () => {
  let compared = 0;
  await fc.assert(
    fc.asyncProperty(scenarioPlan, fc.integer({ min: 1, max: 97 }), async (plan, chunkSize) => {
      const events = buildScenario(plan);
      const theirs = await observe(OfficialStream.fromReadableStream(ndjsonStream(events)) as unknown as Listenable);
      const ours = await observe(AssistantStream.fromSSE(byteChunks(toSSE(events), chunkSize)) as unknown as Listenable);
      assert.is(ours.failed, false, 'our stream succeeds');
      assert.is(theirs.failed, false, 'the official stream succeeds');
      for (const name of LISTENER_EVENTS) assert.equal(byName(ours.log, name), byName(theirs.log, name), `${name} arguments`);
      assert.equal(ours.finalRun, theirs.finalRun, 'finalRun');
      assert.equal(ours.finalMessages, theirs.finalMessages, 'finalMessages');
      assert.equal(ours.finalRunSteps, theirs.finalRunSteps, 'finalRunSteps');
      assertLifecycleOrder(ours.log);
      compared++;
    }),
    { numRuns: COMPARED_RUNS, includeErrorInReport: true },
  );
  assert.is(compared, COMPARED_RUNS);
});

test(`the NDJSON path agrees with the SSE path on ${NDJSON_RUNS} generated streams`, async () => {
  await fc.assert(
    fc.asyncProperty(scenarioPlan, async (plan) => {
      const events = buildScenario(plan);
      const fromSSE = await observe(AssistantStream.fromSSE(byteChunks(toSSE(events), 64)) as unknown as Listenable);
      const fromNDJSON = await observe(AssistantStream.fromReadableStream(ndjsonStream(events)) as unknown as Listenable);
      assert.equal(fromNDJSON, fromSSE);
    }),
    { numRuns: NDJSON_RUNS, includeErrorInReport: true },
  );
});

test.run();
