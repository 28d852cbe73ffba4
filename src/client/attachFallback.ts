import type { Message, MessageContent, RunStep } from '../wire/index.ts';
import { formatSSEFrame, SSE_DONE_FRAME } from '../wire/index.ts';
import type { AssistantsClient } from './AssistantsClient.ts';

/**
 * The first event of a stream that `runs.attachStream` rebuilt from polling, because the server
 * has no `…/events` endpoint (it answered 404 or 405). An event this library names itself, so
 * it reaches `event` listeners (and iterators) only; its data says why and how.
 */
export const ATTACH_FALLBACK_EVENT = 'assistant_machines.attach_fallback';

/** The data of an {@link ATTACH_FALLBACK_EVENT} event. */
export interface AttachFallbackData {
  object: 'assistant_machines.attach_fallback';
  /** The status the events endpoint answered (404 or 405). */
  status: number;
  thread_id: string;
  run_id: string;
  /** The wait between two polls, in ms. */
  poll_interval_ms: number;
  /** What the events that follow are and are not. */
  detail: string;
}

/** Options of {@link pollRunAsEvents}. */
export interface PollRunAsEventsOptions {
  /** The status the events endpoint answered. */
  status: number;
  /** Stops the polling (the stream's request signal: it fires when the stream ends). */
  signal: AbortSignal;
  /** The wait between polls; default 1 s. */
  pollIntervalMs?: number | undefined;
}

const RUN_ENDS = new Set(['requires_action', 'cancelled', 'failed', 'completed', 'incomplete', 'expired']);
const STEP_ENDS = new Set(['completed', 'failed', 'cancelled', 'expired']);
const MESSAGE_ENDS = new Set(['completed', 'incomplete']);

/**
 * An Assistants event stream (SSE text) rebuilt from snapshots: the run is retrieved, its steps
 * and messages listed, every `pollIntervalMs` until the run ends or requires action; each
 * change since the last poll becomes the events a live stream would have sent for it. A
 * step's or message's `created` is announced the first time it is seen; text that grew since
 * the last poll is one `thread.message.delta` (the whole new piece, never the fragments the
 * model streamed); a status change is its status event. A message first seen finished is
 * announced as created `in_progress` with no content, its content as one delta, then its
 * final event, so the charts (and `textDelta`, `textDone`) see it as a stream would show it.
 *
 * The first event is {@link ATTACH_FALLBACK_EVENT}, which says so. `startingAfter` has no
 * meaning here: the rebuilt stream starts from the run as it is.
 *
 * @example
 * ```ts
 * const source = pollRunAsEvents(client, threadId, runId, { status: 404, signal });
 * const stream = AssistantStream.fromSSE(source);
 * ```
 */
