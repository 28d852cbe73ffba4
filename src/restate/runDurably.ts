import * as restate from '@restatedev/restate-sdk';
import { createActor } from 'xstate';
import { assistantRunMachine, checkAssistantRunInput, pendingToolCalls, type AssistantRunOutput, type AssistantRunToolOutput } from '../../machines/assistantRun.ts';
import type { AssistantsClient } from '../client/AssistantsClient.ts';
import { assistantsBackend } from '../workflow/assistantsBackend.ts';
import type { RunBackend } from '../workflow/backend.ts';
import { failureError } from '../workflow/createAssistantRun.ts';
import { responsesBackend, type ResponsesRunMode } from '../workflow/responsesBackend.ts';
import { THREAD_METADATA_KEY, type ConversationStore } from '../workflow/responsesHistory.ts';
import type { ToolFunctions } from '../workflow/tools.ts';
import { durableActors } from './actors.ts';
import { recordError, terminalErrorOf } from './failures.ts';
import { StepJournal } from './journal.ts';
import { CANCEL_SIGNAL, CONVERSATION, STATE, toolOutputsSignal, type DurableRunInput, type DurableRunState } from './protocol.ts';
import type { DurableRunEventListener } from './actors.ts';
import type { DurableAttemptTrace, DurableRunTelemetrySource } from './telemetry.ts';
import { DURABLE_RUN_TELEMETRY } from './telemetry.ts';

/** What a durable run needs of its object's options. @internal */
export interface RunDurablyOptions {
  client: AssistantsClient;
  tools: ToolFunctions | undefined;
  responses: Omit<ResponsesRunMode, 'conversations'> | undefined;
  idleTimeoutMs: number | undefined;
  onEvent: ((event: Parameters<DurableRunEventListener>[0], key: string) => void) | undefined;
  /** Traces each attempt (an `invoke_agent` span per execution of the handler). */
  telemetry?: DurableRunTelemetrySource | undefined;
  /** The object's name. */
  objectName?: string | undefined;
  /** `gen_ai.agent.name` on the run's span. */
  agentName?: string | undefined;
}

/**
 * The `run` handler: the `assistantRun` chart with durable actors, driven one journaled step at a
 * time until it ends; its state written to the object when the chart moves.
 *
 * @internal
 */
export async function runDurably(ctx: restate.ObjectContext, input: DurableRunInput, options: RunDurablyOptions): Promise<AssistantRunOutput> {
  const { client, responses, telemetry } = options;
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

  // The key's history on the Responses API, kept in the object's state: its conversation's id
  // (history `conversation`), or its last response's (`previous_response_id`).
  let conversation = responses === undefined ? undefined : ((await ctx.get<string>(CONVERSATION)) ?? undefined);
  const usesConversation = responses !== undefined && (responses.history ?? 'conversation') === 'conversation';
  const trace = telemetry === undefined ? undefined : startAttempt(ctx, telemetry, options, usesConversation ? conversation : undefined, client.baseURL);
  try {
    if (usesConversation && conversation === undefined && !key.startsWith('conv_')) {
      // Made in a step of its own, keyed by the invocation: made once, whatever the create does.
      const made = await ctx.run('create conversation', () =>
        within(trace, async () => (await client.conversations.create({ metadata: { [THREAD_METADATA_KEY]: key.slice(0, 512) } }, { idempotencyKey: `${invocationId}:conversation` })).id),
      );
      conversation = made;
      ctx.set(CONVERSATION, conversation);
    }
    const output = await drive(ctx, actorInput, options, trace, conversation);
    trace?.end({ outcome: 'returned', run: output.run });
    return output;
  } catch (error) {
    if (trace !== undefined) {
      if (error instanceof DurableRunFailure) trace.end({ outcome: 'failed', error: error.failure });
      else if (error instanceof restate.TerminalError) trace.end({ outcome: 'failed', error });
      else if (restate.internal.isSuspendedError(error)) trace.end({ outcome: 'abandoned' });
      else trace.end({ outcome: 'retrying', error });
    }
    throw error instanceof DurableRunFailure ? error.terminal : error;
  }
}

