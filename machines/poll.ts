import { assign, fromPromise, setup } from 'xstate';

/** What can be polled: each kind has its own retrieve endpoint and status sets. */
export type PollResource = 'run' | 'vectorStoreFile' | 'vectorStoreFileBatch' | 'response';

/**
 * The statuses that mean "wait and retrieve again" and those that end the poll, per resource
 * (the official SDK's sets). Anything else is unknown: retrieved again at once, a few times.
 * A run's `requires_action` ends the poll: the caller has tool outputs to submit.
 */
export const POLL_STATUSES = {
  run: {
    waiting: ['queued', 'in_progress', 'cancelling'],
    final: ['requires_action', 'incomplete', 'cancelled', 'completed', 'failed', 'expired'],
  },
  vectorStoreFile: { waiting: ['in_progress'], final: ['completed', 'failed', 'cancelled'] },
  vectorStoreFileBatch: { waiting: ['in_progress'], final: ['completed', 'failed', 'cancelled'] },
  // A background response of the Responses API.
  response: { waiting: ['queued', 'in_progress'], final: ['completed', 'failed', 'incomplete', 'cancelled'] },
} as const satisfies Record<PollResource, { waiting: readonly string[]; final: readonly string[] }>;

/** Which object a poll retrieves; plain JSON, so a persisted snapshot carries it. */
export type PollTarget =
  | { resource: 'run'; threadId: string; runId: string }
  | { resource: 'vectorStoreFile'; vectorStoreId: string; fileId: string }
  | { resource: 'vectorStoreFileBatch'; vectorStoreId: string; batchId: string }
  | { resource: 'response'; responseId: string };

/** How many times in a row an unknown status is retrieved again before the poll fails. */
export const DEFAULT_MAX_UNKNOWN_STATUS_REFETCHES = 3;
/** The wait between retrieves when neither `pollIntervalMs` nor the server says otherwise. */
export const DEFAULT_POLL_INTERVAL_MS = 5_000;

/** The input of a poll actor. */
export interface PollInput {
  target: PollTarget;
  /** The wait between retrieves, 0 included; overrides the `openai-poll-after-ms` header. */
  pollIntervalMs?: number | null | undefined;
  /** When (epoch ms) to give up with `deadline-exceeded`; absolute, so it survives a restore. */
  deadlineAt?: number | null | undefined;
  maxUnknownStatusRefetches?: number | undefined;
}

/** The input of one retrieve: what to retrieve, and the custom interval to announce. */
export interface PollFetchInput {
  target: PollTarget;
  pollIntervalMs: number | null;
}

/** What one retrieve resolves with. */
export interface PollFetchOutput {
  /** The retrieved object. */
  object: unknown;
  /** The raw `openai-poll-after-ms` response header, if any. */
  pollAfterMs: string | null;
  /** When (epoch ms, on the poll's clock) the response arrived: the wait counts from here. */
  receivedAt: number;
}

/** The input of the `timer` actor: when to wake up (epoch ms), or never (`null`). */
export interface TimerInput {
  wakeAt: number | null;
}

/** Why a poll ended in `failed`. */
export type PollFailure =
  /** A retrieve failed (after the client's retries); `error` is what it threw, unchanged. */
  | { reason: 'fetch-failed'; error: unknown }
  /** The status was unknown (or missing) this many retrieves in a row. */
  | { reason: 'unknown-status'; status: unknown; attempts: number }
  | { reason: 'deadline-exceeded'; deadlineAt: number }
  | { reason: 'aborted'; cause: unknown };

/** What a poll actor knows: its target, its timing, and the last object it retrieved. */
export interface PollContext {
  target: PollTarget;
  pollIntervalMs: number | null;
  deadlineAt: number | null;
  maxUnknownStatusRefetches: number;
  /** The last object retrieved (null before the first). */
  lastObject: unknown;
  unknownStatusCount: number;
  /** When the current wait ends (epoch ms). */
  wakeAt: number | null;
  failure: PollFailure | null;
}

/** The one event from outside: stop polling now (the client sends it when the signal fires). */
export type PollEvent = { type: 'abort'; reason?: unknown };

/** The result of a poll actor: the object in its final status, or why it failed. */
export type PollOutput =
  | { outcome: 'done'; object: unknown }
  | { outcome: 'failed'; failure: PollFailure; lastObject: unknown };

