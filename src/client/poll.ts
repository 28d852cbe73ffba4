import { createActor, type Actor, type InspectionEvent, type Subscription } from 'xstate';
import { providePollIO } from '../../machines/pollIO.ts';
import {
  type pollMachine,
  realClock,
  type PollClock,
  type PollFetchInput,
  type PollFetchOutput,
  type PollOutput,
  type PollTarget,
} from '../../machines/poll.ts';
import type { AssistantsClient } from './AssistantsClient.ts';
import { APIUserAbortError, DeadlineExceededError, InvalidArgumentError, UnknownPollStatusError } from './errors.ts';
import { buildHeaders, path, type JSONResult, type PreparedRequest, type RequestOptions, type RequestSpec } from './request.ts';

/** Options of every `poll` and `*AndPoll` helper: request options plus the poll's own. */
export interface PollOptions extends RequestOptions {
  /** The wait between retrieves in ms, 0 included; default: the server's hint, else 5 s. */
  pollIntervalMs?: number | undefined;
  /** Give up after this many ms (counted from the helper call) with {@link DeadlineExceededError}. */
  deadlineMs?: number | undefined;
  /** An XState inspection observer for the poll actor (an inspector's `inspect`, say). */
  inspect?: ((event: InspectionEvent) => void) | undefined;
}

/** Options of {@link createPollMachine}. */
export interface PollMachineOptions {
  /** Headers, timeout and retries of every retrieve (the caller's signal is the poll's abort). */
  requestOptions?: Omit<RequestOptions, 'signal' | 'query'> | undefined;
  /** The clock of the waits and of `receivedAt`; a `SimulatedClock` in tests. */
  clock?: PollClock | undefined;
}

/** The poll machine with its I/O (a client's retrieve, a clock) provided: what every poll helper runs. */
export type ClientPollMachine = typeof pollMachine;

/** A running (or restored) poll. */
export type PollActor = Actor<ClientPollMachine>;

/**
 * The poll statechart with its I/O provided: this client's retrieve (with the poll
 * headers) and `clock`'s timers. Run it yourself to persist a poll: store `actor.getPersistedSnapshot()` as JSON,
 * and restore it — in another process, with another client — by passing it as `snapshot`.
 *
 * @example
 * ```ts
 * const actor = createActor(createPollMachine(client), {
 *   input: { target: { resource: 'run', threadId, runId }, pollIntervalMs: 2000 },
 * });
 * actor.start();
 * await save(JSON.stringify(actor.getPersistedSnapshot()));
 * // …later, anywhere:
 * const restored = restorePollActor(createPollMachine(new AssistantsClient()), JSON.parse(await load()));
 * const run = await settlePoll<Run>(restored);
 * ```
 */
export function createPollMachine(client: AssistantsClient, { requestOptions = {}, clock = realClock }: PollMachineOptions = {}): ClientPollMachine {
  // A poll's retrieve is built once and sent for each of its retrieves: the I/O gives each poll
  // one signal for its whole life, and a poll's target and interval never change.
  const retrieves = new WeakMap<AbortSignal, PreparedRequest<JSONResult<unknown>>>();
  return providePollIO(async (input: PollFetchInput, signal: AbortSignal): Promise<PollFetchOutput> => {
    let retrieve = retrieves.get(signal);
    if (retrieve === undefined) {
      retrieve = client.prepareJSON(retrieveSpec(input.target), { ...requestOptions, headers: pollHeaders(requestOptions.headers, input.pollIntervalMs), signal });
      retrieves.set(signal, retrieve);
    }
    const { data, response } = await retrieve.send();
    return { object: data, pollAfterMs: response.headers.get('openai-poll-after-ms'), receivedAt: clock.now() };
  }, clock);
}

/**
 * An actor of `machine` restored from a persisted snapshot (parsed JSON). Start it, or hand it
 * to {@link settlePoll}, which starts it.
 *
 * @example `const actor = restorePollActor(createPollMachine(client), JSON.parse(saved));`
 */
export function restorePollActor(machine: ClientPollMachine, snapshot: unknown): PollActor {
  if (typeof snapshot !== 'object' || snapshot === null || !('context' in snapshot) || !('value' in snapshot)) {
    throw new InvalidArgumentError('snapshot', 'is not a persisted poll snapshot (an object with `value` and `context`)');
  }
  // XState's types ask for an input whenever a machine declares one; a snapshot replaces it.
  return createActor(machine, { snapshot: snapshot as never, input: undefined as never });
}

/**
 * Starts `actor` (if it isn't running) and resolves with the polled object once it reaches a
 * final status; rejects with the retrieve's error unchanged, {@link DeadlineExceededError},
 * {@link UnknownPollStatusError} or, when `signal` fires, {@link APIUserAbortError}.
 *
 * @example `const run = await settlePoll<Run>(actor, AbortSignal.timeout(60_000));`
 */
