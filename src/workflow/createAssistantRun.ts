import { createActor, fromCallback, fromPromise, type Actor, type ActorRefFrom, type InspectionEvent } from 'xstate';
import {
  assistantRunMachine,
  isTerminalRunStatus,
  type AssistantRunContext,
  type AssistantRunEvent,
  type AssistantRunToolOutput,
  type RetrievedRun,
  type RunLocator,
  type RunMessagesInput,
} from '../../machines/assistantRun.ts';
import { createWakeUpTimer, realClock, type PollClock } from '../../machines/poll.ts';
import type { AssistantsClient } from '../client/AssistantsClient.ts';
import { DeadlineExceededError, InvalidArgumentError } from '../client/errors.ts';
import type { Message, Run } from '../wire/index.ts';
import { RunNotStartedError } from './errors.ts';
import { assistantsBackend } from './assistantsBackend.ts';
import type { RunBackend } from './backend.ts';
import { responsesBackend, type ResponsesRunMode } from './responsesBackend.ts';
import { createRunStreamActor } from './streamActor.ts';
import { acquireThread } from './threadLock.ts';
import { forgetRunToolCalls, runToolCalls, type ToolCallRegistry, type ToolFunctions } from './tools.ts';

/** Options of {@link createAssistantRun}. */
export interface AssistantRunOptions {
  /** The client every request of the run goes through. */
  client: AssistantsClient;
  /**
   * The function tools, by name. With them, a paused run's calls run here and their outputs
   * are submitted; without them the actor waits for a `submitToolOutputs` event.
   */
  tools?: ToolFunctions | undefined;
  /** Stopping the actor also cancels the run on the server (default: the run is left alone). */
  cancelOnStop?: boolean | undefined;
  /** A stream that receives nothing for this long is treated as broken: the run is re-attached. */
  idleTimeoutMs?: number | undefined;
  /** The clock of the waits (a `SimulatedClock` in tests). */
  clock?: PollClock | undefined;
  /**
   * Run on the Responses API instead (`client.responses`): the same chart, the same input and
   * output, each run a chain of responses (docs/workflows.md, "On the Responses API").
   */
  responses?: ResponsesRunMode | undefined;
  /**
   * An XState inspection observer for the streams the run opens (each stream is an actor
   * system of its own, so the actor's own `inspect` option does not reach them): pass an
   * inspector's `inspect` here and to `createActor` to watch the workflow and its streams.
   */
  inspect?: ((event: InspectionEvent) => void) | undefined;
}

/** The actor logic {@link createAssistantRun} returns. */
export type AssistantRunLogic = typeof assistantRunMachine;

/** A running `assistantRun` actor. */
export type AssistantRunActor = ActorRefFrom<AssistantRunLogic>;

/**
 * Actor logic for one whole run: start it on a thread (or attach to one by id), stream it, run
 * its function tools in parallel and submit their outputs once, re-attach when a stream breaks,
 * cancel it on `{ type: 'cancel' }` or past `deadlineMs`, and end with `{ run, messages }` for
 * every terminal status. Invoke it from a workflow machine, or run it with `createActor`;
 * `getPersistedSnapshot()` restores with `createActor(logic, { snapshot })` in another process.
 *
 * @example
 * ```ts
 * const logic = createAssistantRun({ client, tools: { get_weather: ({ city }) => ({ city, temp: '22C' }) } });
 * const actor = createActor(logic, { input: { threadId, assistantId, additionalMessages: [{ role: 'user', content: 'Weather in Paris?' }], deadlineMs: 120_000 } });
 * actor.on('assistantRun.textDelta', ({ text }) => process.stdout.write(text));
 * actor.start();
 * const { run, messages } = await toPromise(actor);
 * ```
 */
