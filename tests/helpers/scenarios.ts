import fc from 'fast-check';
import { buildRunStream, runStreamArbitraries, type RunStreamPlan } from '../../src/testing/index.ts';
import type { ScriptedEvent } from '../../src/testing/index.ts';

// The exported generator of valid run streams (src/testing/arbitraries.ts), as the tests used
// it before it was exported.

/** Plans of valid streams: several messages and blocks, every tool kind, every ending. */
export const scenarioPlan = runStreamArbitraries(fc).plan;

/** The events of a plan, as the real API would send them. */
export function buildScenario(plan: RunStreamPlan): ScriptedEvent[] {
  return buildRunStream(plan).events;
}
