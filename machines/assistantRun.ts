import { assign, enqueueActions, fromCallback, fromPromise, setup, type DoneActorEvent, type ErrorActorEvent } from 'xstate';
import type { AssistantStreamEvent, Message, RequiredActionFunctionToolCall, Run, UnknownStreamEvent } from '../src/wire/index.ts';
import { createWakeUpTimer, nextPollDelayMs, type TimerInput } from './poll.ts';

/** The statuses after which a run never changes. */
const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'failed', 'completed', 'incomplete', 'expired']);

/** One tool call's answer, as `submit_tool_outputs` takes it. */
export interface AssistantRunToolOutput {
  tool_call_id: string;
  output: string;
}

/**
 * The create-run parameters an `assistantRun` may be started with (camelCase; the client sends
 * them as the API's snake_case body). Plain JSON, so a persisted snapshot carries them.
 */
export interface AssistantRunCreateParams {
  assistantId: string;
  model?: string | null | undefined;
  instructions?: string | null | undefined;
  additionalInstructions?: string | null | undefined;
  additionalMessages?: ReadonlyArray<Record<string, unknown>> | null | undefined;
  tools?: ReadonlyArray<Record<string, unknown>> | null | undefined;
  metadata?: Record<string, string> | null | undefined;
  temperature?: number | null | undefined;
  topP?: number | null | undefined;
  maxPromptTokens?: number | null | undefined;
  maxCompletionTokens?: number | null | undefined;
  truncationStrategy?: Record<string, unknown> | null | undefined;
  toolChoice?: string | Record<string, unknown> | null | undefined;
  parallelToolCalls?: boolean | undefined;
  responseFormat?: unknown;
  reasoningEffort?: string | null | undefined;
  include?: ReadonlyArray<string> | undefined;
}

/** Start a new run on `threadId` (queued behind this process's other runs on the thread). */
export interface AssistantRunStartInput extends AssistantRunCreateParams {
  threadId: string;
  /** Give up after this many ms (from the actor's creation): cancel, confirm, fail. */
  deadlineMs?: number | undefined;
  /** The wait between retrieves while polling; default: the server's hint, else 5 s. */
  pollIntervalMs?: number | undefined;
  /**
   * The key put in the run's metadata to find it again (default: a random UUID). A durable host
   * gives one derived from its journal, so a create replayed elsewhere looks for the same run.
   */
  runKey?: string | undefined;
}

/** Attach to a run that already exists, whatever its status. */
export interface AssistantRunAttachInput {
  threadId: string;
  runId: string;
  deadlineMs?: number | undefined;
  pollIntervalMs?: number | undefined;
}

/** The input of an `assistantRun` actor. */
export type AssistantRunInput = AssistantRunStartInput | AssistantRunAttachInput;

/** What an `assistantRun` actor ends with, whatever the run's terminal status. */
export interface AssistantRunOutput {
  /** The run in its terminal status: read `run.status`. */
  run: Run;
  /** The assistant messages the run created, in order. */
  messages: Message[];
}

/** Why an `assistantRun` actor fails (it ends `done` for every terminal run status). */
export type AssistantRunFailure =
  /** `deadlineMs` passed; the run was cancelled and that confirmed (`run`: the last seen). */
  | { reason: 'deadline-exceeded'; deadlineAt: number; run: Run | null }
  /** Cancelled (or out of time) before any run existed on the server. */
  | { reason: 'not-started'; cause: 'cancel' | 'deadline' }
  /** Something that no retry or re-attach can fix: a refused create, a lost run, … */
  | { reason: 'error'; error: unknown; run: Run | null };

/** How a stream failed, as the `stream` actor classified it. */
export interface StreamFailure {
  error: unknown;
  /** Re-attaching may fix it (a broken connection, a 5xx, a submit the run moved past). */
  recoverable: boolean;
}

/** Events the parent (or anyone holding the actor) sends. */
export type AssistantRunCommand =
  /** Cancel the run on the server; the actor ends once the server confirms a terminal status. */
  | { type: 'cancel' }
  /** The outputs of a paused run's calls, when the actor has no implementation for them. */
  | { type: 'submitToolOutputs'; toolOutputs: AssistantRunToolOutput[] };

