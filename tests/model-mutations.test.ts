// Mutated streams: every valid stream (generated plans, and every chart path) broken one way —
// an event dropped, swapped, repeated, renamed, replayed after the end, or the stream cut —
// ends in a typed AssistantStreamError or a valid final run, in both lifecycle modes: never a
// hang, a crash or an untyped error. `npm run test:properties` takes the full counts.
import * as fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, AssistantStreamError } from '../src/index.ts';
import { chartPaths, mutateStream, runStreamArbitraries, STREAM_MUTATIONS, textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';

const FULL = process.env['PROPERTY_RUNS'] === 'full';
const RUNS = FULL ? 10_000 : 30;

async function consume(events: ScriptedEvent[], lifecycle: 'tolerant' | 'strict'): Promise<'final' | AssistantStreamError> {
  const stream = AssistantStream.fromSSE(textSource(toSSE(events)), { lifecycle });
  try {
    await stream.finalRun();
    return 'final';
  } catch (error) {
    return error as AssistantStreamError;
  }
}

function assertTyped(outcome: 'final' | AssistantStreamError, broke: string, kinds?: Set<string>): void {
  kinds?.add(outcome === 'final' ? 'final' : outcome.kind);
  if (outcome === 'final') return;
  assert.ok(outcome instanceof AssistantStreamError, `${broke}: ${String(outcome)}`);
  assert.not.equal(outcome.kind, 'internal', `${broke}: ${outcome.message}`);
}

test('mutateStream says what it broke, and each mutation changes the stream', () => {
  const events: ScriptedEvent[] = [
    { event: 'thread.run.created', data: { id: 'run_1' } },
    { event: 'thread.run.completed', data: { id: 'run_1' } },
  ];
  assert.equal(mutateStream(events, 0, 1), { events: [events[0]], broke: 'drops event #2 (thread.run.completed)' });
  for (let pick = 0; pick < STREAM_MUTATIONS.length; pick++) assert.not.equal(mutateStream(events, pick, 0).events, events, STREAM_MUTATIONS[pick]!.name);
  assert.throws(() => mutateStream([], 0, 0), RangeError);
});

test('mutated generated streams (the exported arbitrary) end in a typed error or a valid final run (both modes)', async () => {
  const kinds = new Set<string>();
  await fc.assert(
    fc.asyncProperty(runStreamArbitraries(fc).mutatedStream, fc.constantFrom('tolerant' as const, 'strict' as const), async ({ events, broke }, lifecycle) => {
      assert.match(broke, /^(drops|swaps|repeats|renames|sends|cuts) .*event #\d+ \(/);
      assertTyped(await consume(events, lifecycle), broke, kinds);
    }),
    { numRuns: RUNS, ...(FULL ? {} : { seed: 5 }) },
  );
  assert.ok(kinds.has('final') && kinds.size >= 3, [...kinds].join(', '));
});

test('every chart path, mutated every way at every position, ends typed', async () => {
  const paths = FULL ? ['run', 'runStep', 'message', 'toolCall'].flatMap((chart) => chartPaths(chart as 'run')) : chartPaths('message').slice(0, 6);
  const kinds = new Set<string>();
  for (const path of paths) {
    const valid = path.steps.flatMap((step) => (step.kind === 'event' ? [{ event: step.event, data: step.data }] : []));
    for (let pick = 0; pick < STREAM_MUTATIONS.length; pick++) {
      for (let at = 0; at < valid.length; at++) {
        const { events, broke } = mutateStream(valid, pick, at);
        assertTyped(await consume(events, 'strict'), `${path.description}: ${broke}`, kinds);
      }
    }
  }
  // The mutations do break streams, in each of the ways the charts name.
  for (const kind of ['final', 'lifecycle', 'unknown-id', 'no-final-run']) assert.ok(kinds.has(kind), `${kind} in ${[...kinds].join(', ')}`);
});

test.run();
