import type { Metadata } from '../../wire/index.ts';
import { ApiError } from '../errors.ts';

/**
 * Per-run overrides through `metadata.scenario`, for testing what clients do with each ending:
 * - `failed`: the answer stops halfway; the run fails with `last_error` (`server_error`);
 * - `incomplete`: the answer stops halfway; the run ends `incomplete` (`max_completion_tokens`);
 * - `expired`: the answer stops halfway; the run `expired`;
 * - `slow`: deltas come every {@link SLOW_DELTA_DELAY_MS} ms whatever the pace, so there is time to cancel.
 */
export const SCENARIOS = ['failed', 'incomplete', 'expired', 'slow'] as const;

export type Scenario = (typeof SCENARIOS)[number];

/** The delay between two deltas of a `slow` run. */
export const SLOW_DELTA_DELAY_MS = 100;

/**
 * The scenario a run's metadata asks for; an unknown one is a 400 (`metadata.scenario`).
 *
 * @example `scenarioOf({ scenario: 'failed' }) // 'failed'`
 */
export function scenarioOf(metadata: Metadata | undefined): Scenario | undefined {
  const scenario = metadata?.['scenario'];
  if (scenario === undefined) return undefined;
  if ((SCENARIOS as readonly string[]).includes(scenario)) return scenario as Scenario;
  throw new ApiError(400, `Invalid value: '${scenario}'. Supported values are: ${SCENARIOS.map((name) => `'${name}'`).join(', ')}.`, {
    param: 'metadata.scenario',
    code: 'invalid_value',
  });
}