/** Events the invoked actors send back. */
export type AssistantRunInternalEvent =
  | { type: 'thread.acquired' }
  | { type: 'stream.event'; event: AssistantStreamEvent | UnknownStreamEvent }
  /** The server took a tool-outputs submission (its stream began). */
  | { type: 'stream.accepted'; pauseKey: string }
  /** A create stream found its run already on the server (a restarted start): re-attach. */
  | { type: 'stream.found'; run: Run }
  | { type: 'stream.ended'; run: Run | undefined }
  | { type: 'stream.failed'; failure: StreamFailure }
  /** The `runTools` actor started or finished one function call (see {@link ToolCallProgress}). */
  | ({ type: 'tool.progress' } & ToolCallProgress);

/**
 * One function call the actor runs itself, as it starts and as it ends: what a tracer needs to
 * time each tool. `error` is what the tool threw (its output is then the error string the
 * model reads); it is not part of any persisted snapshot.
 */
export type ToolCallProgress =
  | { phase: 'started'; runId: string; toolCall: RequiredActionFunctionToolCall }
  | { phase: 'ended'; runId: string; toolCall: RequiredActionFunctionToolCall; output: string; error?: unknown };

/** Every event an `assistantRun` actor takes. */
export type AssistantRunEvent = AssistantRunCommand | AssistantRunInternalEvent;

/** Progress, emitted to `actor.on(...)` and sent to the parent actor as it happens. */
export type AssistantRunProgress =
  /** Every event of every stream of the run, in order. */
  | { type: 'assistantRun.event'; event: AssistantStreamEvent | UnknownStreamEvent }
  /** A text fragment of an assistant message. */
  | { type: 'assistantRun.textDelta'; messageId: string; text: string }
  /** The run's status changed (seen in a stream, a retrieve, or a cancel). */
  | { type: 'assistantRun.status'; run: Run }
  /** The tools ran (or the parent answered): these outputs go to the server. */
  | { type: 'assistantRun.toolOutputs'; runId: string; toolOutputs: AssistantRunToolOutput[] }
  /** One of the function calls this actor runs started, or ended (with its output, and what it threw). */
  | ({ type: 'assistantRun.toolCall' } & ToolCallProgress);

/** The input of the `stream` actor: create the run, or submit a pause's outputs. */
export type RunStreamInput =
  | { kind: 'create'; threadId: string; runKey: string; params: AssistantRunCreateParams; run: Run | null }
  | {
      kind: 'submit';
      threadId: string;
      runId: string;
      pauseKey: string;
      toolOutputs: AssistantRunToolOutput[];
      /** The paused run, as last seen. */
      run: Run | null;
      /** The create parameters; null when the actor attached to the run. */
      params: AssistantRunCreateParams | null;
    };

/** The input of the `retrieveRun` and `requestCancel` actors. */
export interface RunLocator {
  threadId: string;
  /** Null when the run's id was never seen: find it by `runKey` in its metadata. */
  runId: string | null;
  runKey: string;
  /** The run as last seen, if ever (a backend may need more of it than its id). */
  run: Run | null;
}

/** The input of the `listMessages` actor: the terminal run, by id and as last seen. */
export interface RunMessagesInput {
  threadId: string;
  runId: string;
  run: Run | null;
}

/** What `retrieveRun` and `requestCancel` resolve with (`run` null: no such run exists). */
export interface RetrievedRun {
  run: Run | null;
  /** The raw `openai-poll-after-ms` header, if any. */
  pollAfterMs: string | null;
  /** When (epoch ms) the answer arrived: the next wait counts from here. */
  receivedAt: number;
}

/** The tool outputs of one pause, once computed (kept so a restore never runs the tools again). */
export interface PauseOutputs {
  pauseKey: string;
  toolOutputs: AssistantRunToolOutput[];
}

/** What an `assistantRun` actor knows; plain JSON (but `failure.error`), so it persists. */
export interface AssistantRunContext {
  threadId: string;
  runId: string | null;
  /** The create parameters; null when attaching to an existing run. */
  params: AssistantRunCreateParams | null;
  /** A random key put in the run's metadata, to find the run again if its id was never seen. */
  runKey: string;
  deadlineAt: number | null;
  pollIntervalMs: number | null;
  /** The last run object seen. */
  run: Run | null;
  /** The outputs of the current pause, once known. */
  outputs: PauseOutputs | null;
  /** Pauses whose submission the server took. */
  submittedPauses: string[];
  /** Submissions tried for the current pause (a 400 that keeps coming back ends the actor). */
  submitAttempts: number;
  /** Create attempts that found no run on the server afterwards. */
  createAttempts: number;
  /** Failed retrieves (or cancel requests) in a row. */
  requestFailures: number;
  /** When the current wait ends (epoch ms). */
  wakeAt: number | null;
  /** Why the run is being cancelled, once it is. */
  cancelReason: 'requested' | 'deadline' | null;
  messages: Message[];
  failure: AssistantRunFailure | null;
}