export function settlePoll<T>(actor: PollActor, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => actor.send({ type: 'abort', reason: signal?.reason });
    let settled = false;
    // An actor that already ended calls `complete` inside subscribe(), before this is assigned.
    let subscription: Subscription | undefined;
    const settle = (thrown?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      subscription?.unsubscribe();
      const snapshot = actor.getSnapshot();
      if (snapshot.status === 'error') reject(thrown ?? snapshot.error);
      else if (snapshot.output === undefined) reject(new APIUserAbortError({ message: 'The poll actor was stopped before its poll ended.' }));
      else if (snapshot.output.outcome === 'done') resolve(snapshot.output.object as T);
      else reject(errorOf(snapshot.output));
    };
    subscription = actor.subscribe({ complete: () => settle(), error: (error) => settle(error) });
    if (settled) subscription.unsubscribe();
    actor.start();
    if (actor.getSnapshot().status !== 'active') {
      settle();
      return;
    }
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls `target` until a final status, as every `poll` and `*AndPoll` helper does.
 *
 * @example `const file = await pollUntilDone<VectorStoreFile>(client, { resource: 'vectorStoreFile', vectorStoreId, fileId }, { pollIntervalMs: 500 });`
 */
export async function pollUntilDone<T>(client: AssistantsClient, target: PollTarget, options: PollOptions = {}, startedAt = Date.now()): Promise<T> {
  const { pollIntervalMs, deadlineMs, signal, inspect, query: _query, ...requestOptions } = options;
  checkPollOptions(options);
  if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
  const actor = createActor(pollMachineFor(client, requestOptions), {
    input: { target, pollIntervalMs: pollIntervalMs ?? null, deadlineAt: deadlineMs === undefined ? null : startedAt + deadlineMs },
    ...(inspect === undefined ? {} : { inspect }),
  });
  return settlePoll<T>(actor, signal);
}

// provide() rebuilds a machine (≈1 ms): a client's plain polls (no per-call request options,
// the common case) share one provided machine instead of building one per poll.
const plainPollMachines = new WeakMap<AssistantsClient, ClientPollMachine>();

function pollMachineFor(client: AssistantsClient, requestOptions: Omit<RequestOptions, 'signal' | 'query'>): ClientPollMachine {
  if (Object.keys(requestOptions).length > 0) return createPollMachine(client, { requestOptions });
  let machine = plainPollMachines.get(client);
  if (machine === undefined) {
    machine = createPollMachine(client);
    plainPollMachines.set(client, machine);
  }
  return machine;
}

/** The request that retrieves a poll's object. @internal */
export function retrieveSpec(target: PollTarget): RequestSpec {
  switch (target.resource) {
    case 'run':
      return { method: 'GET', path: path`/threads/${target.threadId}/runs/${target.runId}` };
    case 'vectorStoreFile':
      return { method: 'GET', path: path`/vector_stores/${target.vectorStoreId}/files/${target.fileId}` };
    case 'vectorStoreFileBatch':
      return { method: 'GET', path: path`/vector_stores/${target.vectorStoreId}/file_batches/${target.batchId}` };
    case 'response':
      return { method: 'GET', path: path`/responses/${target.responseId}` };
  }
}

/** The caller's headers with the poll headers on top (the official SDK sends the same). */
function pollHeaders(callerHeaders: RequestOptions['headers'], pollIntervalMs: number | null): Headers {
  return buildHeaders([
    callerHeaders,
    { 'X-Stainless-Poll-Helper': 'true', ...(pollIntervalMs === null ? {} : { 'X-Stainless-Custom-Poll-Interval': String(pollIntervalMs) }) },
  ]);
}

function errorOf(output: Extract<PollOutput, { outcome: 'failed' }>): unknown {
  const lastObject = output.lastObject ?? undefined;
  const { failure } = output;
  switch (failure.reason) {
    case 'fetch-failed':
      return failure.error;
    case 'deadline-exceeded':
      return new DeadlineExceededError(failure.deadlineAt, lastObject);
    case 'unknown-status':
      return new UnknownPollStatusError(failure.status, failure.attempts, lastObject);
    case 'aborted':
      return new APIUserAbortError({ message: 'Polling was aborted.', cause: failure.cause });
  }
}

/**
 * Checks a helper's poll options before its first request, and returns the options its
 * create/upload requests take (the poll's own left out).
 *
 * @internal
 */
export function checkPollOptions(options: PollOptions): RequestOptions {
  const { pollIntervalMs, deadlineMs, inspect: _inspect, ...requestOptions } = options;
  checkDuration(pollIntervalMs, 'options.pollIntervalMs');
  checkDuration(deadlineMs, 'options.deadlineMs');
  return requestOptions;
}

function checkDuration(value: number | undefined, name: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new InvalidArgumentError(name, `must be a number of ms ≥ 0 (got ${String(value)})`);
  }
}
