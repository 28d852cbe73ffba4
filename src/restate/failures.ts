import { TerminalError } from '@restatedev/restate-sdk';
import { DeadlineExceededError } from '../client/errors.ts';
import { RunNotStartedError } from '../workflow/errors.ts';

/** An error as a journaled step records it: plain JSON, so a replay hands the chart the same failure. */
export interface RecordedError {
  name: string;
  message: string;
  /** The typed error's discriminant, when it had one (`kind`). */
  kind?: string | undefined;
  /** The HTTP status of an API error. */
  status?: number | undefined;
}

/**
 * An error a journaled step recorded, as the chart gets it back (on the first execution and on
 * every replay alike): its name, message, `kind` and `status` survive, its class does not.
 *
 * @example `if (error instanceof ReplayedStepError && error.status === 400) …`
 */
export class ReplayedStepError extends Error {
  readonly kind: string | undefined;
  readonly status: number | undefined;
  constructor(recorded: RecordedError) {
    super(recorded.message);
    this.name = recorded.name;
    this.kind = recorded.kind;
    this.status = recorded.status;
  }
}

/** What a step records of `error`. @internal */
export function recordError(error: unknown): RecordedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { kind, status } = error as { kind?: unknown; status?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof kind === 'string' ? { kind } : {}),
    ...(typeof status === 'number' ? { status } : {}),
  };
}

/** The HTTP-like code a durable run's failure ends its invocation with. */
export const FAILURE_CODES = { deadline: 408, notStarted: 409, error: 500 } as const;

/**
 * The terminal error a durable run's invocation ends with when its actor failed: a deadline is
 * 408, a run cancelled before it existed 409, anything else 500; the message says which run and
 * why (the object's `state` handler keeps the details).
 *
 * @internal
 */
export function terminalErrorOf(error: unknown, threadKey: string): TerminalError {
  if (error instanceof DeadlineExceededError) return new TerminalError(`deadline-exceeded: ${error.message}`, { errorCode: FAILURE_CODES.deadline });
  if (error instanceof RunNotStartedError) return new TerminalError(`run-not-started: ${error.message}`, { errorCode: FAILURE_CODES.notStarted });
  const { name, message } = recordError(error);
  return new TerminalError(`the run on ${threadKey} failed: ${name}: ${message}`, { errorCode: FAILURE_CODES.error });
}