/** How many times a run is created anew when no run turned up after a failed create. */
export const MAX_CREATE_ATTEMPTS = 3;
/** How many submissions of one pause are tried when each is refused while the run still waits. */
export const MAX_SUBMIT_ATTEMPTS = 3;
/** How many retrieves (or cancel requests) may fail in a row before the actor gives up. */
export const MAX_REQUEST_FAILURES = 5;
/** The wait before retrieving a run that looked stale, when `pollIntervalMs` is not given. */
export const DEFAULT_RECHECK_MS = 500;
/** The metadata key holding an `assistantRun`'s run key. */
export const RUN_KEY_METADATA = 'assistant_machines_run';

/** Whether a run status is terminal. @example `isTerminalRunStatus('expired') // true` */
export function isTerminalRunStatus(status: string | undefined): boolean {
  return status !== undefined && TERMINAL_STATUSES.has(status);
}

/** The function calls a paused run waits for (none when it does not wait). */
export function pendingToolCalls(run: Run | null | undefined): RequiredActionFunctionToolCall[] {
  return run?.status === 'requires_action' ? (run.required_action?.submit_tool_outputs.tool_calls ?? []) : [];
}

/**
 * The identity of a pause: its run and the ids of the calls it waits for. A run may pause
 * several times; each pause is answered once.
 *
 * @example `pauseKeyOf(run) // 'run_1:call_a,call_b'`
 */
export function pauseKeyOf(run: Run | null | undefined): string | null {
  const calls = pendingToolCalls(run);
  if (run == null || calls.length === 0) return null;
  return `${run.id}:${calls.map((call) => call.id).sort().join(',')}`;
}

const doneOutput = <T>(event: unknown) => (event as DoneActorEvent<T>).output;

/**
 * One run, start to finish, as an actor a workflow can `invoke`: start it (or attach to it),
 * stream it, run its tools and submit their outputs, re-attach when a stream breaks, cancel it
 * on request or at the deadline, and end with the run and its messages.
 *
 * ```
 * active ───────────────────────────────────────────────────────────────────────────────────┐
 * │ working (deadline timer) ──────────────────────────────────────────────────────────────┐ │
 * │ │ queued ─(thread.acquired)─► creating ─(stream ended: requires_action)─► actionRequired │ │
 * │ │ actionRequired ─► runningTools | awaitingOutputs ─► submitting ─(stream ended)─► …     │ │
 * │ │ creating | submitting ─(stream failed: recoverable)─► reattaching ⇄ waiting           │ │
 * │ │ (terminal run) ─────────────────────────────────────────────────────────► finishing   │ │
 * │ ├─(cancel | deadline)─► cancelling: requesting ─► waiting ⇄ confirming ─► confirmed     │ │
 * │ finishing ─(messages listed)──────────────────────────────────────────────────► done   │
 * └─(an error nothing fixes, a deadline, a cancel before the run existed)────────► failed   ┘
 * ```
 *
 * The I/O is invoked actors provided from `src/workflow/` (`threadLock`, `stream`,
 * `retrieveRun`, `requestCancel`, `runTools`, `listMessages`, `timer`), and `raiseFailure`
 * turns a failure into the typed error the actor fails with. Context is plain JSON and every
 * wait is an invoked timer with an absolute wake-up time, so `getPersistedSnapshot()` restores
 * in another process. A restore restarts the invoked actor of the state it was in, so each is
 * idempotent: a create first looks for its run by `runKey`, a submission the run moved past is
 * answered 400 and reconciled by a retrieve, and outputs once computed live in context.
 */
