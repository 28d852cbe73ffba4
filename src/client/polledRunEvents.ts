import { nextPollDelayMs } from '../../machines/poll.ts';
import { formatSSEFrame, SSE_DONE_FRAME } from '../wire/encode.ts';
import type { Message, MessageContent, Run, RunStep } from '../wire/index.ts';
import type { AssistantsClient } from './AssistantsClient.ts';
import { retrieveSpec } from './poll.ts';
import { sleep } from './retry.ts';

/** The name of the event that opens a re-attached stream made by polling (docs/client.md). */
export const POLLED_ATTACH_EVENT = 'assistant_machines.attach.polling';

/** The data of the {@link POLLED_ATTACH_EVENT} event: why the stream is polled, and what that changes. */
export interface PolledAttachNotice {
  object: typeof POLLED_ATTACH_EVENT;
  thread_id: string;
  run_id: string;
  /** Why there is no event stream: what the server answered. */
  reason: string;
  /** `startingAfter` was given but cannot be honoured: the stream starts from the run's current state. */
  starting_after_ignored: boolean;
}

/** What {@link polledRunEvents} needs besides the run. */
export interface PolledRunEventsOptions {
  signal: AbortSignal;
  reason: string;
  startingAfter?: number | undefined;
  /** The wait between polls (default: the server's `openai-poll-after-ms`, else 5 s). */
  pollIntervalMs?: number | undefined;
}

const ENDED_STEP: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'expired']);
const ENDED_RUN: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'expired', 'incomplete']);

interface MessageProgress {
  /** Per content block: how much of its text (or refusal) was delivered, and how many annotations. */
  blocks: Array<{ length: number; annotations: number }>;
  ended: boolean;
}

interface StepProgress {
  calls: number;
  ended: boolean;
}

/**
 * A run's events made from snapshots, for servers without the run events endpoint: the run is
 * retrieved, its steps and messages listed, and what changed since the last poll becomes the
 * events an Assistants stream would have carried (`thread.run.*`, step and message creations,
 * their deltas — text as it grew between polls — and endings), up to the next `requires_action`
 * or terminal status, then `[DONE]`. The first frame is {@link POLLED_ATTACH_EVENT}, so a reader
 * knows the events are reconstructed: statuses the run passed through between two polls are not
 * there, and a step's tool call arguments arrive whole.
 *
 * @example `for await (const frame of polledRunEvents(client, threadId, runId, { signal, reason })) …`
 */
export async function* polledRunEvents(client: AssistantsClient, threadId: string, runId: string, options: PolledRunEventsOptions): AsyncGenerator<string> {
  const { signal } = options;
  const notice: PolledAttachNotice = {
    object: POLLED_ATTACH_EVENT,
    thread_id: threadId,
    run_id: runId,
    reason: options.reason,
    starting_after_ignored: options.startingAfter !== undefined,
  };
  yield formatSSEFrame(POLLED_ATTACH_EVENT, notice);
  const steps = new Map<string, StepProgress>();
  const messages = new Map<string, MessageProgress>();
  let announcedStatus: string | undefined;
  for (;;) {
    const { data: run, response } = await client.requestJSON<Run>(retrieveSpec({ resource: 'run', threadId, runId }), { signal });
    const pauses = run.status === 'requires_action' || ENDED_RUN.has(run.status);
    if (!pauses && run.status !== announcedStatus) {
      announcedStatus = run.status;
      yield formatSSEFrame(`thread.run.${run.status}`, run);
    }
    const listed = await listRun(client, threadId, runId, signal);
    for (const step of listed.steps) {
      // Every run with steps was in progress, though a first poll may see it paused or ended.
      if (announcedStatus === undefined) {
        announcedStatus = 'in_progress';
        yield formatSSEFrame('thread.run.in_progress', { ...run, status: 'in_progress', required_action: null, completed_at: null, failed_at: null, cancelled_at: null });
      }
      yield* stepFrames(step, steps, listed.messages, messages);
    }
    if (pauses) {
      yield formatSSEFrame(`thread.run.${run.status}`, run);
      yield SSE_DONE_FRAME;
      return;
    }
    await sleep(nextPollDelayMs(options.pollIntervalMs ?? null, response.headers.get('openai-poll-after-ms')), signal);
  }
}