/** A clock the timer reads and schedules on: the real one, or XState's `SimulatedClock`. */
export interface PollClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** `Date.now` and the global timers. */
export const realClock: PollClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/**
 * The `timer` actor: resolves at `wakeAt` on `clock`, at once if that has passed, never if it is
 * null. Its input is an absolute time, so an actor restored from a persisted snapshot — which
 * restarts its invoked promise actors with their saved input — wakes when the original would
 * have (XState does not restore pending `after` timers).
 *
 * @example `assistantRunMachine.provide({ actors: { timer: createWakeUpTimer(new SimulatedClock()) } })`
 */
export function createWakeUpTimer(clock: PollClock = realClock) {
  return fromPromise<void, TimerInput>(
    ({ input, signal }) =>
      new Promise<void>((resolve) => {
        if (input.wakeAt === null) return;
        const id = clock.setTimeout(resolve, Math.max(0, input.wakeAt - clock.now()));
        signal.addEventListener('abort', () => clock.clearTimeout(id), { once: true });
      }),
  );
}

/**
 * The wait before the next retrieve: `pollIntervalMs` when given (0 included), else the
 * server's `openai-poll-after-ms` header read as a decimal integer, else 5 s.
 *
 * @example `nextPollDelayMs(null, '250') // 250`
 */
export function nextPollDelayMs(pollIntervalMs: number | null, pollAfterHeader: string | null): number {
  if (pollIntervalMs !== null) return pollIntervalMs;
  const fromServer = pollAfterHeader === null ? Number.NaN : Number.parseInt(pollAfterHeader, 10);
  return Number.isNaN(fromServer) ? DEFAULT_POLL_INTERVAL_MS : fromServer;
}

/** The status of a retrieved object (undefined when it has none). @example `statusOf({ status: 'queued' }) // 'queued'` */
export function statusOf(object: unknown): unknown {
  return typeof object === 'object' && object !== null ? (object as { status?: unknown }).status : undefined;
}

function hasStatusIn(statuses: readonly string[], object: unknown): boolean {
  const status = statusOf(object);
  return typeof status === 'string' && statuses.includes(status);
}

/** What a poll's I/O reports to its chart: the answer of a retrieve, the end of a wait, the deadline. */
export type PollIOReport =
  | ({ type: 'retrieved' } & PollFetchOutput)
  /** The retrieve threw (after the client's retries); `error` is what it threw, unchanged. */
  | { type: 'retrieveFailed'; error: unknown }
  | { type: 'woke' }
  | { type: 'deadlineReached' };

// The chart's I/O actions before `providePollIO` provides them: a poll without I/O fails at once.
const noIO = () => {
  throw new Error('the poll machine has no I/O: provide it with providePollIO(retrieve, clock) (the client does: see createPollMachine)');
};

// What a retrieve returned: the `retrieved` report, as typed params.
const retrieved = ({ event }: { event: PollMachineEvent }) => event as Extract<PollIOReport, { type: 'retrieved' }>;

/** Every event the poll chart handles: the caller's `abort` and its I/O actor's reports. */
export type PollMachineEvent = PollEvent | PollIOReport;

/**
 * Polling, as a statechart: retrieve the object, and while its status says "not yet", wait and
 * retrieve again, until a final status (`done`, output: the object) or a failure (`failed`).
 * The chart's actions do its I/O, provided by {@link providePollIO} (the client provides its
 * retrieve: see `createPollMachine`): entering `polling` arms the deadline (`armDeadline`),
 * entering `fetching` starts a retrieve (`retrieve`), entering `waiting` arms a timer until
 * `wakeAt` (`waitUntilWakeAt`), and leaving `polling` clears the timers and aborts a retrieve in
 * flight (`stopIO`). The answers come back as events: `retrieved`, `retrieveFailed`, `woke` and
 * `deadlineReached`.
 *
 * ```
 * polling (deadline) ───────────────────────────────────────────────────────────────────────┐
 * │ fetching ─(retrieved: final status)─────────────────────────────────────────────► done  │
 * │   │  ├─(retrieved: waiting status)─► waiting ─(woke)─► fetching                        │
 * │   │  └─(retrieved: unknown status, refetches left)─► fetching                          │
 * │   └─(retrieveFailed | retrieved: unknown status, no refetches left)─────────────► failed │
 * ├─(deadlineReached)────────────────────────────────────────────────────────────► failed │
 * └─(abort)───────────────────────────────────────────────────────────────────────► failed ┘
 * ```
 *
 * Every bit of context is plain JSON and every wait is until an absolute time, so
 * `getPersistedSnapshot()` can be stored and restored with `createActor(machine, { snapshot })`
 * in another process, where the machine from {@link providePollIO} carries on where it stopped
 * (XState runs no entry actions on restore: that machine retrieves again or waits on start).
 */