export const assistantRunMachine = setup({
  types: {} as {
    context: AssistantRunContext;
    events: AssistantRunEvent;
    input: AssistantRunInput;
    output: AssistantRunOutput;
    emitted: AssistantRunProgress;
  },
  actors: {
    threadLock: fromCallback<AssistantRunEvent, { threadId: string; queue: boolean }>(({ sendBack }) => {
      sendBack({ type: 'thread.acquired' });
    }),
    stream: fromCallback<AssistantRunEvent, RunStreamInput>(() => {
      throw new Error('the assistantRun machine has no `stream` actor: use createAssistantRun');
    }),
    retrieveRun: fromPromise<RetrievedRun, RunLocator>(async () => {
      throw new Error('the assistantRun machine has no `retrieveRun` actor: use createAssistantRun');
    }),
    requestCancel: fromPromise<RetrievedRun, RunLocator>(async () => {
      throw new Error('the assistantRun machine has no `requestCancel` actor: use createAssistantRun');
    }),
    runTools: fromPromise<AssistantRunToolOutput[], { run: Run }>(async () => {
      throw new Error('the assistantRun machine has no `runTools` actor: use createAssistantRun');
    }),
    listMessages: fromPromise<Message[], RunMessagesInput>(async () => {
      throw new Error('the assistantRun machine has no `listMessages` actor: use createAssistantRun');
    }),
    timer: createWakeUpTimer(),
  },
  guards: {
    isAttaching: ({ context }) => context.params === null,
    cancelWasRequested: ({ context }) => context.cancelReason !== null,
    cancelRequestedAndRunKnown: ({ context }) => context.cancelReason !== null && context.runId !== null,
    runIsKnown: ({ context }) => context.runId !== null,
    hasTools: () => false,
    streamEndedTerminal: ({ event }) => event.type === 'stream.ended' && isTerminalRunStatus(event.run?.status),
    streamEndedRequiringAction: ({ event }) => event.type === 'stream.ended' && event.run?.status === 'requires_action',
    streamFailureIsRecoverable: ({ event }) => event.type === 'stream.failed' && event.failure.recoverable,
    noRunRetrieved: ({ event }) => doneOutput<RetrievedRun>(event).run === null,
    noRunAndCancelRequested: ({ context, event }) => doneOutput<RetrievedRun>(event).run === null && context.cancelReason !== null,
    // Only a run whose id was never seen may be created again: its create may never have arrived.
    noRunAndMayCreateAgain: ({ context, event }) =>
      doneOutput<RetrievedRun>(event).run === null && context.params !== null && context.runId === null && context.createAttempts < MAX_CREATE_ATTEMPTS,
    retrievedRunIsTerminal: ({ event }) => isTerminalRunStatus(doneOutput<RetrievedRun>(event).run?.status),
    retrievedRunRequiresAction: ({ event }) => doneOutput<RetrievedRun>(event).run?.status === 'requires_action',
    mayRetryRequest: ({ context }) => context.requestFailures + 1 < MAX_REQUEST_FAILURES,
    pauseWasSubmitted: ({ context }) => {
      const key = pauseKeyOf(context.run);
      return key !== null && context.submittedPauses.includes(key);
    },
    submitAttemptsExhausted: ({ context }) => context.outputs?.pauseKey === pauseKeyOf(context.run) && context.submitAttempts >= MAX_SUBMIT_ATTEMPTS,
    hasOutputsForPause: ({ context }) => context.outputs !== null && context.outputs.pauseKey === pauseKeyOf(context.run),
    cancelledForDeadline: ({ context }) => context.cancelReason === 'deadline',
  },
  actions: {
    noteRunEvent: assign(({ context, event }) => {
      if (event.type !== 'stream.event') return {};
      const { data } = event.event as { data: { object?: unknown; id?: string; status?: string } };
      if (data?.object !== 'thread.run') return {};
      const run = data as Run;
      return { run, runId: run.id };
    }),
    announceEvent: enqueueActions(({ enqueue, event, self }) => {
      if (event.type !== 'stream.event') return;
      const progress: AssistantRunProgress[] = [{ type: 'assistantRun.event', event: event.event }];
      const { event: name, data } = event.event as { event: string; data: Record<string, unknown> };
      if (name === 'thread.message.delta') {
        const content = (data['delta'] as { content?: Array<{ type?: string; text?: { value?: string } }> } | undefined)?.content ?? [];
        for (const part of content) {
          if (part.type === 'text' && typeof part.text?.value === 'string' && part.text.value !== '') {
            progress.push({ type: 'assistantRun.textDelta', messageId: String(data['id']), text: part.text.value });
          }
        }
      } else if (name.startsWith('thread.run.') && !name.startsWith('thread.run.step.')) {
        progress.push({ type: 'assistantRun.status', run: data as Run });
      }
      for (const item of progress) {
        enqueue.emit(item);
        if (self._parent !== undefined) enqueue.sendParent(item);
      }
    }),
    announceRun: enqueueActions(({ enqueue, context, self }) => {
      if (context.run === null) return;
      const item: AssistantRunProgress = { type: 'assistantRun.status', run: context.run };
      enqueue.emit(item);
      if (self._parent !== undefined) enqueue.sendParent(item);
    }),
    announceToolCall: enqueueActions(({ enqueue, event, self }) => {
      if (event.type !== 'tool.progress') return;
      const { type: _type, ...progress } = event;
      const item: AssistantRunProgress = { type: 'assistantRun.toolCall', ...progress };
      enqueue.emit(item);
      if (self._parent !== undefined) enqueue.sendParent(item);
    }),
    announceOutputs: enqueueActions(({ enqueue, context, self }) => {
      if (context.outputs === null || context.runId === null) return;
      const item: AssistantRunProgress = { type: 'assistantRun.toolOutputs', runId: context.runId, toolOutputs: context.outputs.toolOutputs };
      enqueue.emit(item);
      if (self._parent !== undefined) enqueue.sendParent(item);
    }),
    keepEndedRun: assign(({ context, event }) => {
      if (event.type !== 'stream.ended' || event.run === undefined) return {};
      return { run: event.run, runId: event.run.id ?? context.runId };
    }),
    keepFoundRun: assign(({ event }) => (event.type === 'stream.found' ? { run: event.run, runId: event.run.id } : {})),
    keepRetrievedRun: assign(({ context, event }) => {
      const { run } = doneOutput<RetrievedRun>(event);
      return run === null ? { requestFailures: 0 } : { run, runId: run.id, requestFailures: 0 };
    }),
    scheduleRetrieve: assign({
      wakeAt: ({ event, context }) => {
        const { pollAfterMs, receivedAt } = doneOutput<RetrievedRun>(event);
        return receivedAt + nextPollDelayMs(context.pollIntervalMs, pollAfterMs);
      },
    }),
    scheduleRetryAfterFailure: assign({
      requestFailures: ({ context }) => context.requestFailures + 1,
      // Backs off 100 ms, 200 ms, 400 ms… on the wall clock (plain JSON, survives a restore).
      wakeAt: ({ context }) => Date.now() + 100 * 2 ** context.requestFailures,
    }),
    scheduleSoon: assign({ wakeAt: ({ context }) => Date.now() + (context.pollIntervalMs ?? DEFAULT_RECHECK_MS) }),
    markSubmitted: assign({
      submittedPauses: ({ context, event }) =>
        event.type === 'stream.accepted' && !context.submittedPauses.includes(event.pauseKey) ? [...context.submittedPauses, event.pauseKey] : context.submittedPauses,
    }),
    countCreate: assign({ createAttempts: ({ context }) => context.createAttempts + 1 }),
    countSubmit: assign({
      submitAttempts: ({ context }) => context.submitAttempts + 1,
    }),
    keepToolOutputs: assign(({ context, event }) => ({
      outputs: { pauseKey: pauseKeyOf(context.run) ?? '', toolOutputs: doneOutput<AssistantRunToolOutput[]>(event) },
      submitAttempts: 0,
    })),
    keepGivenOutputs: assign(({ context, event }) =>
      event.type === 'submitToolOutputs' ? { outputs: { pauseKey: pauseKeyOf(context.run) ?? '', toolOutputs: event.toolOutputs }, submitAttempts: 0 } : {},
    ),
    noteCancelRequested: assign({ cancelReason: ({ context }) => context.cancelReason ?? 'requested' }),
    noteDeadline: assign({ cancelReason: 'deadline' }),
    keepMessages: assign({ messages: ({ event }) => doneOutput<Message[]>(event) }),
    failOnStream: assign(({ context, event }) => ({
      failure: { reason: 'error' as const, error: event.type === 'stream.failed' ? event.failure.error : undefined, run: context.run },
    })),
    failOnRequest: assign(({ context, event }) => ({ failure: { reason: 'error' as const, error: (event as unknown as ErrorActorEvent).error, run: context.run } })),
    failAsLost: assign(({ context }) => ({
      failure: {
        reason: 'error' as const,
        error: new Error(
          context.runId === null
            ? `no run of this actor (metadata.${RUN_KEY_METADATA} = ${context.runKey}) exists on thread ${context.threadId}`
            : `run ${context.runId} does not exist on thread ${context.threadId}`,
        ),
        run: null,
      },
    })),
    failAsRefusedSubmission: assign(({ context }) => ({
      failure: { reason: 'error' as const, error: new Error(`the server refused the tool outputs of ${context.outputs?.pauseKey} ${MAX_SUBMIT_ATTEMPTS} times while the run kept waiting for them`), run: context.run },
    })),
    failNotStarted: assign(({ context }) => ({ failure: { reason: 'not-started' as const, cause: context.cancelReason === 'deadline' ? ('deadline' as const) : ('cancel' as const) } })),
    failOnDeadline: assign(({ context }) => ({ failure: { reason: 'deadline-exceeded' as const, deadlineAt: context.deadlineAt ?? 0, run: context.run } })),
    raiseFailure: ({ context }) => {
      throw new Error(`assistantRun failed: ${context.failure?.reason ?? 'unknown'}`);
    },
  },
}).createMachine({
  id: 'assistantRun',
  context: ({ input }) => {
    checkAssistantRunInput(input);
    const { threadId, deadlineMs } = input;
    const params = 'runId' in input ? null : paramsOf(input);
    return {
      threadId,
      runId: 'runId' in input ? input.runId : null,
      params,
      runKey: ('runKey' in input ? input.runKey : undefined) ?? globalThis.crypto.randomUUID(),
      deadlineAt: deadlineMs === undefined ? null : Date.now() + deadlineMs,
      pollIntervalMs: input.pollIntervalMs ?? null,
      run: null,
      outputs: null,
      submittedPauses: [],
      submitAttempts: 0,
      createAttempts: 0,
      requestFailures: 0,
      wakeAt: null,
      cancelReason: null,
      messages: [],
      failure: null,
    };
  },
  initial: 'active',
  states: {
    active: {
      invoke: { id: 'threadLock', src: 'threadLock', input: ({ context }) => ({ threadId: context.threadId, queue: context.params !== null }) },
      initial: 'working',
      states: {
        working: {
          invoke: { id: 'deadline', src: 'timer', input: ({ context }): TimerInput => ({ wakeAt: context.deadlineAt }), onDone: { target: 'cancelling', actions: 'noteDeadline' } },
          on: {
            cancel: [{ guard: 'runIsKnown', target: 'cancelling', actions: 'noteCancelRequested' }, { actions: 'noteCancelRequested' }],
          },
          always: { guard: 'cancelRequestedAndRunKnown', target: 'cancelling' },
          initial: 'queued',
          states: {
            /** Waiting for this process's earlier runs on the thread to end (attaching waits for nothing). */
            queued: {
              on: {
                'thread.acquired': [
                  { guard: 'isAttaching', target: 'reattaching' },
                  { guard: 'cancelWasRequested', target: '#assistantRun.failed', actions: 'failNotStarted' },
                  { target: 'creating' },
                ],
                cancel: [
                  { guard: 'runIsKnown', target: '#assistantRun.active.cancelling', actions: 'noteCancelRequested' },
                  { target: '#assistantRun.failed', actions: ['noteCancelRequested', 'failNotStarted'] },
                ],
              },
            },
            /** Creating the run with a stream (or, restored, finding it by its key) and streaming it. */
            creating: {
              entry: 'countCreate',
              invoke: { id: 'stream', src: 'stream', input: ({ context }): RunStreamInput => ({ kind: 'create', threadId: context.threadId, runKey: context.runKey, params: context.params!, run: context.run }) },
              on: {
                'stream.event': { actions: ['noteRunEvent', 'announceEvent'] },
                'stream.found': { target: 'reattaching', actions: 'keepFoundRun' },
                'stream.ended': [
                  { guard: 'streamEndedTerminal', target: '#assistantRun.active.finishing', actions: 'keepEndedRun' },
                  { guard: 'streamEndedRequiringAction', target: 'actionRequired', actions: 'keepEndedRun' },
                  { target: 'reattaching', actions: 'keepEndedRun' },
                ],
                'stream.failed': [{ guard: 'streamFailureIsRecoverable', target: 'reattaching' }, { target: '#assistantRun.failed', actions: 'failOnStream' }],
              },
            },
            /** The stream is gone (or there never was one): retrieve the run to see where it stands. */
            reattaching: {
              invoke: {
                id: 'retrieveRun',
                src: 'retrieveRun',
                input: ({ context }): RunLocator => ({ threadId: context.threadId, runId: context.runId, runKey: context.runKey, run: context.run }),
                onDone: [
                  { guard: 'noRunAndCancelRequested', target: '#assistantRun.failed', actions: 'failNotStarted' },
                  { guard: 'noRunAndMayCreateAgain', target: 'creating' },
                  { guard: 'noRunRetrieved', target: '#assistantRun.failed', actions: 'failAsLost' },
                  { guard: 'retrievedRunIsTerminal', target: '#assistantRun.active.finishing', actions: ['keepRetrievedRun', 'announceRun'] },
                  { guard: 'retrievedRunRequiresAction', target: 'actionRequired', actions: ['keepRetrievedRun', 'announceRun'] },
                  { target: 'waiting', actions: ['keepRetrievedRun', 'announceRun', 'scheduleRetrieve'] },
                ],
                onError: [
                  { guard: 'mayRetryRequest', target: 'waiting', actions: 'scheduleRetryAfterFailure' },
                  { target: '#assistantRun.failed', actions: 'failOnRequest' },
                ],
              },
            },
            /** Waiting (an invoked timer: absolute wake-up time) before retrieving the run again. */
            waiting: {
              invoke: { id: 'wait', src: 'timer', input: ({ context }): TimerInput => ({ wakeAt: context.wakeAt }), onDone: 'reattaching' },
            },
            /** The run paused for tool outputs: decide who answers (transient). */
            actionRequired: {
              always: [
                { guard: 'pauseWasSubmitted', target: 'waiting', actions: 'scheduleSoon' },
                { guard: 'submitAttemptsExhausted', target: '#assistantRun.failed', actions: 'failAsRefusedSubmission' },
                { guard: 'hasOutputsForPause', target: 'submitting' },
                { guard: 'hasTools', target: 'runningTools' },
                { target: 'awaitingOutputs' },
              ],
            },
            /** Running this pause's function calls in parallel (each at most once per process). */
            runningTools: {
              invoke: {
                id: 'runTools',
                src: 'runTools',
                input: ({ context }) => ({ run: context.run! }),
                onDone: { target: 'submitting', actions: ['keepToolOutputs', 'announceOutputs'] },
                onError: { target: '#assistantRun.failed', actions: 'failOnRequest' },
              },
              on: { 'tool.progress': { actions: 'announceToolCall' } },
            },
            /** No implementation here: waiting for the parent's `submitToolOutputs`. */
            awaitingOutputs: {
              on: { submitToolOutputs: { target: 'submitting', actions: ['keepGivenOutputs', 'announceOutputs'] } },
            },
            /** Submitting the pause's outputs with a stream, and streaming the rest of the run. */
            submitting: {
              entry: 'countSubmit',
              invoke: {
                id: 'stream',
                src: 'stream',
                input: ({ context }): RunStreamInput => ({
                  kind: 'submit',
                  threadId: context.threadId,
                  runId: context.runId!,
                  pauseKey: context.outputs!.pauseKey,
                  toolOutputs: context.outputs!.toolOutputs,
                  run: context.run,
                  params: context.params,
                }),
              },
              on: {
                'stream.accepted': { actions: 'markSubmitted' },
                'stream.event': { actions: ['noteRunEvent', 'announceEvent'] },
                'stream.ended': [
                  { guard: 'streamEndedTerminal', target: '#assistantRun.active.finishing', actions: 'keepEndedRun' },
                  { guard: 'streamEndedRequiringAction', target: 'actionRequired', actions: 'keepEndedRun' },
                  { target: 'reattaching', actions: 'keepEndedRun' },
                ],
                'stream.failed': [{ guard: 'streamFailureIsRecoverable', target: 'reattaching' }, { target: '#assistantRun.failed', actions: 'failOnStream' }],
              },
            },
          },
        },
        /** Cancelling the run on the server and waiting until it confirms a terminal status. */
        cancelling: {
          initial: 'requesting',
          states: {
            /** `POST …/cancel` (a run already terminal is answered with itself). */
            requesting: {
              invoke: {
                id: 'requestCancel',
                src: 'requestCancel',
                input: ({ context }): RunLocator => ({ threadId: context.threadId, runId: context.runId, runKey: context.runKey, run: context.run }),
                onDone: [
                  { guard: 'noRunRetrieved', target: '#assistantRun.failed', actions: 'failNotStarted' },
                  { guard: 'retrievedRunIsTerminal', target: 'confirmed', actions: ['keepRetrievedRun', 'announceRun'] },
                  { target: 'waiting', actions: ['keepRetrievedRun', 'announceRun', 'scheduleRetrieve'] },
                ],
                onError: [
                  { guard: 'mayRetryRequest', target: 'retryWait', actions: 'scheduleRetryAfterFailure' },
                  { target: '#assistantRun.failed', actions: 'failOnRequest' },
                ],
              },
            },
            /** Waiting before asking to cancel again, after a failed request. */
            retryWait: {
              invoke: { id: 'wait', src: 'timer', input: ({ context }): TimerInput => ({ wakeAt: context.wakeAt }), onDone: 'requesting' },
            },
            /** Waiting before retrieving the cancelling run again. */
            waiting: {
              invoke: { id: 'wait', src: 'timer', input: ({ context }): TimerInput => ({ wakeAt: context.wakeAt }), onDone: 'confirming' },
            },
            /** Retrieving the run: is it terminal yet? */
            confirming: {
              invoke: {
                id: 'retrieveRun',
                src: 'retrieveRun',
                input: ({ context }): RunLocator => ({ threadId: context.threadId, runId: context.runId, runKey: context.runKey, run: context.run }),
                onDone: [
                  { guard: 'retrievedRunIsTerminal', target: 'confirmed', actions: ['keepRetrievedRun', 'announceRun'] },
                  { target: 'waiting', actions: ['keepRetrievedRun', 'scheduleRetrieve'] },
                ],
                onError: [
                  { guard: 'mayRetryRequest', target: 'waiting', actions: 'scheduleRetryAfterFailure' },
                  { target: '#assistantRun.failed', actions: 'failOnRequest' },
                ],
              },
            },
            /** The server confirmed a terminal status (transient). */
            confirmed: {
              always: [{ guard: 'cancelledForDeadline', target: '#assistantRun.failed', actions: 'failOnDeadline' }, { target: '#assistantRun.active.finishing' }],
            },
          },
        },
        /** The run is terminal: listing the assistant messages it created. */
        finishing: {
          invoke: {
            id: 'listMessages',
            src: 'listMessages',
            input: ({ context }): RunMessagesInput => ({ threadId: context.threadId, runId: context.runId!, run: context.run }),
            onDone: { target: '#assistantRun.done', actions: 'keepMessages' },
            onError: { target: '#assistantRun.failed', actions: 'failOnRequest' },
          },
        },
      },
    },
    /** The run reached a terminal status (any of them): output `{ run, messages }`. */
    done: { type: 'final' },
    /**
     * The actor fails with the typed error of `failure` (`raiseFailure`), one macrostep after
     * entering: XState drops the stops it defers to the end of a transition that throws, so a
     * throw on entry would leave the thread lock, the deadline timer and any stream running.
     */
    failed: { after: { 0: { actions: 'raiseFailure' } } },
  },
  output: ({ context }): AssistantRunOutput => ({ run: context.run!, messages: context.messages }),
});