export function createAssistantRun({ client, tools, cancelOnStop = false, idleTimeoutMs, clock = realClock, responses, inspect }: AssistantRunOptions): AssistantRunLogic {
  const registry: ToolCallRegistry = new Map();
  const backend: RunBackend = responses === undefined ? assistantsBackend(client) : responsesBackend(client, responses);
  return assistantRunMachine.provide({
    actors: {
      threadLock: fromCallback<AssistantRunEvent, { threadId: string; queue: boolean }>(({ input, sendBack, self }) => {
        const lockKey = `${backend.protocol} ${backend.baseURL} ${input.threadId}`;
        const release = input.queue ? acquireThread(lockKey, () => sendBack({ type: 'thread.acquired' })) : undefined;
        if (!input.queue) sendBack({ type: 'thread.acquired' });
        // Runs on every exit of `active`; the owner's status tells a stop from an ending.
        const owner = self._parent;
        return () => {
          release?.();
          if (cancelOnStop && owner !== undefined) cancelIfStopped(backend, owner.getSnapshot() as { status: string; context: AssistantRunContext });
        };
      }),
      stream: createRunStreamActor(backend, registry, { idleTimeoutMs, inspect }),
      retrieveRun: fromPromise<RetrievedRun, RunLocator>(({ input, signal }) => backend.retrieve(input, signal)),
      requestCancel: fromPromise<RetrievedRun, RunLocator>(({ input, signal }) => backend.cancel(input, signal)),
      runTools: fromPromise<AssistantRunToolOutput[], { run: Run }>(({ input, signal, self }) =>
        // Each call's start and end go to the chart, which announces them (`assistantRun.toolCall`).
        runToolCalls(input.run, tools ?? {}, registry, signal, (progress) => self._parent?.send({ type: 'tool.progress', ...progress })),
      ),
      listMessages: fromPromise<Message[], RunMessagesInput>(({ input, signal }) => {
        forgetRunToolCalls(registry, input.runId);
        return backend.messages(input, signal);
      }),
      timer: createWakeUpTimer(clock),
    },
    guards: { hasTools: () => tools !== undefined },
    actions: {
      raiseFailure: ({ context }) => {
        throw failureError(context);
      },
    },
  });
}

/** The typed error an actor whose `failure` is set fails with. @internal */
export function failureError(context: AssistantRunContext): unknown {
  const { failure } = context;
  switch (failure?.reason) {
    case 'deadline-exceeded':
      return new DeadlineExceededError<Run>(failure.deadlineAt, failure.run ?? undefined, `the run on thread ${context.threadId}`);
    case 'not-started':
      return new RunNotStartedError(failure.cause, context.threadId);
    case 'error':
      return failure.error;
    default:
      return new Error('the assistantRun actor failed without a recorded failure');
  }
}

// A stopped actor (not one that ended) whose run is known and not terminal: cancel it on the
// server, fire and forget — nothing is left to wait for the answer.
function cancelIfStopped(backend: RunBackend, owner: { status: string; context: AssistantRunContext }): void {
  const { status, context } = owner;
  if (status !== 'stopped' || context.runId === null || isTerminalRunStatus(context.run?.status)) return;
  backend.cancelAndForget(context.threadId, context.runId, context.run);
}

/**
 * An actor of `logic` restored from a persisted snapshot (parsed JSON) — what
 * `createActor(logic, { snapshot })` does, with the snapshot checked first. Start it: it carries
 * on where the persisted actor was.
 *
 * @example `const actor = restoreAssistantRun(createAssistantRun({ client, tools }), JSON.parse(saved)).start();`
 */
export function restoreAssistantRun(logic: AssistantRunLogic, snapshot: unknown): Actor<AssistantRunLogic> {
  const context = typeof snapshot === 'object' && snapshot !== null ? (snapshot as { context?: unknown }).context : undefined;
  if (typeof context !== 'object' || context === null || typeof (context as { threadId?: unknown }).threadId !== 'string' || !('value' in (snapshot as object))) {
    throw new InvalidArgumentError('snapshot', 'is not a persisted assistantRun snapshot (an object with `value` and a `context` with a `threadId`)');
  }
  // XState's types ask for an input whenever a machine declares one; a snapshot replaces it.
  return createActor(logic, { snapshot: snapshot as never, input: undefined as never });
}
