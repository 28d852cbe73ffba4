import { createActor, type ActorRefFrom } from 'xstate';
import { realClock, type PollFetchInput, type PollFetchOutput, type PollOutput, type PollTarget } from '../../../machines/poll.ts';
import { providePollIO } from '../../../machines/pollIO.ts';
import { runMachine } from '../../../machines/run.ts';
import { runOfResponse } from '../../wire/responses/objects.ts';
import type { ResponseObject, Run, RunWireEvent } from '../../wire/index.ts';
import { call, type CheckContext, CheckFailure, describe, isRecord } from './http.ts';
import { createTransitionRecorder } from './transitions.ts';

/** What the suite polls: a run, or a (background) response. */
export type PolledTarget = Extract<PollTarget, { resource: 'run' } | { resource: 'response' }>;

/** The wait between retrieves when the server sends no `openai-poll-after-ms` (the API's Responses do not). */
const DEFAULT_PACE_MS = 100;

/**
 * Polls a run or a response through the poll chart (`machines/poll.ts`) until a final status (a
 * run's `requires_action` included), at the server's `openai-poll-after-ms` pace (10 ms – 1 s,
 * 100 ms without one). Every status retrieved also drives a run chart, tolerantly (a poll sees
 * only some statuses): a status the run chart cannot reach from the previous one — `completed`
 * then `in_progress` — fails the check. The transitions of both charts are the check's.
 *
 * @example `const run = await pollThroughCharts(ctx, { resource: 'run', threadId, runId });`
 */
export async function pollThroughCharts(ctx: CheckContext, target: PolledTarget, seen: string[] = []): Promise<Record<string, unknown>> {
  const recorder = createTransitionRecorder();
  const follower = createActor(runMachine, { input: { run: placeholderRun(target) }, inspect: recorder.inspect }).start();
  let refused: string | undefined;
  const retrieve = async (input: PollFetchInput): Promise<PollFetchOutput> => {
    const answer = await call(ctx, 'GET', pathOf(input.target as PolledTarget));
    if (answer.status !== 200 || !isRecord(answer.body)) throw new CheckFailure(`GET ${pathOf(target)} answered ${answer.status}: ${describe(answer.body)}`);
    const status = String(answer.body['status']);
    seen.push(status);
    refused ??= follow(follower, target, answer.body);
    const header = answer.headers.get('openai-poll-after-ms');
    const pace = header === null || !/^\d+$/.test(header) ? DEFAULT_PACE_MS : Math.min(Math.max(Number(header), 10), 1000);
    return { object: answer.body, pollAfterMs: String(pace), receivedAt: realClock.now() };
  };
  const machine = providePollIO(retrieve, realClock);
  const poll = createActor(machine, { input: { target }, inspect: recorder.inspect });
  const output = await new Promise<PollOutput>((resolve, reject) => {
    const abort = () => poll.send({ type: 'abort', reason: ctx.signal.reason });
    poll.subscribe({
      complete: () => {
        ctx.signal.removeEventListener('abort', abort);
        resolve(poll.getSnapshot().output!);
      },
      error: reject,
    });
    poll.start();
    if (ctx.signal.aborted) abort();
    else ctx.signal.addEventListener('abort', abort, { once: true });
  });
  follower.stop();
  for (const name of recorder.names()) ctx.transitions.add(name);
  if (refused !== undefined) throw new CheckFailure(refused);
  if (output.outcome === 'done') return output.object as Record<string, unknown>;
  const { failure } = output;
  if (failure.reason === 'fetch-failed') throw failure.error;
  if (failure.reason === 'aborted') throw new CheckFailure(`it never reached a final status (statuses seen: ${[...new Set(seen)].join(', ')})`);
  throw new CheckFailure(`polling ${pathOf(target)} failed: ${failure.reason === 'unknown-status' ? `unknown status ${describe(failure.status)}` : failure.reason}`);
}

/**
 * Drives a run chart with the statuses of objects already in hand (a created response, a
 * cancel's answer), recording its transitions; fails when the chart cannot take one.
 *
 * @example `followStatuses(ctx, { resource: 'response', responseId: id }, [created])`
 */
export function followStatuses(ctx: CheckContext, target: PolledTarget, objects: readonly Record<string, unknown>[]): void {
  const recorder = createTransitionRecorder();
  const follower = createActor(runMachine, { input: { run: placeholderRun(target) }, inspect: recorder.inspect }).start();
  const refused = objects.map((object) => follow(follower, target, object)).find((reason) => reason !== undefined);
  follower.stop();
  for (const name of recorder.names()) ctx.transitions.add(name);
  if (refused !== undefined) throw new CheckFailure(refused);
}

/** The path a target is retrieved at. */
export function pathOf(target: PolledTarget): string {
  return target.resource === 'run' ? `/threads/${target.threadId}/runs/${target.runId}` : `/responses/${target.responseId}`;
}

// Sends the retrieved status to the run chart; says why when the chart has no such transition.
function follow(follower: ActorRefFrom<typeof runMachine>, target: PolledTarget, object: Record<string, unknown>): string | undefined {
  const status = String(object['status']);
  const run = target.resource === 'run' ? (object as unknown as Run) : runOfResponse(object as unknown as ResponseObject, { runId: target.responseId, threadId: target.responseId }, status as Run['status']);
  const event = { type: `thread.run.${status}`, data: run } as RunWireEvent;
  const before = follower.getSnapshot();
  if (!before.can(event)) return `the status went from ${String(before.value)} to ${status}, which the run chart does not draw`;
  follower.send(event);
  return undefined;
}

function placeholderRun(target: PolledTarget): Run {
  return { id: target.resource === 'run' ? target.runId : target.responseId, status: 'queued' } as Run;
}