export const pollMachine = setup({
  types: {} as {
    context: PollContext;
    events: PollMachineEvent;
    input: PollInput;
    output: PollOutput;
  },
  guards: {
    hasFinalStatus: ({ context }, { object }: PollFetchOutput) => hasStatusIn(POLL_STATUSES[context.target.resource].final, object),
    hasWaitingStatus: ({ context }, { object }: PollFetchOutput) => hasStatusIn(POLL_STATUSES[context.target.resource].waiting, object),
    mayRefetchUnknownStatus: ({ context }) => context.unknownStatusCount < context.maxUnknownStatusRefetches,
  },
  actions: {
    keepObject: assign({ lastObject: (_, { object }: PollFetchOutput) => object }),
    keepObjectAndScheduleNextFetch: assign({
      lastObject: (_, { object }: PollFetchOutput) => object,
      unknownStatusCount: 0,
      wakeAt: ({ context }, { receivedAt, pollAfterMs }: PollFetchOutput) => receivedAt + nextPollDelayMs(context.pollIntervalMs, pollAfterMs),
    }),
    keepObjectAndCountUnknownStatus: assign({
      lastObject: (_, { object }: PollFetchOutput) => object,
      unknownStatusCount: ({ context }) => context.unknownStatusCount + 1,
    }),
    failOnUnknownStatus: assign({
      lastObject: (_, { object }: PollFetchOutput) => object,
      failure: ({ context }, { object }: PollFetchOutput) => ({
        reason: 'unknown-status' as const,
        status: statusOf(object),
        attempts: context.unknownStatusCount + 1,
      }),
    }),
    failOnFetchError: assign({
      failure: (_, error: unknown) => ({ reason: 'fetch-failed' as const, error }),
    }),
    failOnDeadline: assign({
      failure: ({ context }) => ({ reason: 'deadline-exceeded' as const, deadlineAt: context.deadlineAt ?? 0 }),
    }),
    failOnAbort: assign({ failure: (_, cause: unknown) => ({ reason: 'aborted' as const, cause }) }),
    // The I/O, provided by providePollIO.
    armDeadline: noIO,
    retrieve: noIO,
    waitUntilWakeAt: noIO,
    stopIO: noIO,
  },
}).createMachine({
  id: 'poll',
  context: ({ input }) => ({
    target: input.target,
    pollIntervalMs: input.pollIntervalMs ?? null,
    deadlineAt: input.deadlineAt ?? null,
    maxUnknownStatusRefetches: input.maxUnknownStatusRefetches ?? DEFAULT_MAX_UNKNOWN_STATUS_REFETCHES,
    lastObject: null,
    unknownStatusCount: 0,
    wakeAt: null,
    failure: null,
  }),
  initial: 'polling',
  states: {
    polling: {
      entry: 'armDeadline',
      exit: 'stopIO',
      on: {
        abort: { target: 'failed', actions: { type: 'failOnAbort', params: ({ event }: { event: PollMachineEvent }) => (event as PollEvent).reason } },
        deadlineReached: { target: 'failed', actions: 'failOnDeadline' },
      },
      initial: 'fetching',
      states: {
        fetching: {
          entry: 'retrieve',
          on: {
            retrieved: [
              { guard: { type: 'hasFinalStatus', params: retrieved }, target: '#poll.done', actions: { type: 'keepObject', params: retrieved } },
              { guard: { type: 'hasWaitingStatus', params: retrieved }, target: 'waiting', actions: { type: 'keepObjectAndScheduleNextFetch', params: retrieved } },
              { guard: 'mayRefetchUnknownStatus', target: 'fetching', reenter: true, actions: { type: 'keepObjectAndCountUnknownStatus', params: retrieved } },
              { target: '#poll.failed', actions: { type: 'failOnUnknownStatus', params: retrieved } },
            ],
            retrieveFailed: {
              target: '#poll.failed',
              actions: { type: 'failOnFetchError', params: ({ event }: { event: PollMachineEvent }) => (event as Extract<PollIOReport, { type: 'retrieveFailed' }>).error },
            },
          },
        },
        waiting: {
          entry: 'waitUntilWakeAt',
          on: { woke: 'fetching' },
        },
      },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
  },
  output: ({ context }): PollOutput =>
    context.failure === null
      ? { outcome: 'done', object: context.lastObject }
      : { outcome: 'failed', failure: context.failure, lastObject: context.lastObject },
});

/** The states of {@link pollMachine}, as `snapshot.value`. */
export type PollState = { polling: 'fetching' | 'waiting' } | 'done' | 'failed';
