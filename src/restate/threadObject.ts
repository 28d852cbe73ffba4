import * as restate from '@restatedev/restate-sdk';
import { createActor } from 'xstate';
import {
  assistantRunMachine,
  checkAssistantRunInput,
  pendingToolCalls,
  type AssistantRunAttachInput,
  type AssistantRunOutput,
  type AssistantRunStartInput,
  type AssistantRunToolOutput,
} from '../../machines/assistantRun.ts';
import type { AssistantsClient } from '../client/AssistantsClient.ts';
import type { Run } from '../wire/index.ts';
import { assistantsBackend } from '../workflow/assistantsBackend.ts';
import type { RunBackend } from '../workflow/backend.ts';
import { failureError } from '../workflow/createAssistantRun.ts';
import { responsesBackend, type ConversationStore, type ResponsesRunMode } from '../workflow/responsesBackend.ts';
import type { ToolFunctions } from '../workflow/tools.ts';
import { durableActors, type DurableRunEventListener } from './actors.ts';
import { recordError, terminalErrorOf } from './failures.ts';
import { StepJournal } from './journal.ts';
import { ensurePromiseWithResolvers } from './node20.ts';

/** The default name of the thread object (its path on Restate's ingress: `/assistantThread/<key>/run`). */
export const DEFAULT_THREAD_OBJECT_NAME = 'assistantThread';

/** A durable run's input: `createAssistantRun`'s, the thread being the object's key. */
export type DurableRunInput =
  | (Omit<AssistantRunStartInput, 'threadId' | 'runKey'> & { threadId?: string | undefined })
  | (Omit<AssistantRunAttachInput, 'threadId'> & { threadId?: string | undefined });

/** The events a running durable run takes through the object's `send` handler. */
export type DurableRunCommand = { type: 'cancel' } | { type: 'submitToolOutputs'; toolOutputs: AssistantRunToolOutput[] };

/** Where a thread's run stands, as the object's `state` handler answers (and keeps after it ends). */
export interface DurableRunState {
  /** The invocation of the run's `run` handler: attach to it, or signal it. */
  invocationId: string;
  /** The chart's state, dotted (`active.working.submitting`, `done`, `failed`). */
  state: string;
  runId: string | null;
  /** The run as last recorded (by a journaled step). */
  run: Run | null;
  /** True once the handler returned (or failed). */
  ended: boolean;
  /** Why it failed, when it did. */
  failure: { name: string; message: string } | null;
}

/** Options of {@link createAssistantThreadObject}. */
export interface AssistantThreadObjectOptions {
  /** The object's name (default `assistantThread`). */
  name?: string | undefined;
  /** The client every request of every run goes through. */
  client: AssistantsClient;
  /** The function tools, by name: each call runs as a journaled step. Without them, a paused run waits for `send({ type: 'submitToolOutputs' })`. */
  tools?: ToolFunctions | undefined;
  /**
   * Run on the Responses API: the same as `createAssistantRun`'s option, except that the
   * conversation of each key is kept in the object's state (its `conversations` store is not used).
   */
  responses?: Omit<ResponsesRunMode, 'conversations'> | undefined;
  /** A stream that receives nothing for this long is treated as broken: the run is re-attached. */
  idleTimeoutMs?: number | undefined;
  /** Every stream event as the worker reads it (live: a replay does not repeat what was read before). */
  onEvent?: ((event: Parameters<DurableRunEventListener>[0], key: string) => void) | undefined;
  /** Restate's service options (retry policy, retention, timeouts) for the object. */
  options?: restate.ObjectOptions | undefined;
}

const STATE = 'run';
const CONVERSATION = 'conversation';
const CANCEL_SIGNAL = 'cancel';

/**
 * The name of the signal that carries one pause's tool outputs: the ids of the calls it answers,
 * so the sender needs nothing but its outputs to name it.
 *
 * @example `toolOutputsSignal([{ tool_call_id: 'call_b', output: '1' }, { tool_call_id: 'call_a', output: '2' }]) // 'toolOutputs:call_a,call_b'`
 */
export function toolOutputsSignal(callIds: ReadonlyArray<{ tool_call_id: string } | { id: string }>): string {
  return `toolOutputs:${callIds
    .map((call) => ('tool_call_id' in call ? call.tool_call_id : call.id))
    .sort()
    .join(',')}`;
}

