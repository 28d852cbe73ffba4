import type { Message, MessageContent, Run, RunStep, StepDetails } from '../wire/index.ts';
import { newStep } from '../wire/responses/objects.ts';
import { newId, nowSeconds } from './ids.ts';
import type { Assistant } from './objects.ts';
import type { CreateMessageInput, RunSettingsInput } from '../wire/requests.ts';

// Complete wire objects — every field the spec lists as required, with real timestamps — for
// what the routes and the run executor create.

/** How long a run may wait in `requires_action` before it expires (the API's 10 minutes). */
export const RUN_EXPIRY_SECONDS = 600;

/**
 * A message as `POST …/messages` (and a thread's or a run's initial messages) create it.
 *
 * @example `newMessage('thread_1', { role: 'user', content: 'Hi' })`
 */
export function newMessage(threadId: string, input: CreateMessageInput): Message {
  const content: MessageContent[] =
    typeof input.content === 'string'
      ? [{ type: 'text', text: { value: input.content, annotations: [] } }]
      : input.content.map((part): MessageContent => (part.type === 'text' ? { type: 'text', text: { value: part.text, annotations: [] } } : part));
  const now = nowSeconds();
  return {
    id: newId('msg_'),
    object: 'thread.message',
    created_at: now,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: now,
    incomplete_at: null,
    role: input.role,
    content,
    assistant_id: null,
    run_id: null,
    attachments: input.attachments ?? [],
    metadata: input.metadata ?? {},
  };
}

/** The assistant message a run writes: empty and `in_progress` until the executor fills it. */
export function newAssistantMessage(run: Run): Message {
  return {
    id: newId('msg_'),
    object: 'thread.message',
    created_at: nowSeconds(),
    thread_id: run.thread_id,
    status: 'in_progress',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role: 'assistant',
    content: [],
    assistant_id: run.assistant_id ?? null,
    run_id: run.id,
    attachments: [],
    metadata: {},
  };
}

/**
 * A new run, `queued`: the request's settings over the assistant's.
 *
 * @example `newRun(body, assistant, thread.id)`
 */
export function newRun(settings: RunSettingsInput, assistant: Assistant, threadId: string, expirySeconds = RUN_EXPIRY_SECONDS): Run {
  const createdAt = nowSeconds();
  const additional = 'additional_instructions' in settings ? settings.additional_instructions : undefined;
  const instructions = [settings.instructions ?? assistant.instructions ?? '', additional ?? ''].filter((part) => part !== '').join('\n\n');
  return {
    id: newId('run_'),
    object: 'thread.run',
    created_at: createdAt,
    thread_id: threadId,
    assistant_id: assistant.id,
    status: 'queued',
    required_action: null,
    last_error: null,
    expires_at: createdAt + expirySeconds,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: settings.model ?? assistant.model,
    instructions,
    tools: settings.tools ?? assistant.tools,
    metadata: settings.metadata ?? {},
    usage: null,
    temperature: settings.temperature ?? assistant.temperature ?? 1,
    top_p: settings.top_p ?? assistant.top_p ?? 1,
    max_prompt_tokens: settings.max_prompt_tokens ?? null,
    max_completion_tokens: settings.max_completion_tokens ?? null,
    truncation_strategy: settings.truncation_strategy ?? { type: 'auto', last_messages: null },
    tool_choice: settings.tool_choice ?? 'auto',
    parallel_tool_calls: settings.parallel_tool_calls ?? true,
    response_format: settings.response_format ?? assistant.response_format ?? 'auto',
  };
}

/** A new run step, `in_progress`. */
export function newRunStep(run: Run, stepDetails: StepDetails): RunStep {
  return newStep(newId('step_'), { runId: run.id, threadId: run.thread_id, assistantId: run.assistant_id ?? '' }, nowSeconds(), stepDetails);
}

/**
 * A step as the API shows it: file_search results carry their text only when the request
 * asked for it (`include[]=step_details.tool_calls[*].file_search.results[*].content`).
 */
export function presentStep(step: RunStep, includeSearchContent: boolean): RunStep {
  if (includeSearchContent || step.step_details.type !== 'tool_calls') return step;
  if (!step.step_details.tool_calls.some((call) => call.type === 'file_search' && call.file_search.results !== undefined)) return step;
  return {
    ...step,
    step_details: {
      ...step.step_details,
      tool_calls: step.step_details.tool_calls.map((call) =>
        call.type === 'file_search' && call.file_search.results !== undefined
          ? { ...call, file_search: { ...call.file_search, results: call.file_search.results.map(({ content: _content, ...result }) => result) } }
          : call,
      ),
    },
  };
}

/** The `include[]` value that asks for file_search result text. */
export const INCLUDE_SEARCH_CONTENT = 'step_details.tool_calls[*].file_search.results[*].content';

/** A rough token count (four characters a token), for `usage`. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
