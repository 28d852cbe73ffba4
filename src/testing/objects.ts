import type { Message, Run, RunStep } from '../wire/index.ts';
import { formatNDJSONLine, formatSSEFrame, SSE_DONE_FRAME } from '../wire/index.ts';

/** A `{ event, data }` pair, the unit of every synthetic stream. */
export interface ScriptedEvent {
  event: string;
  data: unknown;
}

const NOW = 1_700_000_000;

/**
 * A complete run object (every field the spec lists), with `overrides` on top.
 *
 * @example `makeRun({ status: 'completed' })`
 */
export function makeRun(overrides: Partial<Run> = {}): Run {
  return {
    id: 'run_1',
    object: 'thread.run',
    created_at: NOW,
    thread_id: 'thread_1',
    assistant_id: 'asst_1',
    status: 'queued',
    required_action: null,
    last_error: null,
    expires_at: null,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: 'scripted',
    instructions: null,
    tools: [],
    metadata: {},
    usage: null,
    temperature: 1,
    top_p: 1,
    max_prompt_tokens: null,
    max_completion_tokens: null,
    truncation_strategy: { type: 'auto', last_messages: null },
    tool_choice: 'auto',
    parallel_tool_calls: true,
    response_format: 'auto',
    ...overrides,
  };
}

/**
 * A complete run step object; a `message_creation` step unless `step_details` says otherwise.
 *
 * @example `makeRunStep({ id: 'step_2', type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: [] } })`
 */
export function makeRunStep(overrides: Partial<RunStep> = {}): RunStep {
  return {
    id: 'step_1',
    object: 'thread.run.step',
    created_at: NOW,
    assistant_id: 'asst_1',
    thread_id: 'thread_1',
    run_id: 'run_1',
    type: 'message_creation',
    status: 'in_progress',
    step_details: { type: 'message_creation', message_creation: { message_id: 'msg_1' } },
    last_error: null,
    expired_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    metadata: null,
    usage: null,
    ...overrides,
  };
}

/**
 * A complete assistant message object, empty and in progress unless overridden.
 *
 * @example `makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: 'Hi', annotations: [] } }] })`
 */
export function makeMessage(overrides: Partial<Message> = {}): Message {
  return {
    id: 'msg_1',
    object: 'thread.message',
    created_at: NOW,
    thread_id: 'thread_1',
    status: 'in_progress',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role: 'assistant',
    content: [],
    assistant_id: 'asst_1',
    run_id: 'run_1',
    attachments: [],
    metadata: {},
    ...overrides,
  };
}

/**
 * Server-sent events for `events`, ended by `data: [DONE]` unless `done` is false.
 *
 * @example `AssistantStream.fromSSE(toSSEChunks(toSSE(events), 7))`
 */
export function toSSE(events: readonly ScriptedEvent[], { done = true } = {}): string {
  return events.map(({ event, data }) => formatSSEFrame(event, data)).join('') + (done ? SSE_DONE_FRAME : '');
}

/** Newline-delimited `{event, data}` JSON for `events` (the `toReadableStream()` format). */
export function toNDJSON(events: readonly ScriptedEvent[]): string {
  return events.map(({ event, data }) => formatNDJSONLine(event, data)).join('');
}

/**
 * Cuts text into UTF-8 byte chunks of `size` bytes (splitting characters and `\r\n` pairs
 * wherever the cut falls), as an async iterable for `AssistantStream.fromSSE`.
 *
 * @example `AssistantStream.fromSSE(byteChunks(toSSE(events), 1))`
 */
export async function* byteChunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

/**
 * The text as one async iterable chunk (the simplest byte source for a test).
 *
 * @example `AssistantStream.fromSSE(textSource(toSSE(events)))`
 */
export async function* textSource(...chunks: string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}
