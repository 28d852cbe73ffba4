import type { AssistantTool } from '../schemas/common.ts';
import type { Annotation, Message, MessageContent } from '../schemas/message.ts';
import type { Run, RunStatus } from '../schemas/run.ts';
import type { RunStep, ToolCall } from '../schemas/step.ts';
import type {
  ResponseAnnotation,
  ResponseCodeInterpreterCall,
  ResponseFileSearchCall,
  ResponseObject,
  ResponseOutputMessage,
  ResponseOutputRefusal,
  ResponseOutputText,
  ResponseFunctionCall,
} from './types.ts';

// Assistants objects built from a response and its items: what the machines receive when a
// Responses stream drives them. docs/responses.md lists what each mapping loses.

/** Where the Assistants objects of one response live: the run (its chain) and its thread. */
export interface RunIdentity {
  runId: string;
  threadId: string;
  /** The run's assistant, where there is one (a Responses run has none: ''). */
  assistantId?: string | undefined;
}

/**
 * The run a response stands for, in `status`. Fields without a counterpart are null.
 *
 * @example `runOfResponse(response, { runId: response.id, threadId: response.id }, 'in_progress')`
 */
export function runOfResponse(
  response: ResponseObject,
  identity: RunIdentity,
  status: RunStatus,
  pendingCalls: readonly ResponseFunctionCall[] = [],
): Run {
  const usage = response.usage;
  return {
    id: identity.runId,
    object: 'thread.run',
    created_at: response.created_at,
    thread_id: identity.threadId,
    assistant_id: '',
    status,
    required_action:
      status === 'requires_action'
        ? {
            type: 'submit_tool_outputs',
            submit_tool_outputs: {
              tool_calls: pendingCalls.map((call) => ({
                id: call.call_id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            },
          }
        : null,
    last_error:
      status === 'failed' ? { code: response.error?.code ?? 'server_error', message: response.error?.message ?? 'the response failed' } : null,
    expires_at: null,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: status === 'completed' ? (response.completed_at ?? null) : null,
    incomplete_details: status === 'incomplete' ? { reason: incompleteReason(response.incomplete_details?.reason) } : null,
    model: response.model,
    instructions: typeof response.instructions === 'string' ? response.instructions : null,
    tools: assistantTools(response.tools),
    metadata: response.metadata ?? {},
    usage: usage == null ? null : { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens },
    temperature: response.temperature ?? null,
    top_p: response.top_p ?? null,
    max_prompt_tokens: null,
    max_completion_tokens: response.max_output_tokens ?? null,
    truncation_strategy: null,
    tool_choice: typeof response.tool_choice === 'string' ? response.tool_choice : 'auto',
    parallel_tool_calls: response.parallel_tool_calls ?? true,
    response_format: 'auto',
    // Not an Assistants field: which response of the chain this run object comes from.
    response_id: response.id,
  };
}

function incompleteReason(reason: string | undefined): string {
  return reason === 'max_output_tokens' ? 'max_completion_tokens' : (reason ?? 'unknown');
}

/** The Responses tools that have an Assistants counterpart, in the Assistants shape. */
function assistantTools(tools: readonly unknown[] | undefined): AssistantTool[] {
  const mapped: AssistantTool[] = [];
  for (const tool of tools ?? []) {
    if (typeof tool !== 'object' || tool === null) continue;
    const { type } = tool as { type?: unknown };
    if (type === 'code_interpreter') mapped.push({ type: 'code_interpreter' });
    else if (type === 'file_search') {
      const maxResults = (tool as { max_num_results?: unknown }).max_num_results;
      mapped.push({ type: 'file_search', ...(typeof maxResults === 'number' ? { file_search: { max_num_results: maxResults } } : {}) });
    } else if (type === 'function') {
      const { name, description, parameters, strict } = tool as { name?: unknown; description?: unknown; parameters?: unknown; strict?: unknown };
      if (typeof name !== 'string') continue;
      mapped.push({
        type: 'function',
        function: {
          name,
          ...(typeof description === 'string' ? { description } : {}),
          ...(isRecord(parameters) ? { parameters } : {}),
          ...(typeof strict === 'boolean' ? { strict } : {}),
        },
      });
    }
  }
  return mapped;
}

/** A `message_creation` or `tool_calls` step of the run, `in_progress`. */
export function newStep(id: string, identity: RunIdentity, createdAt: number, details: RunStep['step_details']): RunStep {
  return {
    id,
    object: 'thread.run.step',
    created_at: createdAt,
    assistant_id: identity.assistantId ?? '',
    thread_id: identity.threadId,
    run_id: identity.runId,
    type: details.type,
    status: 'in_progress',
    step_details: details,
    last_error: null,
    expired_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    metadata: {},
    usage: null,
  };
}

/** The assistant message of a `message` item, with its content as far as known. */
export function messageOfItem(item: ResponseOutputMessage, identity: RunIdentity, createdAt: number, status: Message['status']): Message {
  return {
    id: item.id,
    object: 'thread.message',
    created_at: createdAt,
    thread_id: identity.threadId,
    status,
    incomplete_details: status === 'incomplete' ? { reason: 'run_incomplete' } : null,
    completed_at: status === 'completed' ? createdAt : null,
    incomplete_at: status === 'incomplete' ? createdAt : null,
    role: 'assistant',
    content: item.content.map(contentOfPart),
    assistant_id: null,
    run_id: identity.runId,
    attachments: [],
    metadata: {},
  };
}

/** A content part as an Assistants content block (`output_text` → `text`, `refusal` → `refusal`). */
export function contentOfPart(part: ResponseOutputText | ResponseOutputRefusal): MessageContent {
  if (part.type === 'refusal') return { type: 'refusal', refusal: part.refusal };
  const annotations: Annotation[] = [];
  for (const annotation of part.annotations) {
    const mapped = annotationOf(annotation, part.text);
    if (mapped !== undefined) annotations.push(mapped);
  }
  return { type: 'text', text: { value: part.text, annotations } };
}

/**
 * A Responses citation as an Assistants annotation, or undefined when there is none
 * (`url_citation`). A citation with only an `index` becomes the empty range at that index:
 * the Responses text has no marker for it, so `text` is '' (docs/responses.md).
 */
export function annotationOf(annotation: ResponseAnnotation | { type: string }, text: string): Annotation | undefined {
  const cited = annotation as ResponseAnnotation;
  switch (cited.type) {
    case 'file_citation':
      return { type: 'file_citation', text: '', start_index: cited.index, end_index: cited.index, file_citation: { file_id: cited.file_id } };
    case 'file_path':
      return { type: 'file_path', text: '', start_index: cited.index, end_index: cited.index, file_path: { file_id: cited.file_id } };
    case 'container_file_citation':
      return {
        type: 'file_citation',
        text: text.slice(cited.start_index, cited.end_index),
        start_index: cited.start_index,
        end_index: cited.end_index,
        file_citation: { file_id: cited.file_id },
      };
    default:
      return undefined;
  }
}

/** A tool item as the Assistants tool call it becomes, as complete as the item is. */
export function toolCallOfItem(item: { type: string }): ToolCall | undefined {
  switch (item.type) {
    case 'function_call': {
      const call = item as ResponseFunctionCall;
      return { id: call.call_id, type: 'function', function: { name: call.name, arguments: call.arguments ?? '', output: null } };
    }
    case 'code_interpreter_call': {
      const call = item as ResponseCodeInterpreterCall;
      const outputs = (call.outputs ?? []).flatMap((output) => (output.type === 'logs' ? [{ type: 'logs' as const, logs: output.logs }] : []));
      return { id: call.id, type: 'code_interpreter', code_interpreter: { input: call.code ?? '', outputs } };
    }
    case 'file_search_call': {
      const call = item as ResponseFileSearchCall;
      const results = call.results?.map((result) => ({
        file_id: result.file_id ?? '',
        ...(result.filename === undefined ? {} : { file_name: result.filename }),
        ...(result.score === undefined ? {} : { score: result.score }),
        content: [{ type: 'text', text: result.text ?? '' }],
      }));
      return { id: call.id, type: 'file_search', file_search: results === undefined ? {} : { results } };
    }
    default:
      return undefined;
  }
}

/** Whether an item type is one of the tool calls that become a `tool_calls` step. */
export function isMappedToolItem(type: string): boolean {
  return type === 'function_call' || type === 'code_interpreter_call' || type === 'file_search_call';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
