import type { InspectionEvent } from 'xstate';
import type { Message, Run } from '../wire/index.ts';
import type { AssistantStream } from '../stream/AssistantStream.ts';
import type { RetrievedRun, RunLocator, RunMessagesInput, RunStreamInput } from '../../machines/assistantRun.ts';

/** The create-run stream, or the run a restored create found already on the server. */
export type CreateOutcome = { stream: AssistantStream } | { found: Run };

/**
 * The requests an `assistantRun` actor makes, for one protocol. The chart is the same on every
 * backend: only what a request means changes (an Assistants run, or a chain of responses).
 *
 * @internal
 */
export interface RunBackend {
  /** Which API the backend speaks (and which key its thread lock uses). */
  readonly protocol: 'assistants' | 'responses';
  /** The root URL, so two clients of one server share a thread's queue. */
  readonly baseURL: string;
  /** Starts the run with a stream — unless a restored create finds its run already there. */
  create(input: Extract<RunStreamInput, { kind: 'create' }>, options: StreamCallOptions): Promise<CreateOutcome>;
  /** Submits a pause's outputs with a stream that carries the rest of the run. */
  submit(input: Extract<RunStreamInput, { kind: 'submit' }>, options: StreamCallOptions): Promise<AssistantStream>;
  /** The run where it stands (`run: null` when it does not exist). */
  retrieve(locator: RunLocator, signal: AbortSignal): Promise<RetrievedRun>;
  /** Asks to cancel the run; answers with where it stands then. */
  cancel(locator: RunLocator, signal: AbortSignal): Promise<RetrievedRun>;
  /** The assistant messages the (terminal) run created, oldest first. */
  messages(input: RunMessagesInput, signal: AbortSignal): Promise<Message[]>;
  /** Cancels the run without waiting for the answer (the actor was stopped). */
  cancelAndForget(threadId: string, runId: string, run: Run | null): void;
}

/** What every stream an `assistantRun` opens is given. */
export interface StreamCallOptions {
  signal: AbortSignal;
  idleTimeoutMs: number | undefined;
  /** The request's `Idempotency-Key` (default: a new random one per call): a durable host derives it from its journal, so a replayed step repeats the same request. */
  idempotencyKey?: string | undefined;
  /** The stream's inspection observer (each stream is an actor system of its own). */
  inspect?: ((event: InspectionEvent) => void) | undefined;
}
