import { RestatePromise, type Context } from '@restatedev/restate-sdk';
import { fromCallback, fromPromise } from 'xstate';
import {
  pendingToolCalls,
  type AssistantRunEvent,
  type AssistantRunToolOutput,
  type RetrievedRun,
  type RunLocator,
  type RunMessagesInput,
  type RunStreamInput,
} from '../../machines/assistantRun.ts';
import type { TimerInput } from '../../machines/poll.ts';
import type { AssistantStream } from '../stream/AssistantStream.ts';
import type { AssistantStreamEvent, Message, Run, UnknownStreamEvent } from '../wire/index.ts';
import type { RunBackend } from '../workflow/backend.ts';
import { isRecoverable } from '../workflow/streamActor.ts';
import { callTool, toolCallKey, type ToolFunctions } from '../workflow/tools.ts';
import { recordError, ReplayedStepError, type RecordedError } from './failures.ts';
import type { StepJournal } from './journal.ts';
import type { DurableAttemptTrace } from './telemetry.ts';

/** One stream event, as the worker that reads it sees it (live only: a replay does not repeat it). */
export type DurableRunEventListener = (event: AssistantStreamEvent | UnknownStreamEvent) => void;

/** How the first step of a create stream ended: with its first event, or before one came. */
type StreamOpening =
  | { kind: 'event'; event: AssistantStreamEvent | UnknownStreamEvent }
  | { kind: 'found'; run: Run }
  | { kind: 'ended'; run: Run | null }
  | { kind: 'failed'; error: RecordedError; recoverable: boolean };

/** How a stream ended (`aborted`: its actor was stopped; nobody reads it). */
type StreamEnding = { kind: 'ended'; run: Run | null } | { kind: 'found'; run: Run } | { kind: 'failed'; error: RecordedError; recoverable: boolean } | { kind: 'aborted' };

/** A request step's outcome: a value, or the error it failed with (the chart decides what to retry). */
type StepOutcome<T> = { ok: true; value: T } | { ok: false; error: RecordedError };

/** What the durable actors need. */
export interface DurableActorOptions {
  journal: StepJournal;
  ctx: Context;
  backend: RunBackend;
  tools: ToolFunctions | undefined;
  idleTimeoutMs: number | undefined;
  /** The prefix of every request's Idempotency-Key (the invocation's id). */
  keyPrefix: string;
  onEvent: DurableRunEventListener | undefined;
  /** The attempt's trace: the stream events it reads, the tools it executes. */
  trace: DurableAttemptTrace | undefined;
  /** Called with the value a step recorded for the thread's conversation (Responses mode). */
  conversation: { current: () => string | undefined; restore: (responseId: string | undefined) => void } | undefined;
}

/**
 * The `assistantRun` chart's I/O actors, each a journaled step of the handler: the same chart,
 * the same events back, but every outcome recorded by Restate, so a replay (a worker died, the
 * server restarted) hands the chart exactly what the first execution did, and nothing the
 * journal holds is done again.
 *
 * @internal
 */