/** The actor failed: the invocation's terminal error, and the failure itself (what the trace names). */
class DurableRunFailure extends Error {
  constructor(
    readonly terminal: restate.TerminalError,
    readonly failure: unknown,
  ) {
    super(terminal.message);
  }
}

function within<T>(trace: DurableAttemptTrace | undefined, work: () => T): T {
  return trace === undefined ? work() : trace.within(work);
}

// One attempt's trace: from here to the handler's end, or to the attempt's (a suspension, or
// Restate aborting it), whichever comes first.
function startAttempt(ctx: restate.ObjectContext, telemetry: DurableRunTelemetrySource, options: RunDurablyOptions, conversation: string | undefined, baseURL: string | undefined): DurableAttemptTrace {
  const request = ctx.request();
  // The SDK's own test of whether it replays (what silences ctx.console during a replay): read
  // for the telemetry only, never to decide anything.
  const internal = ctx as Partial<restate.internal.ContextInternal>;
  const replaying = typeof internal.isProcessing === 'function' ? () => !internal.isProcessing!() : () => false;
  const trace = telemetry[DURABLE_RUN_TELEMETRY].startAttempt({
    invocationId: request.id,
    object: options.objectName ?? '',
    key: ctx.key,
    agentName: options.agentName,
    // The thread; on the Responses API the key's conversation when known (else the run says it).
    conversationId: options.responses === undefined ? ctx.key : (conversation ?? (ctx.key.startsWith('conv_') ? ctx.key : undefined)),
    baseURL,
    requestHeaders: request.headers,
    attemptHeaders: request.attemptHeaders,
    replaying,
  });
  request.attemptCompletedSignal?.addEventListener('abort', () => trace.end({ outcome: 'abandoned' }), { once: true });
  return trace;
}

async function drive(ctx: restate.ObjectContext, actorInput: DurableRunInput & { threadId: string }, options: RunDurablyOptions, trace: DurableAttemptTrace | undefined, conversationAtStart: string | undefined): Promise<AssistantRunOutput> {
  const { client, tools, responses, idleTimeoutMs, onEvent } = options;
  const key = ctx.key;
  const invocationId = ctx.request().id;
  let conversation = conversationAtStart;
  const store: ConversationStore = {
    get: () => conversation,
    set: (_key: string, id: string) => {
      conversation = id;
    },
  };
  const backend: RunBackend = responses === undefined ? assistantsBackend(client) : responsesBackend(client, { ...responses, conversations: store });
  const journal = new StepJournal(ctx, trace === undefined ? undefined : (work) => trace.within(work));
  const logic = assistantRunMachine.provide({
    actors: durableActors({
      journal,
      ctx,
      backend,
      tools,
      idleTimeoutMs,
      keyPrefix: invocationId,
      trace,
      // An observer, not part of the run: one that throws must not fail the stream it watches.
      onEvent:
        onEvent === undefined
          ? undefined
          : (event) => {
              try {
                onEvent(event, key);
              } catch (error) {
                ctx.console.error(`onEvent threw on ${key} (ignored: it cannot fail the run):`, error);
              }
            },
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
  trace?.follow(actor);
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
  let cancelledByRestate = false;
  try {
    for (;;) {
      await settled();
      const snapshot = actor.getSnapshot();
      if (failed || snapshot.status === 'error') {
        record(stateOf(true, failure));
        throw new DurableRunFailure(terminalErrorOf(failure, key), failure);
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
      try {
        await journal.settleNext();
      } catch (error) {
        // The invocation was cancelled through Restate (its admin API, the CLI): cancel the run on
        // the server too, through the chart, rather than leave it running with nobody to end it.
        if (!(error instanceof restate.CancelledError) || cancelledByRestate) throw error;
        cancelledByRestate = true;
        actor.send({ type: 'cancel' });
      }
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
