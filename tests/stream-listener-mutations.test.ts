// Property: listeners that mutate what they are handed. The event payloads, the deltas and the
// server's final objects are the listener's own: whatever it does to them, the finals are those
// of the same stream without listeners. The live snapshots (messageCreated, textDelta's
// snapshot, …) are the stream's, as in the official SDK: writing to them may end the stream
// with a typed error, but never with a crash, a hang or an untyped error.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream, AssistantStreamError, type AssistantStreamEvents } from '../src/index.ts';
import { textSource, toSSE, type ScriptedEvent } from '../src/testing/index.ts';
import { LISTENER_EVENTS } from './helpers/record.ts';
import { buildScenario, scenarioPlan } from './helpers/scenarios.ts';

type Name = keyof AssistantStreamEvents;

// `npm run test:properties` (run by CI) takes the full counts; the default `npm test` a sample.
const FULL = process.env['PROPERTY_RUNS'] === 'full';
const OWN_RUNS = FULL ? 1000 : 100;
const LIVE_RUNS = FULL ? 300 : 30;

/** Which argument of each callback is the listener's own (its index), by callback. */
const OWN_ARGUMENTS: Partial<Record<Name, number[]>> = {
  event: [0],
  messageDelta: [0],
  textDelta: [0],
  runStepDelta: [0],
  toolCallDelta: [0],
  messageDone: [0],
  runStepDone: [0, 1],
  run: [0],
};
/** The live snapshots each callback hands out. */
const LIVE_ARGUMENTS: Partial<Record<Name, number[]>> = {
  messageCreated: [0],
  messageDelta: [1],
  textCreated: [0],
  textDelta: [1],
  textDone: [0, 1],
  imageFileDone: [0, 1],
  runStepCreated: [0],
  runStepDelta: [1],
  toolCallCreated: [0],
  toolCallDelta: [1],
  toolCallDone: [0],
};

/** A small deterministic generator, so a failing seed replays exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Renames ids, nulls out fields, adds keys and replaces arrays, somewhere in `value`. */
function mutate(value: unknown, next: () => number, depth = 0): void {
  if (typeof value !== 'object' || value === null || depth > 4) return;
  const keys = Object.keys(value);
  if (keys.length === 0) return;
  const record = value as Record<string, unknown>;
  const key = keys[Math.floor(next() * keys.length)]!;
  const choice = next();
  if (choice < 0.2) record['id'] = `renamed_${Math.floor(next() * 1000)}`;
  else if (choice < 0.4) record[key] = null;
  else if (choice < 0.55) record[`added_${depth}`] = { nested: [1, 2] };
  else if (choice < 0.7 && Array.isArray(record[key])) record[key] = [...(record[key] as unknown[])].reverse();
  else mutate(record[key], next, depth + 1);
}

async function finals(events: ScriptedEvent[], mutateArgs?: { targets: Partial<Record<Name, number[]>>; seed: number }) {
  const stream = AssistantStream.fromSSE(textSource(toSSE(events)));
  if (mutateArgs !== undefined) {
    const next = random(mutateArgs.seed);
    for (const name of LISTENER_EVENTS) {
      const indices = mutateArgs.targets[name];
      if (indices === undefined) continue;
      stream.on(name, ((...args: unknown[]) => {
        for (const index of indices) if (next() < 0.5) mutate(args[index], next);
      }) as never);
    }
  }
  try {
    await stream.done();
  } catch (error) {
    return { error };
  }
  return JSON.parse(JSON.stringify({ run: await stream.finalRun(), messages: await stream.finalMessages(), steps: await stream.finalRunSteps() }));
}

test(`mutating event payloads, deltas and final objects never changes the finals (${OWN_RUNS} streams)`, async () => {
  await fc.assert(
    fc.asyncProperty(scenarioPlan, fc.integer(), async (plan, seed) => {
      const events = buildScenario(plan);
      const expected = await finals(events);
      assert.not.ok('error' in expected, 'the generated stream is valid');
      assert.equal(await finals(events, { targets: OWN_ARGUMENTS, seed }), expected);
    }),
    { numRuns: OWN_RUNS },
  );
});

test(`mutating the live snapshots ends every stream in a final state or a typed error (${LIVE_RUNS} streams)`, async () => {
  await fc.assert(
    fc.asyncProperty(scenarioPlan, fc.integer(), async (plan, seed) => {
      const outcome = await finals(buildScenario(plan), { targets: LIVE_ARGUMENTS, seed });
      if ('error' in outcome) assert.instance(outcome.error, AssistantStreamError);
      else assert.type(outcome.run.status, 'string');
    }),
    { numRuns: LIVE_RUNS },
  );
});

test.run();
