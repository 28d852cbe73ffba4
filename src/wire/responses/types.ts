// The Responses API objects and stream events this library reads, typed from
// the OpenAPI spec of the OpenAI API (`Response`, `ResponseStreamEvent`). Only the fields
// the adapter uses are named; every object keeps the rest of what the server sent.

/** Every status a response can have. */
export type ResponseStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'incomplete' | 'cancelled';

/** A citation inside `output_text`: by character `index`, or by a `start_index`..`end_index` range. */
export type ResponseAnnotation =
  | { type: 'file_citation'; file_id: string; filename?: string; index: number }
  | { type: 'file_path'; file_id: string; index: number }
  | { type: 'container_file_citation'; container_id: string; file_id: string; filename?: string; start_index: number; end_index: number }
  | { type: 'url_citation'; url: string; title?: string; start_index: number; end_index: number };

/** A text part of a message item. */
export interface ResponseOutputText {
  type: 'output_text';
  text: string;
  annotations: ResponseAnnotation[];
  logprobs?: unknown[];
}

/** A refusal part of a message item. */
export interface ResponseOutputRefusal {
  type: 'refusal';
  refusal: string;
}

/** A message item of a response's output. */
export interface ResponseOutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: Array<ResponseOutputText | ResponseOutputRefusal>;
  /** Intermediate `commentary` or the `final_answer` (models that label their messages); null otherwise. */
  phase?: 'commentary' | 'final_answer' | null;
}

/** A function call the client must run; `call_id` pairs it with its `function_call_output`. */
export interface ResponseFunctionCall {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
  /** Who made the call: null for the model itself, a program for programmatic tool calling. */
  caller?: { type: string; caller_id?: string } | null;
}

/** A code interpreter call: its code and, once run, its outputs. */
export interface ResponseCodeInterpreterCall {
  type: 'code_interpreter_call';
  id: string;
  code: string | null;
  outputs: Array<{ type: 'logs'; logs: string } | { type: 'image'; url: string }> | null;
  status: 'in_progress' | 'interpreting' | 'completed' | 'incomplete' | 'failed';
  container_id?: string;
}

/** One result of a file search call. */
export interface ResponseFileSearchResult {
  file_id?: string;
  filename?: string;
  score?: number;
  text?: string;
  attributes?: Record<string, unknown> | null;
}

/** A file search call: its queries and, once searched, its results. */
export interface ResponseFileSearchCall {
  type: 'file_search_call';
  id: string;
  queries: string[];
  status: 'in_progress' | 'searching' | 'completed' | 'incomplete' | 'failed';
  results?: ResponseFileSearchResult[] | null;
}

/** An output item this library does not map (reasoning, web search, MCP, image generation, …). */
export interface ResponseOtherItem {
  type: string;
  id?: string;
}

/** An item of a response's `output`. */
export type ResponseOutputItem = ResponseOutputMessage | ResponseFunctionCall | ResponseCodeInterpreterCall | ResponseFileSearchCall;

/** Token counts of a response, with the details the API reports (zeros where a server has none). */
export interface ResponseUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  input_tokens_details?: { cached_tokens: number; cache_write_tokens?: number };
  output_tokens_details?: { reasoning_tokens: number };
}

/**
 * A response: the Responses API's counterpart of a run. The fields after `completed_at` are the
 * settings the API echoes on every response (what a model did not use is `null` or the API's
 * default there); this library reads none of them, and keeps them as the server sent them.
 */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason?: string } | null;
  instructions: string | null | unknown[];
  model: string;
  output: Array<ResponseOutputItem | ResponseOtherItem>;
  /** The concatenated text of the output (the official SDK's convenience; we fill it too). */
  output_text?: string;
  previous_response_id?: string | null;
  background?: boolean | null;
  metadata?: Record<string, string> | null;
  tools?: unknown[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  temperature?: number | null;
  top_p?: number | null;
  max_output_tokens?: number | null;
  usage?: ResponseUsage | null;
  completed_at?: number | null;
  /** The conversation whose items the response's input and output were added to. */
  conversation?: { id: string } | null;
  store?: boolean;
  max_tool_calls?: number | null;
  prompt?: unknown;
  prompt_cache_key?: string | null;
  prompt_cache_retention?: string | null;
  safety_identifier?: string | null;
  service_tier?: string | null;
  top_logprobs?: number | null;
  frequency_penalty?: number;
  presence_penalty?: number;
  reasoning?: unknown;
  text?: unknown;
  truncation?: string | null;
  user?: string | null;
  moderation?: unknown;
  tool_usage?: unknown;
}

interface EventBase {
  sequence_number: number;
}
interface ItemEventBase extends EventBase {
  item_id: string;
  output_index: number;
}
interface PartEventBase extends ItemEventBase {
  content_index: number;
}

