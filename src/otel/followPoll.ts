import { SpanKind, SpanStatusCode, type Context, type Tracer } from '@opentelemetry/api';
import type { PollOutput, PollResource } from '../../machines/poll.ts';
import type { PollActor } from '../client/poll.ts';
import type { ResponseObject, Run } from '../wire/index.ts';
import { errorType } from './outcome.ts';
import type { RunTrace } from './runTrace.ts';
import { ATTR } from './semconv.ts';

/** The resources whose poll is a GenAI operation (a run, a background response): traced as a run. */
export const POLLED_RUNS: ReadonlySet<PollResource> = new Set(['run', 'response']);

/**
 * Feeds `run` from a poll of a run or a background response: every retrieve that brings a new
 * status is a transition of the run (or the response), and the poll's end ends the span — with
 * the object in its final status, or why the poll failed (`deadline-exceeded`, `aborted`, the
 * retrieve's error).
 *
 * @example `followPolledRun(createActor(createPollMachine(client), { input: { target } }), runTrace);`
 */
export function followPolledRun(actor: PollActor, run: RunTrace): void {
  followPoll(actor, {
    object: (object) => (isResponse(object) ? run.response(object) : run.run(object as Run)),
    end: (object, error) => run.end(isResponse(object) ? { response: object, error } : { run: (object ?? undefined) as Run | undefined, error }),
  });
}

/**
 * A poll of anything else (a vector store file, a file batch) is not a GenAI operation: a
 * `poll {resource}` span (INTERNAL) with the object's status changes as events and its final
 * status (or the failure) at the end.
 *
 * @example `tracePlainPoll(tracer, actor, context.active());`
 */
export function tracePlainPoll(tracer: Tracer, actor: PollActor, parent: Context): void {
  const { resource } = actor.getSnapshot().context.target;
  const span = tracer.startSpan(`poll ${resource}`, { kind: SpanKind.INTERNAL, attributes: { [ATTR.pollResource]: resource } }, parent);
  followPoll(actor, {
    object: (object) => {
      const status = statusOf(object);
      if (status !== undefined) span.addEvent(`poll.${status}`, { [ATTR.chart]: 'poll', [ATTR.state]: status });
    },
    end: (object, error) => {
      const status = statusOf(object);
      if (status !== undefined) span.setAttribute(ATTR.pollStatus, status);
      if (error !== undefined) {
        span.setAttribute(ATTR.errorType, errorType(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  });
}

interface PollFollower {
  /** A retrieve brought an object with a new status. */
  object(object: unknown): void;
  /** The poll ended: the last object, and why it failed if it did. */
  end(object: unknown, error: unknown): void;
}

function followPoll(actor: PollActor, follower: PollFollower): void {
  let status: string | undefined;
  let seen: unknown = null;
  const subscription = actor.subscribe({
    next: (snapshot) => {
      const object = snapshot.context.lastObject;
      if (object !== seen && object !== null) {
        seen = object;
        const current = statusOf(object);
        if (current !== status) {
          status = current;
          follower.object(object);
        }
      }
      if (snapshot.status === 'stopped') {
        subscription.unsubscribe();
        follower.end(seen, { kind: 'stopped' });
      }
    },
    complete: () => {
      const output = actor.getSnapshot().output as PollOutput | undefined;
      if (output === undefined || output.outcome === 'done') follower.end(output?.object ?? seen, undefined);
      else follower.end(output.lastObject, output.failure.reason === 'fetch-failed' ? output.failure.error : { kind: output.failure.reason });
    },
    error: (error) => follower.end(seen, error),
  });
}

function statusOf(object: unknown): string | undefined {
  const status = typeof object === 'object' && object !== null ? (object as { status?: unknown }).status : undefined;
  return typeof status === 'string' ? status : undefined;
}

/** Whether a polled (or awaited) object is a response of the Responses API. */
export function isResponse(object: unknown): object is ResponseObject {
  return typeof object === 'object' && object !== null && (object as { object?: unknown }).object === 'response';
}