export function durableActors(options: DurableActorOptions) {
  const { journal, ctx, backend, tools, idleTimeoutMs, keyPrefix, conversation, trace } = options;
  const onEvent: DurableRunEventListener | undefined =
    trace === undefined
      ? options.onEvent
      : (event) => {
          trace.event(event);
          options.onEvent?.(event);
        };
  // Streams opened by a step of this execution, read on by the next step (a replay elsewhere has
  // none, and opens the same request again: its Idempotency-Key makes it the same stream).
  const openStreams = new Map<string, AssistantStream>();

  const open = async (input: RunStreamInput, idempotencyKey: string, signal: AbortSignal): Promise<{ stream: AssistantStream } | { found: Run }> => {
    const callOptions = { signal, idleTimeoutMs, idempotencyKey };
    if (input.kind === 'create') {
      const outcome = await backend.create(input, callOptions);
      return 'found' in outcome ? { found: outcome.found } : outcome;
    }
    return { stream: await backend.submit(input, callOptions) };
  };

  // A create is two steps: up to its first event (the run's id, recorded: a cancel or a deadline
  // that comes while the run streams must find the same run on every replay), then to its end. A
  // submission is one: the run is known, and its acceptance (the first event) only matters with
  // its end. Each request carries its step's Idempotency-Key, so a step that runs again — on
  // another worker, after this one died — gets the same stream from the server, not a new run.
  const stream = fromCallback<AssistantRunEvent, RunStreamInput>(({ input, sendBack }) => {
    const controller = new AbortController();
    const { signal } = controller;
    const idempotencyKey = `${keyPrefix}:${input.kind}:${journal.nextSequence()}`;
    const failed = (error: unknown): { kind: 'failed'; error: RecordedError; recoverable: boolean } => ({ kind: 'failed', error: recordError(error), recoverable: isRecoverable(error, input.kind) });
    const toEnd = async (live: AssistantStream): Promise<StreamEnding> => {
      try {
        await live.done();
        return { kind: 'ended', run: live.snapshot().finalRun ?? null };
      } catch (error) {
        return signal.aborted ? { kind: 'aborted' } : failed(error);
      }
    };
    const openLive = async (): Promise<{ stream: AssistantStream } | { found: Run }> => {
      const opened = await open(input, idempotencyKey, signal);
      if ('stream' in opened && onEvent !== undefined) opened.stream.on('event', onEvent);
      return opened;
    };
    const deliver = (ending: StreamEnding) => {
      if (ending.kind !== 'aborted') sendBack(endingEvent(ending));
    };
    const steps: Array<{ drop: () => void }> = [];

    if (input.kind === 'submit') {
      const submission = journal.run<{ accepted: boolean; ending: StreamEnding }>('submit stream', async () => {
        let accepted = false;
        try {
          const opened = await openLive();
          if ('found' in opened) return { accepted, ending: { kind: 'found', run: opened.found } };
          opened.stream.once('event', () => {
            accepted = true;
          });
          return { accepted, ending: await toEnd(opened.stream) };
        } catch (error) {
          return { accepted, ending: signal.aborted ? { kind: 'aborted' } : failed(error) };
        }
      });
      steps.push(submission);
      void submission.result.then(({ accepted, ending }) => {
        if (accepted) sendBack({ type: 'stream.accepted', pauseKey: input.pauseKey });
        deliver(ending);
      });
    } else {
      const opening = journal.run<StreamOpening>('create stream: first event', async () => {
        try {
          const opened = await openLive();
          if ('found' in opened) return { kind: 'found', run: opened.found };
          openStreams.set(idempotencyKey, opened.stream);
          return await firstEventOf(opened.stream, input.kind);
        } catch (error) {
          return failed(error);
        }
      });
      steps.push(opening);
      void opening.result.then((first) => {
        if (first.kind !== 'event') return sendBack(endingEvent(first));
        sendBack({ type: 'stream.event', event: first.event });
        const following = journal.run<StreamEnding>('create stream: to its end', async () => {
          let live = openStreams.get(idempotencyKey);
          openStreams.delete(idempotencyKey);
          if (live === undefined) {
            // Another worker opened it: the same request again, which the server answers with the same stream.
            try {
              const opened = await openLive();
              if ('found' in opened) return { kind: 'found', run: opened.found };
              live = opened.stream;
            } catch (error) {
              return signal.aborted ? { kind: 'aborted' } : failed(error);
            }
          }
          return toEnd(live);
        });
        steps.push(following);
        void following.result.then(deliver);
      });
    }
    return () => {
      controller.abort();
      for (const step of steps) step.drop();
    };
  });

  const request = <T, I>(name: string, call: (input: I, signal: AbortSignal) => Promise<T>) =>
    fromPromise<T, I>(async ({ input, signal }) => {
      const step = journal.run<StepOutcome<T>>(name, async () => {
        try {
          return { ok: true, value: await call(input, signal) };
        } catch (error) {
          return { ok: false, error: recordError(error) };
        }
      });
      signal.addEventListener('abort', step.drop, { once: true });
      const outcome = await step.result;
      if (!outcome.ok) throw new ReplayedStepError(outcome.error);
      return outcome.value;
    });

  type MessagesAndConversation = { messages: Message[]; conversation: string | undefined };
  const listMessages = fromPromise<Message[], RunMessagesInput>(async ({ input, signal }) => {
    const step = journal.run<StepOutcome<MessagesAndConversation>>('list messages', async () => {
      try {
        const messages = await backend.messages(input, signal);
        return { ok: true, value: { messages, conversation: conversation?.current() } };
      } catch (error) {
        return { ok: false, error: recordError(error) };
      }
    });
    signal.addEventListener('abort', step.drop, { once: true });
    const outcome = await step.result;
    if (!outcome.ok) throw new ReplayedStepError(outcome.error);
    // The conversation moved on inside the step; a replay learns where from the journal.
    conversation?.restore(outcome.value.conversation);
    return outcome.value.messages;
  });

  // Each call is a journaled step of its own, all of a pause's calls at once: a worker that dies
  // after a tool returned replays its output instead of running it again.
  const runTools = fromPromise<AssistantRunToolOutput[], { run: Run }>(async ({ input, signal }) => {
    const { run } = input;
    const calls = pendingToolCalls(run);
    const all = RestatePromise.all(
      calls.map((toolCall) =>
        ctx.run(`tool ${toolCall.function.name} ${toolCall.id}`, () => {
          // Only a call that executes gets here: one the journal holds is replayed without it.
          const call = () => callTool(toolCall, tools ?? {}, { signal, toolCall, run, idempotencyKey: toolCallKey(run.id, toolCall.id) });
          return (trace === undefined ? call() : trace.tool(toolCall, call)).then(({ output }) => output);
        }),
      ),
    );
    const step = journal.wait(all);
    signal.addEventListener('abort', step.drop, { once: true });
    const outputs = await step.result;
    return calls.map((call, index) => ({ tool_call_id: call.id, output: outputs[index]! }));
  });

  // A durable timer: Restate wakes the handler when it is due, on whichever worker is up then.
  const timer = fromPromise<void, TimerInput>(({ input, signal }) => {
    if (input.wakeAt === null) return new Promise<void>(() => {});
    const step = journal.wait(ctx.sleep(Math.max(0, input.wakeAt - Date.now()), 'wait'));
    signal.addEventListener('abort', step.drop, { once: true });
    return step.result;
  });

  return {
    // The virtual object's exclusive handler is the thread's lock, across every worker.
    threadLock: fromCallback<AssistantRunEvent, { threadId: string; queue: boolean }>(({ sendBack }) => {
      sendBack({ type: 'thread.acquired' });
    }),
    stream,
    retrieveRun: request<RetrievedRun, RunLocator>('retrieve run', (locator, signal) => backend.retrieve(locator, signal)),
    requestCancel: request<RetrievedRun, RunLocator>('cancel run', (locator, signal) => backend.cancel(locator, signal)),
    runTools,
    listMessages,
    timer,
  };
}

function endingEvent(ending: Exclude<StreamEnding | StreamOpening, { kind: 'aborted' } | { kind: 'event' }>): AssistantRunEvent {
  switch (ending.kind) {
    case 'found':
      return { type: 'stream.found', run: ending.run };
    case 'ended':
      return { type: 'stream.ended', run: ending.run ?? undefined };
    case 'failed':
      return { type: 'stream.failed', failure: { error: new ReplayedStepError(ending.error), recoverable: ending.recoverable } };
  }
}

// The stream's first event (a copy: the stream goes on merging into its objects), or how it
// ended before one came.
function firstEventOf(stream: AssistantStream, kind: RunStreamInput['kind']): Promise<StreamOpening> {
  return new Promise((resolve) => {
    stream.once('event', (event) => resolve({ kind: 'event', event: structuredClone(event) }));
    stream.done().then(
      () => resolve({ kind: 'ended', run: stream.snapshot().finalRun ?? null }),
      (error: unknown) => resolve({ kind: 'failed', error: recordError(error), recoverable: isRecoverable(error, kind) }),
    );
  });
}
