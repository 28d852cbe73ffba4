import { AssistantsClientError } from '../client/errors.ts';

/**
 * An `assistantRun` actor was cancelled (or ran out of time) before its run existed on the
 * server: nothing ran, so there is no run to end with.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof RunNotStartedError) console.log(error.cause); }
 * ```
 */
export class RunNotStartedError extends AssistantsClientError {
  override readonly name: string = 'RunNotStartedError';
  declare readonly kind: 'run-not-started';
  /** What stopped it: a `cancel` event, or the deadline. */
  readonly reason: 'cancel' | 'deadline';
  constructor(reason: 'cancel' | 'deadline', threadId: string) {
    super('run-not-started', `the run on thread ${threadId} was ${reason === 'cancel' ? 'cancelled' : 'out of time'} before it was created: nothing ran on the server`);
    this.reason = reason;
  }
}