/**
 * A Restate virtual object that runs `createAssistantRun`'s chart durably, one object per thread
 * (on the Responses API: per conversation). Its exclusive `run` handler is the run — so one run at
 * a time per key holds across every worker of the cluster, later runs queued by Restate — with
 * every request, tool call and wait a journaled step: a worker that dies mid-run is replaced by
 * another that replays the journal and carries on; creates and submissions carry an
 * Idempotency-Key derived from the invocation, so a replay never makes a second run or a second
 * submission; a deadline is a durable timer. Shared handlers: `send` (`cancel`,
 * `submitToolOutputs`), `state`, and `output` (waits for a run's `{ run, messages }`).
 *
 * @example
 * ```ts
 * import * as restate from '@restatedev/restate-sdk';
 * const thread = createAssistantThreadObject({ client, tools: { get_weather: ({ city }) => ({ city, temp: '22C' }) } });
 * restate.serve({ services: [thread], port: 9080 });
 * // then, from anywhere: POST <ingress>/assistantThread/<threadId>/run { "assistantId": "asst_1", "additionalMessages": [...] }
 * ```
 */
export function createAssistantThreadObject(options: AssistantThreadObjectOptions) {
  const { name = DEFAULT_THREAD_OBJECT_NAME, client, tools, responses, idleTimeoutMs, onEvent, options: objectOptions } = options;
  ensurePromiseWithResolvers();
  return restate.object({
    name,
    ...(objectOptions === undefined ? {} : { options: objectOptions }),
    handlers: {
      /** Runs one run on this thread to its end: `{ run, messages }`, or a terminal error (408 deadline, 409 cancelled before it existed, 500 otherwise). */
      run: async (ctx: restate.ObjectContext, input: DurableRunInput): Promise<AssistantRunOutput> => runDurably(ctx, input, { client, tools, responses, idleTimeoutMs, onEvent }),
      /** Sends the thread's running run a command: `{ type: 'cancel' }` or `{ type: 'submitToolOutputs', toolOutputs }`. */
      send: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext, command: DurableRunCommand): Promise<{ invocationId: string }> => {
        const current = await ctx.get<DurableRunState>(STATE);
        if (current === null || current.ended) throw new restate.TerminalError(`no run is active on ${name}/${ctx.key}`, { errorCode: 404 });
        const target = ctx.invocation(current.invocationId as restate.InvocationId);
        if (command?.type === 'cancel') {
          target.signal(CANCEL_SIGNAL).resolve(true);
        } else if (command?.type === 'submitToolOutputs' && Array.isArray(command.toolOutputs) && command.toolOutputs.length > 0) {
          target.signal(toolOutputsSignal(command.toolOutputs)).resolve(command.toolOutputs);
        } else {
          throw new restate.TerminalError(`send takes { type: 'cancel' } or { type: 'submitToolOutputs', toolOutputs: [...] } (got type ${JSON.stringify(command?.type)})`, { errorCode: 400 });
        }
        return { invocationId: current.invocationId };
      }),
      /** Where the thread's current (or last) run stands; null when it never had one. */
      state: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<DurableRunState | null> => ctx.get<DurableRunState>(STATE)),
      /** Waits for a run's output: the given invocation's, else the current (or last) run's. */
      output: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext, which?: { invocationId?: string }): Promise<AssistantRunOutput> => {
        const invocationId = which?.invocationId ?? (await ctx.get<DurableRunState>(STATE))?.invocationId;
        if (invocationId === undefined) throw new restate.TerminalError(`no run was ever started on ${name}/${ctx.key}`, { errorCode: 404 });
        return ctx.invocation(invocationId as restate.InvocationId).attach<AssistantRunOutput>();
      }),
    },
  });
}

/** The object's definition, for typed clients (`clients.connect(…).objectClient<AssistantThreadObject>({ name }, threadId)`). */
export type AssistantThreadObject = ReturnType<typeof createAssistantThreadObject>;

interface RunDurablyOptions {
  client: AssistantsClient;
  tools: ToolFunctions | undefined;
  responses: Omit<ResponsesRunMode, 'conversations'> | undefined;
  idleTimeoutMs: number | undefined;
  onEvent: AssistantThreadObjectOptions['onEvent'];
}