async function listRun(client: AssistantsClient, threadId: string, runId: string, signal: AbortSignal) {
  const steps: RunStep[] = [];
  for await (const step of client.beta.threads.runs.steps.list(runId, { thread_id: threadId, order: 'asc', limit: 100 }, { signal })) steps.push(step);
  const messages = new Map<string, Message>();
  for await (const message of client.beta.threads.messages.list(threadId, { run_id: runId, order: 'asc', limit: 100 }, { signal })) messages.set(message.id, message);
  return { steps, messages };
}

function* stepFrames(step: RunStep, seen: Map<string, StepProgress>, listed: Map<string, Message>, messages: Map<string, MessageProgress>): Generator<string> {
  let progress = seen.get(step.id);
  if (progress === undefined) {
    progress = { calls: 0, ended: false };
    seen.set(step.id, progress);
    const opened = { ...step, status: 'in_progress', completed_at: null, failed_at: null, cancelled_at: null, expired_at: null, last_error: null };
    if (step.step_details.type === 'tool_calls') opened.step_details = { type: 'tool_calls', tool_calls: [] };
    yield formatSSEFrame('thread.run.step.created', opened);
    yield formatSSEFrame('thread.run.step.in_progress', opened);
  }
  if (progress.ended) return;
  const details = step.step_details;
  if (details.type === 'tool_calls' && details.tool_calls.length > progress.calls) {
    const added = details.tool_calls.slice(progress.calls).map((call, offset) => ({ index: progress.calls + offset, ...call }));
    progress.calls = details.tool_calls.length;
    yield formatSSEFrame('thread.run.step.delta', { id: step.id, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: added } } });
  }
  if (details.type === 'message_creation') {
    const message = listed.get(details.message_creation.message_id);
    if (message !== undefined) yield* messageFrames(message, messages);
  }
  if (ENDED_STEP.has(step.status)) {
    progress.ended = true;
    yield formatSSEFrame(`thread.run.step.${step.status}`, step);
  }
}

function* messageFrames(message: Message, seen: Map<string, MessageProgress>): Generator<string> {
  let progress = seen.get(message.id);
  if (progress === undefined) {
    progress = { blocks: [], ended: false };
    seen.set(message.id, progress);
    const opened = { ...message, status: 'in_progress', content: [], completed_at: null, incomplete_at: null, incomplete_details: null };
    yield formatSSEFrame('thread.message.created', opened);
    yield formatSSEFrame('thread.message.in_progress', opened);
  }
  if (progress.ended) return;
  const content = message.content.flatMap((block, index) => blockDelta(block, index, progress));
  if (content.length > 0) yield formatSSEFrame('thread.message.delta', { id: message.id, object: 'thread.message.delta', delta: { content } });
  if (message.status === 'completed' || message.status === 'incomplete') {
    progress.ended = true;
    yield formatSSEFrame(`thread.message.${message.status}`, message);
  }
}

/** What a content block gained since it was last delivered, as a delta part (none when nothing). */
function blockDelta(block: MessageContent, index: number, progress: MessageProgress): Array<Record<string, unknown>> {
  const known = progress.blocks[index];
  if (block.type === 'text') {
    const { value, annotations } = block.text;
    const from = known?.length ?? 0;
    const fromAnnotation = known?.annotations ?? 0;
    if (known !== undefined && value.length === from && annotations.length === fromAnnotation) return [];
    progress.blocks[index] = { length: value.length, annotations: annotations.length };
    const added = annotations.slice(fromAnnotation).map((annotation, offset) => ({ index: fromAnnotation + offset, ...annotation }));
    return [{ index, type: 'text', text: { value: value.slice(from), ...(added.length > 0 ? { annotations: added } : {}) } }];
  }
  if (block.type === 'refusal') {
    const from = known?.length ?? 0;
    if (known !== undefined && block.refusal.length === from) return [];
    progress.blocks[index] = { length: block.refusal.length, annotations: 0 };
    return [{ index, type: 'refusal', refusal: block.refusal.slice(from) }];
  }
  if (known !== undefined) return [];
  progress.blocks[index] = { length: 0, annotations: 0 };
  return [{ index, ...block }];
}

/** A `text/event-stream` answer whose body is `frames`, as a fetch would have given it. */
export function eventStreamResponse(frames: AsyncGenerator<string>): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await frames.next();
      if (next.done === true) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await frames.return(undefined);
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
}