/**
 * An `assistantRun` actor was given input it cannot run: the message names the field. The actor
 * fails with it as it starts, before any request.
 */
export class AssistantRunInputError extends TypeError {
  override readonly name = 'AssistantRunInputError';
  readonly kind = 'invalid-input';
  /** The field, as `input.deadlineMs`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`assistantRun ${message}`);
    this.field = field;
  }
}

const describeValue = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** Throws {@link AssistantRunInputError} for input an actor cannot run (the context factory calls it). */
export function checkAssistantRunInput(input: unknown): asserts input is AssistantRunInput {
  if (typeof input !== 'object' || input === null) throw new AssistantRunInputError('input', 'input must be an object with a threadId');
  const fields = input as Record<string, unknown>;
  const isId = (value: unknown) => typeof value === 'string' && value !== '';
  if (!isId(fields['threadId'])) throw new AssistantRunInputError('input.threadId', `input.threadId must be a non-empty string (got ${describeValue(fields['threadId'])})`);
  if ('runId' in fields) {
    if (!isId(fields['runId'])) throw new AssistantRunInputError('input.runId', `input.runId must be a non-empty string (got ${describeValue(fields['runId'])})`);
  } else if (!isId(fields['assistantId'])) {
    throw new AssistantRunInputError(
      'input.assistantId',
      `input.assistantId must be a non-empty string (got ${describeValue(fields['assistantId'])}); or give input.runId to attach to a run`,
    );
  }
  if (fields['runKey'] !== undefined && !isId(fields['runKey'])) throw new AssistantRunInputError('input.runKey', `input.runKey must be a non-empty string (got ${describeValue(fields['runKey'])})`);
  for (const name of ['deadlineMs', 'pollIntervalMs']) {
    const value = fields[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new AssistantRunInputError(`input.${name}`, `input.${name} must be a number of ms ≥ 0 (got ${describeValue(value)})`);
    }
  }
}

function paramsOf(input: AssistantRunStartInput): AssistantRunCreateParams {
  const { threadId: _threadId, deadlineMs: _deadlineMs, pollIntervalMs: _pollIntervalMs, runKey: _runKey, ...params } = input;
  return params;
}

/** The states of {@link assistantRunMachine}, as `snapshot.value`. */
export type AssistantRunState =
  | { active: { working: 'queued' | 'creating' | 'reattaching' | 'waiting' | 'actionRequired' | 'runningTools' | 'awaitingOutputs' | 'submitting' } }
  | { active: { cancelling: 'requesting' | 'retryWait' | 'waiting' | 'confirming' | 'confirmed' } }
  | { active: 'finishing' }
  | 'done'
  | 'failed';
