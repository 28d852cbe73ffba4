import type { ActorLogic, AnyActorRef, EventObject, Snapshot } from 'xstate';
import type { PollClock, PollFetchInput, PollFetchOutput, PollTarget } from './poll.ts';

/** The input of a poll's I/O actor: what to retrieve, the interval to announce, the deadline. */
export interface PollIOInput {
  target: PollTarget;
  pollIntervalMs: number | null;
  /** When (epoch ms, on the I/O's clock) to report `deadlineReached`; never when null. */
  deadlineAt: number | null;
}

/** What the poll chart asks of its I/O actor on entering `fetching` and `waiting`. */
export type PollIOCommand = { type: 'retrieve' } | { type: 'wait'; wakeAt: number };

/** What the I/O actor reports back to the poll chart. */
export type PollIOReport =
  | ({ type: 'retrieved' } & PollFetchOutput)
  /** The retrieve threw (after the client's retries); `error` is what it threw, unchanged. */
  | { type: 'retrieveFailed'; error: unknown }
  | { type: 'woke' }
  | { type: 'deadlineReached' };

/** The command the I/O actor is carrying out; persisted, so a restored actor carries it on. */
export type PollIOTask = { kind: 'retrieve' } | { kind: 'wait'; wakeAt: number } | null;

/** The I/O actor's snapshot: plain JSON (its input and its task). */
export type PollIOSnapshot = Snapshot<undefined> & { input: PollIOInput; task: PollIOTask };

/** One retrieve of a poll's object; `signal` fires when the poll ends before it answers. */
export type PollRetrieve = (input: PollFetchInput, signal: AbortSignal) => Promise<PollFetchOutput>;

/** The logic of a poll's I/O actor (see {@link createPollIO}). */
export type PollIOLogic = ActorLogic<PollIOSnapshot, PollIOCommand | EventObject, PollIOInput>;

// What a running I/O actor holds that is not state: its timers, the signal of its retrieves
// (aborted on stop only while one is in flight: an abort builds a DOMException, and a poll that
// ends normally has nothing to abort), and a count that makes the answer of a superseded retrieve
// or wait ignored.
interface Effects {
  controller: AbortController | undefined;
  retrievesInFlight: number;
  waitTimer: unknown;
  deadlineTimer: unknown;
  generation: number;
}

const XSTATE_STOP = 'xstate.stop';

/**
 * The I/O of one poll, as one actor for the poll's whole life: it retrieves when the chart
 * enters `fetching`, waits until an absolute time when it enters `waiting`, and reports each
 * answer back (`retrieved`, `retrieveFailed`, `woke`), plus `deadlineReached` at the input's
 * deadline. One long-lived actor instead of an invoked actor per retrieve and per wait: creating,
 * starting and stopping two actors per cycle was most of a poll's CPU beyond the fetch itself
 * (docs/design.md, "Polling").
 *
 * Its snapshot carries the task it is on (retrieve, or wait until `wakeAt`), so an actor restored
 * from a persisted snapshot retrieves again or wakes when the original would have. Stopping it
 * (the chart leaving `polling`) clears its timers and aborts a retrieve in flight.
 *
 * @example `pollMachine.provide({ actors: { io: createPollIO(async (input, signal) => retrieve(input, signal), new SimulatedClock()) } })`
 */
export function createPollIO(retrieve: PollRetrieve, clock: PollClock): PollIOLogic {
  const running = new WeakMap<AnyActorRef, Effects>();
  const report = (self: AnyActorRef, effects: Effects, generation: number, event: PollIOReport) => {
    if (effects.generation === generation && self.getSnapshot().status === 'active') self._parent?.send(event);
  };
  const carryOut = (self: AnyActorRef, snapshot: PollIOSnapshot) => {
    const effects = running.get(self);
    const { task } = snapshot;
    if (effects === undefined || task === null) return;
    const generation = ++effects.generation;
    if (task.kind === 'wait') {
      effects.waitTimer = clock.setTimeout(() => report(self, effects, generation, { type: 'woke' }), Math.max(0, task.wakeAt - clock.now()));
      return;
    }
    effects.controller ??= new AbortController();
    effects.retrievesInFlight++;
    const { target, pollIntervalMs } = snapshot.input;
    let answer: Promise<PollFetchOutput>;
    try {
      answer = retrieve({ target, pollIntervalMs }, effects.controller.signal);
    } catch (error) {
      // A retrieve that throws instead of rejecting fails the poll the same way.
      answer = Promise.reject(error);
    }
    answer.then(
      (output) => {
        effects.retrievesInFlight--;
        report(self, effects, generation, { type: 'retrieved', ...output });
      },
      (error: unknown) => {
        effects.retrievesInFlight--;
        report(self, effects, generation, { type: 'retrieveFailed', error });
      },
    );
  };
  const clearWait = (effects: Effects | undefined) => {
    if (effects?.waitTimer !== undefined) clock.clearTimeout(effects.waitTimer);
    if (effects !== undefined) effects.waitTimer = undefined;
  };
  return {
    transition(snapshot, event, { self }) {
      if (snapshot.status !== 'active') return snapshot;
      if (event.type === XSTATE_STOP) {
        const effects = running.get(self);
        running.delete(self);
        if (effects !== undefined) {
          effects.generation++;
          clearWait(effects);
          if (effects.deadlineTimer !== undefined) clock.clearTimeout(effects.deadlineTimer);
          if (effects.retrievesInFlight > 0) effects.controller?.abort();
        }
        return { ...snapshot, status: 'stopped', task: null };
      }
      const command = event as PollIOCommand;
      if (command.type !== 'retrieve' && command.type !== 'wait') return snapshot;
      clearWait(running.get(self));
      const next: PollIOSnapshot = { ...snapshot, task: command.type === 'retrieve' ? { kind: 'retrieve' } : { kind: 'wait', wakeAt: command.wakeAt } };
      carryOut(self, next);
      return next;
    },
    start(snapshot, { self }) {
      if (snapshot.status !== 'active') return;
      const effects: Effects = { controller: undefined, retrievesInFlight: 0, waitTimer: undefined, deadlineTimer: undefined, generation: 0 };
      running.set(self, effects);
      const { deadlineAt } = snapshot.input;
      if (deadlineAt !== null) {
        effects.deadlineTimer = clock.setTimeout(() => {
          if (self.getSnapshot().status === 'active') self._parent?.send({ type: 'deadlineReached' } satisfies PollIOReport);
        }, Math.max(0, deadlineAt - clock.now()));
      }
      // A restored actor carries on with the task it had when it was persisted.
      carryOut(self, snapshot);
    },
    getInitialSnapshot: (_, input) => ({ status: 'active', output: undefined, error: undefined, input, task: null }),
    getPersistedSnapshot: (snapshot) => snapshot,
    restoreSnapshot: (snapshot) => snapshot as PollIOSnapshot,
  };
}