/** A lifecycle event: it carries the whole response. */
export interface ResponseLifecycleEvent extends EventBase {
  type: 'response.created' | 'response.queued' | 'response.in_progress' | 'response.completed' | 'response.failed' | 'response.incomplete';
  response: ResponseObject;
}
/** An output item starts or ends. */
export interface ResponseOutputItemEvent extends EventBase {
  type: 'response.output_item.added' | 'response.output_item.done';
  output_index: number;
  item: ResponseOutputItem | ResponseOtherItem;
}
/** A content part of a message starts or ends. */
export interface ResponseContentPartEvent extends PartEventBase {
  type: 'response.content_part.added' | 'response.content_part.done';
  part: ResponseOutputText | ResponseOutputRefusal | { type: string };
}
/** A piece of a message's text. */
export interface ResponseTextDeltaEvent extends PartEventBase {
  type: 'response.output_text.delta';
  delta: string;
  logprobs?: unknown[];
}
/** A message's text part is complete. */
export interface ResponseTextDoneEvent extends PartEventBase {
  type: 'response.output_text.done';
  text: string;
}
/** A citation was added to a text part. */
export interface ResponseTextAnnotationEvent extends PartEventBase {
  type: 'response.output_text.annotation.added';
  annotation_index: number;
  annotation: ResponseAnnotation | { type: string };
}
/** A piece of a refusal, or the whole of it. */
export interface ResponseRefusalEvent extends PartEventBase {
  type: 'response.refusal.delta' | 'response.refusal.done';
  delta?: string;
  refusal?: string;
}
/** A piece of a function call's arguments, or all of them. */
export interface ResponseFunctionCallArgumentsEvent extends ItemEventBase {
  type: 'response.function_call_arguments.delta' | 'response.function_call_arguments.done';
  delta?: string;
  arguments?: string;
}
/** A piece of a code interpreter call's code, or all of it. */
export interface ResponseCodeEvent extends ItemEventBase {
  type: 'response.code_interpreter_call_code.delta' | 'response.code_interpreter_call_code.done';
  delta?: string;
  code?: string;
}
/** A hosted tool call changes status. */
export interface ResponseToolStatusEvent extends ItemEventBase {
  type:
    | 'response.code_interpreter_call.in_progress'
    | 'response.code_interpreter_call.interpreting'
    | 'response.code_interpreter_call.completed'
    | 'response.file_search_call.in_progress'
    | 'response.file_search_call.searching'
    | 'response.file_search_call.completed';
}
/** The server reports an error; the stream ends. Flat, or with the error nested under `error`. */
export interface ResponseErrorEvent extends EventBase {
  type: 'error';
  code?: string | null;
  message?: string;
  param?: string | null;
  error?: { type?: string; code?: string | null; message: string; param?: string | null };
}
/** Any other event (reasoning, web search, MCP, image generation, custom tools, …): passed through. */
export interface ResponseOtherEvent extends EventBase {
  type: string;
  output_index?: number;
  item_id?: string;
}

/** Every Responses stream event the adapter maps. */
export type ResponseStreamEvent =
  | ResponseLifecycleEvent
  | ResponseOutputItemEvent
  | ResponseContentPartEvent
  | ResponseTextDeltaEvent
  | ResponseTextDoneEvent
  | ResponseTextAnnotationEvent
  | ResponseRefusalEvent
  | ResponseFunctionCallArgumentsEvent
  | ResponseCodeEvent
  | ResponseToolStatusEvent
  | ResponseErrorEvent;

// The event type whose `type` admits `Name` (several events share one interface).
type EventWithName<Name extends string, Event = ResponseStreamEvent> = Event extends { type: infer Type }
  ? Name extends Type
    ? Event
    : never
  : never;
type EventOf<Name extends string> = [EventWithName<Name>] extends [never] ? ResponseOtherEvent : EventWithName<Name>;

/** The Responses event names a stream's `on(...)` knows, as the official `ResponseStream` emits them. */
export const RESPONSES_LISTENER_EVENTS = [
  'response.created',
  'response.queued',
  'response.in_progress',
  'response.completed',
  'response.failed',
  'response.incomplete',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.delta',
  'response.output_text.done',
  'response.output_text.annotation.added',
  'response.refusal.delta',
  'response.refusal.done',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'response.code_interpreter_call_code.delta',
  'response.code_interpreter_call_code.done',
  'response.code_interpreter_call.in_progress',
  'response.code_interpreter_call.interpreting',
  'response.code_interpreter_call.completed',
  'response.file_search_call.in_progress',
  'response.file_search_call.searching',
  'response.file_search_call.completed',
  'response.web_search_call.in_progress',
  'response.web_search_call.searching',
  'response.web_search_call.completed',
  'response.reasoning_summary_part.added',
  'response.reasoning_summary_part.done',
  'response.reasoning_summary_text.delta',
  'response.reasoning_summary_text.done',
  'response.reasoning_text.delta',
  'response.reasoning_text.done',
  'response.image_generation_call.in_progress',
  'response.image_generation_call.generating',
  'response.image_generation_call.partial_image',
  'response.image_generation_call.completed',
  'response.mcp_call.in_progress',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
  'response.mcp_call_arguments.delta',
  'response.mcp_call_arguments.done',
  'response.mcp_list_tools.in_progress',
  'response.mcp_list_tools.completed',
  'response.mcp_list_tools.failed',
  'response.custom_tool_call_input.delta',
  'response.custom_tool_call_input.done',
] as const;

/** A Responses event name `on(...)` accepts. */
export type ResponsesListenerEventName = (typeof RESPONSES_LISTENER_EVENTS)[number];

/**
 * The listener events of a Responses stream, by their own names. As in the official
 * `ResponseStream`, text and argument deltas carry `snapshot`: everything received so far.
 */
export type ResponsesStreamEvents = {
  [Name in ResponsesListenerEventName]: Name extends 'response.output_text.delta'
    ? (event: ResponseTextDeltaEvent & { snapshot: string }) => void
    : Name extends 'response.function_call_arguments.delta'
      ? (event: ResponseFunctionCallArgumentsEvent & { snapshot: string }) => void
      : (event: EventOf<Name>) => void;
};
