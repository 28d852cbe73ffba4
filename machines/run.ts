import { assign, setup } from 'xstate';
import type { Run, RunWireEvent } from '../src/wire/index.ts';

/** What the run actor knows: the latest run object the stream carried. */
export interface RunContext {
  run: Run;
}

/** Spawn input: the run object of the first run event seen. */
export interface RunInput {
  run: Run;
}

// Every run event carries the whole run, so each transition simply keeps the newest object.
const to = <Target extends string>(target: Target) => ({ target, actions: 'adopt' as const });
const stay = { actions: 'adopt' as const };

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
 */
export const runMachine = setup({
  types: {} as {
    context: RunContext;
    events: RunWireEvent;
    input: RunInput;
  },
  actions: {
    adopt: assign({ run: ({ event }) => event.data }),
  },
}).createMachine({
  id: 'run',
  context: ({ input }) => ({ run: input.run }),
  initial: 'unseen',
  states: {
    unseen: {
      on: {
        'thread.run.created': to('queued'),
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
        'thread.run.cancelling': to('cancelling'),
        'thread.run.cancelled': to('cancelled'),
        'thread.run.failed': to('failed'),
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
