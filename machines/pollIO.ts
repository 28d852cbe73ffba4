import type { AnyActorRef, EventObject } from 'xstate';
import { pollMachine, type PollClock, type PollContext, type PollFetchInput, type PollFetchOutput, type PollIOReport } from './poll.ts';

/**
 * One retrieve of a poll's object; `signal` fires when the poll ends before it answers. It is
 * one signal per poll (made once, on its first retrieve), so a retrieve may key what it prepares
 * once per poll on it (the client's poll keeps its prepared request there).
 */
export type PollRetrieve = (input: PollFetchInput, signal: AbortSignal) => Promise<PollFetchOutput>;

/** The poll chart with its I/O provided: what {@link providePollIO} returns. */
export type PollMachineWithIO = typeof pollMachine;

// What a running poll holds that is not state: its timers, the signal of its retrieves (aborted
// when the poll stops only while one is in flight: an abort builds a DOMException, and a poll
// that ends normally has nothing to abort), and a count that makes the answer of a superseded
// retrieve or wait ignored.
interface Effects {
  controller: AbortController | undefined;
  retrievesInFlight: number;
  waitTimer: unknown;
  deadlineTimer: unknown;
  generation: number;
}

type PollSnapshot = ReturnType<typeof pollMachine.getInitialSnapshot>;

const XSTATE_STOP = 'xstate.stop';

/**
 * The poll chart with its I/O: `retrieve` and `clock`'s timers, run by the chart's own actions.
 * Entering `polling` arms the deadline, entering `fetching` starts a retrieve, entering `waiting`
 * arms a timer until `wakeAt`; each answer comes back to the chart as an event (`retrieved`,
 * `retrieveFailed`, `woke`, `deadlineReached`). Leaving `polling` — or stopping the actor —
 * clears the timers and aborts a retrieve in flight.
 *
 * XState runs no entry actions when it restores a persisted snapshot, so the returned machine
 * also carries on a restored poll when its actor starts: it retrieves again if it was fetching,
 * and wakes at the persisted `wakeAt` if it was waiting. The machine is the poll chart itself
 * (same states, transitions and definition, for the inspector and the diagrams); only its
 * `start`, `restoreSnapshot` and `transition` (for the stop) are wrapped.
 *
 * No I/O actor: a poll's cycle is two events to one actor. An invoked child made every macrostep
 * of its parent dearer (docs/design.md, "Polling").
 *
 * @example `const machine = providePollIO(async (input, signal) => retrieve(input, signal), new SimulatedClock());`
 */
export function providePollIO(retrieve: PollRetrieve, clock: PollClock): PollMachineWithIO {
  const running = new WeakMap<AnyActorRef, Effects>();
  const restored = new WeakSet<object>();

  const effectsOf = (self: AnyActorRef): Effects => {
    let effects = running.get(self);
    if (effects === undefined) {
      effects = { controller: undefined, retrievesInFlight: 0, waitTimer: undefined, deadlineTimer: undefined, generation: 0 };
      running.set(self, effects);
    }
    return effects;
  };
  // Reports reach the chart only if it still waits for them: same command, actor running.
  const report = (self: AnyActorRef, effects: Effects, generation: number, event: PollIOReport) => {
    if (effects.generation === generation && running.get(self) === effects) self.send(event);
  };
  const clearWait = (effects: Effects) => {
    if (effects.waitTimer !== undefined) clock.clearTimeout(effects.waitTimer);
    effects.waitTimer = undefined;
  };

  const startRetrieve = (self: AnyActorRef, context: PollContext) => {
    const effects = effectsOf(self);
    clearWait(effects);
    const generation = ++effects.generation;
    effects.controller ??= new AbortController();
    effects.retrievesInFlight++;
    let answer: Promise<PollFetchOutput>;
    try {
      answer = retrieve({ target: context.target, pollIntervalMs: context.pollIntervalMs }, effects.controller.signal);
    } catch (error) {
      // A retrieve that throws instead of rejecting fails the poll the same way.
      answer = Promise.reject(error);
    }
    answer.then(
      (output) => {
        effects.retrievesInFlight--;
        report(self, effects, generation, { type: 'retrieved', object: output.object, pollAfterMs: output.pollAfterMs, receivedAt: output.receivedAt });
      },
      (error: unknown) => {
        effects.retrievesInFlight--;
        report(self, effects, generation, { type: 'retrieveFailed', error });
      },
    );
  };
  const startWait = (self: AnyActorRef, wakeAt: number) => {
    const effects = effectsOf(self);
    clearWait(effects);
    const generation = ++effects.generation;
    effects.waitTimer = clock.setTimeout(() => report(self, effects, generation, { type: 'woke' }), Math.max(0, wakeAt - clock.now()));
  };
  const armDeadline = (self: AnyActorRef, deadlineAt: number | null) => {
    if (deadlineAt === null) return;
    const effects = effectsOf(self);
    effects.deadlineTimer = clock.setTimeout(() => {
      if (running.get(self) === effects) self.send({ type: 'deadlineReached' } satisfies PollIOReport);
    }, Math.max(0, deadlineAt - clock.now()));
  };
  const stopIO = (self: AnyActorRef) => {
    const effects = running.get(self);
    if (effects === undefined) return;
    running.delete(self);
    effects.generation++;
    clearWait(effects);
    if (effects.deadlineTimer !== undefined) clock.clearTimeout(effects.deadlineTimer);
    if (effects.retrievesInFlight > 0) effects.controller?.abort();
  };

  // The chart, with its effects carried on by a restored actor and stopped with a stopped one.
  const wrap = (provided: PollMachineWithIO): PollMachineWithIO => {
    const machine = Object.create(provided) as PollMachineWithIO;
    machine.restoreSnapshot = (snapshot, scope) => {
      const restoredSnapshot = provided.restoreSnapshot(snapshot, scope);
      restored.add(restoredSnapshot);
      return restoredSnapshot;
    };
    machine.start = (snapshot: PollSnapshot, scope?: { self: AnyActorRef }) => {
      provided.start(snapshot);
      if (scope === undefined || !restored.has(snapshot) || snapshot.status !== 'active') return;
      const { self } = scope;
      armDeadline(self, snapshot.context.deadlineAt);
      if (snapshot.matches({ polling: 'fetching' })) startRetrieve(self, snapshot.context);
      else if (snapshot.matches({ polling: 'waiting' })) startWait(self, snapshot.context.wakeAt ?? 0);
    };
    machine.transition = (snapshot, event, scope) => {
      if ((event as EventObject).type === XSTATE_STOP) stopIO(scope.self);
      return provided.transition(snapshot, event, scope);
    };
    // A further provide() (a test's guard, say) keeps the I/O's start and stop.
    machine.provide = (implementations) => wrap(provided.provide(implementations));
    return machine;
  };
  return wrap(
    pollMachine.provide({
      actions: {
        armDeadline: ({ context, self }) => armDeadline(self, context.deadlineAt),
        retrieve: ({ context, self }) => startRetrieve(self, context),
        waitUntilWakeAt: ({ context, self }) => startWait(self, context.wakeAt ?? 0),
        stopIO: ({ self }) => stopIO(self),
      },
    }),
  );
}