export async function* pollRunAsEvents(
  client: AssistantsClient,
  threadId: string,
  runId: string,
  { status, signal, pollIntervalMs = 1000 }: PollRunAsEventsOptions,
): AsyncGenerator<string> {
  const marker: AttachFallbackData = {
    object: 'assistant_machines.attach_fallback',
    status,
    thread_id: threadId,
    run_id: runId,
    poll_interval_ms: pollIntervalMs,
    detail: 'the server has no run events endpoint: these events are rebuilt from polled snapshots (text arrives in pieces per poll)',
  };
  yield formatSSEFrame(ATTACH_FALLBACK_EVENT, marker);
  const options = { signal };
  let runStatus: string | undefined;
  const stepStatus = new Map<string, string>();
  const messages = new Map<string, MessageProgress>();
  for (;;) {
    const run = await client.beta.threads.runs.retrieve(runId, { thread_id: threadId }, options);
    let out = '';
    if (runStatus === undefined) {
      // A stream announces every run as created `queued`, whatever it is by now.
      out += formatSSEFrame('thread.run.created', { ...run, status: 'queued' });
      runStatus = 'queued';
    }
    // A run's steps and messages are only complete once the run ended: list them after it.
    const steps: RunStep[] = [];
    for await (const step of client.beta.threads.runs.steps.list(runId, { thread_id: threadId, order: 'asc' }, options)) steps.push(step);
    const runMessages = new Map<string, Message>();
    for await (const message of client.beta.threads.messages.list(threadId, { run_id: runId, order: 'asc' }, options)) runMessages.set(message.id, message);
    // The run moves on before its steps do (a stream says `in_progress` before any step), and
    // one first seen past `queued` went through `in_progress` (strict charts draw no skip).
    if (runStatus === 'queued' && run.status !== 'queued' && run.status !== 'in_progress') {
      out += formatSSEFrame('thread.run.in_progress', { ...run, status: 'in_progress' });
      runStatus = 'in_progress';
    }
    if (run.status !== runStatus && !RUN_ENDS.has(run.status)) {
      out += formatSSEFrame(`thread.run.${run.status}`, run);
      runStatus = run.status;
    }
    for (const step of steps) {
      const seen = stepStatus.get(step.id);
      if (seen === undefined) {
        // As a stream starts a step: created and in progress, whatever it is now.
        const started = { ...step, status: 'in_progress', completed_at: null, failed_at: null, cancelled_at: null, expired_at: null } as RunStep;
        out += formatSSEFrame('thread.run.step.created', started);
        out += formatSSEFrame('thread.run.step.in_progress', started);
      }
      // A message step's message is told between the step's start and its end, as a stream does.
      const messageId = step.step_details.type === 'message_creation' ? step.step_details.message_creation.message_id : undefined;
      const message = messageId === undefined ? undefined : runMessages.get(messageId);
      if (message !== undefined) {
        out += messageEvents(message, messages);
        runMessages.delete(message.id);
      }
      if (seen !== step.status && STEP_ENDS.has(step.status)) out += formatSSEFrame(`thread.run.step.${step.status}`, step);
      stepStatus.set(step.id, step.status);
    }
    // Messages no step names (a backend that keeps no message steps) follow in their order.
    for (const message of runMessages.values()) out += messageEvents(message, messages);
    const ended = RUN_ENDS.has(run.status);
    if (ended && run.status !== runStatus) out += formatSSEFrame(`thread.run.${run.status}`, run);
    if (out !== '') yield out;
    if (ended) {
      yield SSE_DONE_FRAME;
      return;
    }
    await sleep(pollIntervalMs, signal);
  }
}

/** How much of a message the rebuilt stream has told. */
interface MessageProgress {
  /** Per content block told: the length of its text told so far (0 for other blocks). */
  told: Array<number | undefined>;
  ended: boolean;
}

/** The events that tell what changed in `message` since the last poll. */
function messageEvents(message: Message, progress: Map<string, MessageProgress>): string {
  let out = '';
  let known = progress.get(message.id);
  if (known === undefined) {
    known = { told: [], ended: false };
    progress.set(message.id, known);
    const opened = { ...message, status: 'in_progress', content: [], completed_at: null, incomplete_at: null, incomplete_details: null } as Message;
    out += formatSSEFrame('thread.message.created', opened);
    out += formatSSEFrame('thread.message.in_progress', opened);
  }
  if (known.ended) return out;
  const content: Array<Record<string, unknown>> = [];
  message.content.forEach((block, index) => {
    const piece = newPiece(block, known.told[index]);
    if (piece === undefined) return;
    content.push({ index, ...piece.delta });
    known.told[index] = piece.told;
  });
  if (content.length > 0) out += formatSSEFrame('thread.message.delta', { id: message.id, object: 'thread.message.delta', delta: { content } });
  if (MESSAGE_ENDS.has(message.status)) {
    out += formatSSEFrame(`thread.message.${message.status}`, message);
    known.ended = true;
  }
  return out;
}

/**
 * The delta entry (without its index) for what `block` gained since `told` (undefined: the
 * block was never told), if anything.
 */
function newPiece(block: MessageContent, told: number | undefined): { delta: Record<string, unknown>; told: number } | undefined {
  if (block.type === 'text') {
    const value = block.text.value;
    if (told !== undefined && value.length <= told) return undefined;
    return { delta: { type: 'text', text: { value: value.slice(told ?? 0) } }, told: value.length };
  }
  if (told !== undefined) return undefined;
  return { delta: { ...block }, told: 0 };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