async function runDurably(ctx: restate.ObjectContext, input: DurableRunInput, options: RunDurablyOptions): Promise<AssistantRunOutput> {
  const { client, tools, responses, idleTimeoutMs, onEvent } = options;
  const key = ctx.key;
  if (input?.threadId !== undefined && input.threadId !== key) {
    throw new restate.TerminalError(`input.threadId (${JSON.stringify(input.threadId)}) is not this object's key (${JSON.stringify(key)}): the key is the thread`, { errorCode: 400 });
  }
  const invocationId = ctx.request().id;
  const attaching = typeof input === 'object' && input !== null && 'runId' in input;
  // Journaled: the deadline counts from the first execution, whichever worker replays it later.
  const deadlineMs = typeof input?.deadlineMs === 'number' ? Math.max(0, (await ctx.date.now()) + input.deadlineMs - Date.now()) : input?.deadlineMs;
  const actorInput = { ...input, threadId: key, deadlineMs, ...(attaching ? {} : { runKey: `restate-${invocationId}` }) };
  try {
    checkAssistantRunInput(actorInput);
  } catch (error) {
    throw new restate.TerminalError(recordError(error).message, { errorCode: 400 });
  }

  let conversation = responses === undefined ? undefined : ((await ctx.get<string>(CONVERSATION)) ?? undefined);
  const conversationAtStart = conversation;
  const store: ConversationStore = {
    get: () => conversation,
    set: (_key, responseId) => {
      conversation = responseId;
    },
  };
  const backend: RunBackend = responses === undefined ? assistantsBackend(client) : responsesBackend(client, { ...responses, conversations: store });
  const journal = new StepJournal(ctx);
  const logic = assistantRunMachine.provide({
    actors: durableActors({
      journal,
      ctx,
      backend,
      tools,
      idleTimeoutMs,
      keyPrefix: invocationId,
      onEvent: onEvent === undefined ? undefined : (event) => onEvent(event, key),
      conversation:
        responses === undefined
          ? undefined
          : {
              current: () => conversation,
              restore: (responseId) => {
                conversation = responseId;
              },
            },
    }),
    guards: { hasTools: () => tools !== undefined },
    actions: {
      raiseFailure: ({ context }) => {
        throw failureError(context);
      },
    },
  });

  const actor = createActor(logic, { input: actorInput });
  let failure: unknown;
  let failed = false;
  actor.subscribe({
    error: (error) => {
      failed = true;
      failure = error;
    },
  });

  let recorded = '';
  const record = (state: DurableRunState) => {
    // Written when the chart moves (one journal entry each), not for every change of the run object.
    const text = JSON.stringify([state.state, state.runId, state.ended]);
    if (text === recorded) return;
    recorded = text;
    ctx.set(STATE, state);
  };
  const stateOf = (ended: boolean, error: unknown = null): DurableRunState => {
    const snapshot = actor.getSnapshot();
    return {
      invocationId,
      state: dotted(snapshot.value),
      runId: snapshot.context.runId,
      run: snapshot.context.run,
      ended,
      failure: error === null ? null : (({ name, message }) => ({ name, message }))(recordError(error)),
    };
  };

  actor.start();
  const cancel = journal.wait(ctx.signal<boolean>(CANCEL_SIGNAL));
  void cancel.result.then(() => actor.send({ type: 'cancel' }));
  let outputs: { signal: string; drop: () => void } | null = null;
  try {
    for (;;) {
      await settled();
      const snapshot = actor.getSnapshot();
      if (failed || snapshot.status === 'error') {
        record(stateOf(true, failure));
        throw terminalErrorOf(failure, key);
      }
      if (snapshot.status === 'done') {
        if (conversation !== conversationAtStart && conversation !== undefined) ctx.set(CONVERSATION, conversation);
        record(stateOf(true));
        return snapshot.output;
      }
      if (snapshot.value === 'failed') {
        await new Promise((resolve) => setTimeout(resolve, 0)); // it throws after a zero delay
        continue;
      }
      // A pause nobody here answers: its outputs come as a signal named by its calls.
      const awaiting = snapshot.matches({ active: { working: 'awaitingOutputs' } }) ? toolOutputsSignal(pendingToolCalls(snapshot.context.run)) : null;
      if (outputs !== null && outputs.signal !== awaiting) {
        outputs.drop();
        outputs = null;
      }
      if (awaiting !== null && outputs === null) {
        const step: { result: Promise<AssistantRunToolOutput[]>; drop: () => void } = journal.wait(ctx.signal<AssistantRunToolOutput[]>(awaiting));
        outputs = { signal: awaiting, drop: step.drop };
        void step.result.then((toolOutputs: AssistantRunToolOutput[]) => actor.send({ type: 'submitToolOutputs', toolOutputs }));
      }
      record(stateOf(false));
      await journal.settleNext();
    }
  } finally {
    actor.stop();
  }
}

// Lets XState finish what a settled step set off (promise callbacks, the actors a transition
// starts) before the next step is waited for.
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function dotted(value: unknown): string {
  if (typeof value === 'string') return value;
  const [name, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['', ''];
  return `${name}.${dotted(inner)}`;
}
