import { assign, setup } from 'xstate';
import type { Run, RunWireEvent } from '../src/wire/index.ts';
import { isTolerant, type LifecycleMode } from './lifecycle.ts';

/** What the run actor knows: the latest run object the stream carried. */
export interface RunContext {
  run: Run;
  lifecycle: LifecycleMode;
}

/** Spawn input: the run object of the first run event seen. */
export interface RunInput {
  run: Run;
  /** `strict` refuses the transitions drawn `[tolerant]`; default `tolerant`. */
  lifecycle?: LifecycleMode | undefined;
}

// Every run event carries the whole run, so each transition simply keeps the newest object.
const to = <Target extends string>(target: Target) => ({ target, actions: 'adopt' as const });
const stay = { actions: 'adopt' as const };
// A status some backends skip to (see machines/lifecycle.ts): taken only when tolerant.
const skipTo = <Target extends string>(target: Target) => ({ target, guard: 'tolerant' as const, actions: 'adopt' as const });

/**
 * The run lifecycle. States are the wire statuses; transitions are the `thread.run.*` events
 * the stream delivers. A stream may join a run mid-life (the tool-outputs stream starts at
 * `queued` again), so `unseen` accepts any status as the first one. An event the current state
 * has no transition for is a lifecycle violation: the stream rejects it.
 *
 * ```
 * unseen ─► queued ─► in_progress ─► requires_action ─► queued …
 *              │           ├─► completed | incomplete | failed | expired
 *              └─► cancelling ─► cancelled | completed | failed | incomplete | expired
 * ```
 *
 * Tolerant (the default) also takes the skips some backends make: `queued → requires_action |
 * completed | incomplete` (no `in_progress` seen), `requires_action → completed | incomplete`
 * (the resumed run's `queued` and `in_progress` unseen), and a `thread.run.created` whose run is
 * not `queued`. Strict takes `thread.run.created` only for a `queued` run.
 */
export const runMachine = setup({
  types: {} as {
    context: RunContext;
    events: RunWireEvent;
    input: RunInput;
  },
  guards: {
    tolerant: isTolerant,
    createdQueued: ({ event }) => event.data.status === 'queued',
  },
  actions: {
    adopt: assign({ run: ({ event }) => event.data }),
  },
}).createMachine({
  id: 'run',
  context: ({ input }) => ({ run: input.run, lifecycle: input.lifecycle ?? 'tolerant' }),
  initial: 'unseen',
  states: {
    unseen: {
      on: {
        'thread.run.created': [{ guard: 'createdQueued', ...to('queued') }, skipTo('queued')],
        'thread.run.queued': to('queued'),
        'thread.run.in_progress': to('in_progress'),
        'thread.run.requires_action': to('requires_action'),
        'thread.run.cancelling': to('cancelling'),
        'thread.run.cancelled': to('cancelled'),
        'thread.run.failed': to('failed'),
        'thread.run.completed': to('completed'),
        'thread.run.incomplete': to('incomplete'),
        'thread.run.expired': to('expired'),
      },
    },
    queued: {
      on: {
        'thread.run.queued': stay,
        'thread.run.in_progress': to('in_progress'),
        'thread.run.requires_action': skipTo('requires_action'),
        'thread.run.cancelling': to('cancelling'),
        'thread.run.cancelled': to('cancelled'),
        'thread.run.failed': to('failed'),
        'thread.run.completed': skipTo('completed'),
        'thread.run.incomplete': skipTo('incomplete'),
        'thread.run.expired': to('expired'),
      },
    },
    in_progress: {
      on: {
        'thread.run.in_progress': stay,
        'thread.run.requires_action': to('requires_action'),
        'thread.run.cancelling': to('cancelling'),
        'thread.run.cancelled': to('cancelled'),
        'thread.run.failed': to('failed'),
        'thread.run.completed': to('completed'),
        'thread.run.incomplete': to('incomplete'),
        'thread.run.expired': to('expired'),
      },
    },
    requires_action: {
      on: {
        'thread.run.requires_action': stay,
        'thread.run.queued': to('queued'),
        'thread.run.in_progress': to('in_progress'),
        'thread.run.cancelling': to('cancelling'),
        'thread.run.cancelled': to('cancelled'),
        'thread.run.failed': to('failed'),
        'thread.run.completed': skipTo('completed'),
        'thread.run.incomplete': skipTo('incomplete'),
        'thread.run.expired': to('expired'),
      },
    },
    cancelling: {
      on: {
        'thread.run.cancelling': stay,
        'thread.run.cancelled': to('cancelled'),
        'thread.run.completed': to('completed'),
        'thread.run.failed': to('failed'),
        'thread.run.incomplete': to('incomplete'),
        'thread.run.expired': to('expired'),
      },
    },
    completed: { type: 'final' },
    incomplete: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
    expired: { type: 'final' },
  },
});

/** The states of {@link runMachine}: `unseen` plus every wire status. */
export type RunState = 'unseen' | Run['status'];
