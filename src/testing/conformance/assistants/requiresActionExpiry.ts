import type { ConformanceCheck } from '../check.ts';
import { call, expect, sleep } from '../http.ts';
import { followStatuses, pathOf, pollThroughCharts } from '../poll.ts';
import { expectEnvelope, pausedWeatherRun } from './api.ts';

/** How much of a check's time the wait for an expiry may take. */
const WAIT_SHARE = 0.5;
/** How long past `expires_at` a server may take to end the run (its clock, its sweep). */
const GRACE_MS = 2_000;

/**
 * A run left at `requires_action` carries a future `expires_at`; when that comes within the
 * check's time, it is waited for: the run must end `expired`, and outputs submitted after are
 * refused. An expiry further away (the API's is 10 minutes) passes with a warning.
 */
export const requiresActionExpiry: ConformanceCheck = {
  id: 'requires-action-expiry',
  protocol: 'assistants',
  title: 'a run left at requires_action has a future expires_at and, once there, ends expired; later outputs are refused',
  async run(ctx) {
    const started = Date.now();
    const { target, paused, callIds } = await pausedWeatherRun(ctx);
    const expiresAt = paused['expires_at'];
    expect(typeof expiresAt === 'number' && expiresAt * 1000 > Date.now() - 1000, `a run at requires_action has expires_at ${String(expiresAt)}, not a future time`);
    const waitMs = expiresAt * 1000 - Date.now();
    const budgetMs = Number(ctx.timeoutMs) * WAIT_SHARE - (Date.now() - started);
    if (waitMs > budgetMs) {
      ctx.warn(`the expiry (in ${Math.round(waitMs / 1000)} s) is beyond this check's time: not waited for`);
      return;
    }
    await sleep(ctx, Math.max(0, waitMs));
    let end = await pollThroughCharts(ctx, target);
    while (end['status'] === 'requires_action' && Date.now() < expiresAt * 1000 + GRACE_MS) {
      await sleep(ctx, 100);
      end = await pollThroughCharts(ctx, target);
    }
    // The run chart reads the pause and its end as one run: requires_action → expired.
    followStatuses(ctx, target, [paused, end]);
    expect(end['status'] === 'expired', `${GRACE_MS / 1000} s past its expires_at the run is ${String(end['status'])}, not expired`);
    const late = await call(ctx, 'POST', `${pathOf(target)}/submit_tool_outputs`, { tool_outputs: callIds.map((id) => ({ tool_call_id: id, output: 'late' })) });
    expect(late.status === 400, `outputs for an expired run answered ${late.status}, not 400`);
    expectEnvelope(late.body, 'submit_tool_outputs of an expired run');
  },
};
