/**
 * Request and response types of the REST calls (openapi.yaml, the official SDK's names). The
 * streamed objects (`Run`, `RunStep`, `Message`, `Thread`) are the wire layer's types.
 */
import type { AssistantTool, Message, Metadata, Run, RunStep, Thread } from '../wire/index.ts';

export type { AssistantTool, Message, Metadata, Run, RunStep, Thread };
// The REST objects, shared with the embedded server.
export type { Assistant, FileCounts, FileObject, VectorStore, VectorStoreFile, VectorStoreFileBatch } from '../wire/index.ts';

/** Query parameters every cursor-paginated list takes. */
export interface CursorPageParams {
  /** 1–100, default 20. */
  limit?: number;
  /** By `created_at`; default `desc`. */
  order?: 'asc' | 'desc';
  /** An object id: list the objects after it. */
  after?: string;
  /** An object id: list the objects before it. */
  before?: string;
}

/** `{ id, object: '….deleted', deleted }`. */
export interface DeletedObject<ObjectName extends string = string> {
  id: string;
  object: ObjectName;
  deleted: boolean;
}

/** `tool_resources` as a request gives them (a vector store may be created inline). */
export interface ToolResourcesParam {
  code_interpreter?: { file_ids?: string[] };
  file_search?: {
    vector_store_ids?: string[];
    vector_stores?: Array<{ file_ids?: string[]; chunking_strategy?: ChunkingStrategyParam; metadata?: Metadata }>;
  };
}

export type ResponseFormat = 'auto' | { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; json_schema: Record<string, unknown> };

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function' | 'code_interpreter' | 'file_search'; function?: { name: string } };

export interface TruncationStrategy {
  type: 'auto' | 'last_messages';
  last_messages?: number | null;
}

// ── Assistants ──────────────────────────────────────────────────────────────────────────────


export interface AssistantCreateParams {
  model: string;
  name?: string | null;
  description?: string | null;
  instructions?: string | null;
  reasoning_effort?: string | null;
  tools?: AssistantTool[];
  tool_resources?: ToolResourcesParam | null;
  metadata?: Metadata;
  temperature?: number | null;
  top_p?: number | null;
  response_format?: ResponseFormat | null;
}

export type AssistantUpdateParams = Partial<AssistantCreateParams>;
export type AssistantListParams = CursorPageParams;
export type AssistantDeleted = DeletedObject<'assistant.deleted'>;

// ── Threads and messages ────────────────────────────────────────────────────────────────────

export type MessageContentPartParam =
  | { type: 'text'; text: string }
  | { type: 'image_file'; image_file: { file_id: string; detail?: 'auto' | 'low' | 'high' } }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export interface MessageAttachment {
  file_id?: string;
  tools?: Array<{ type: 'code_interpreter' } | { type: 'file_search' }>;
}

export interface MessageCreateParams {
  role: 'user' | 'assistant';
  content: string | MessageContentPartParam[];
  attachments?: MessageAttachment[] | null;
  metadata?: Metadata;
}

export interface MessageRetrieveParams {
  thread_id: string;
}

export interface MessageUpdateParams {
  thread_id: string;
  metadata?: Metadata;
}

export interface MessageListParams extends CursorPageParams {
  /** Only the messages of this run. */
  run_id?: string;
}

export interface MessageDeleteParams {
  thread_id: string;
}

export type MessageDeleted = DeletedObject<'thread.message.deleted'>;

export interface ThreadCreateParams {
  messages?: MessageCreateParams[];
  tool_resources?: ToolResourcesParam | null;
  metadata?: Metadata;
}

export interface ThreadUpdateParams {
  tool_resources?: ToolResourcesParam | null;
  metadata?: Metadata;
}

export type ThreadDeleted = DeletedObject<'thread.deleted'>;

// ── Runs and steps ──────────────────────────────────────────────────────────────────────────

/** What a run may include of file-search results. */
export type RunStepInclude = 'step_details.tool_calls[*].file_search.results[*].content';

interface RunParamsBase {
  assistant_id: string;
  model?: string | null;
  instructions?: string | null;
  tools?: AssistantTool[] | null;
  metadata?: Metadata;
  temperature?: number | null;
  top_p?: number | null;
  max_prompt_tokens?: number | null;
  max_completion_tokens?: number | null;
  truncation_strategy?: TruncationStrategy | null;
  tool_choice?: ToolChoice | null;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat | null;
}

export interface RunCreateParams extends RunParamsBase {
  /** Sent as the `include[]` query parameter. */
  include?: RunStepInclude[];
  additional_instructions?: string | null;
  additional_messages?: MessageCreateParams[] | null;
  reasoning_effort?: string | null;
  /** Set by the stream helpers; `create` answers JSON only, so leave it out or false there. */
  stream?: false | null;
}

/** The body of `runs.stream` (the helper adds `stream: true`). */
export type RunCreateParamsStream = Omit<RunCreateParams, 'stream'>;

export interface ThreadCreateAndRunParams extends RunParamsBase {
  thread?: ThreadCreateParams;
  tool_resources?: ToolResourcesParam | null;
  stream?: false | null;
}

export type ThreadCreateAndRunParamsStream = Omit<ThreadCreateAndRunParams, 'stream'>;

export interface RunRetrieveParams {
  thread_id: string;
}

export interface RunUpdateParams {
  thread_id: string;
  metadata?: Metadata;
}

export type RunListParams = CursorPageParams;

export interface RunCancelParams {
  thread_id: string;
}

export interface ToolOutput {
  tool_call_id?: string;
  output?: string;
}

export interface RunSubmitToolOutputsParams {
  /** Path parameter: the run's thread. */
  thread_id: string;
  tool_outputs: ToolOutput[];
  stream?: false | null;
}

export type RunSubmitToolOutputsParamsStream = Omit<RunSubmitToolOutputsParams, 'stream'>;

export interface StepRetrieveParams {
  thread_id: string;
  run_id: string;
  include?: RunStepInclude[];
}

export interface StepListParams extends CursorPageParams {
  thread_id: string;
  include?: RunStepInclude[];
}

// ── Files ───────────────────────────────────────────────────────────────────────────────────

export type FilePurpose = 'assistants' | 'batch' | 'fine-tune' | 'vision' | 'user_data' | 'evals';

/** A web `File`, or a `Blob` with a `name` (the multipart part needs a file name). */
export type Uploadable = File | (Blob & { readonly name: string });


export interface FileCreateParams {
  file: Uploadable;
  purpose: FilePurpose;
  expires_after?: { anchor: 'created_at'; seconds: number };
}

export interface FileListParams {
  purpose?: string;
  limit?: number;
  order?: 'asc' | 'desc';
  after?: string;
}

export type FileDeleted = DeletedObject<'file'>;

// ── Vector stores ───────────────────────────────────────────────────────────────────────────

export type ChunkingStrategyParam =
  | { type: 'auto' }
  | { type: 'static'; static: { max_chunk_size_tokens: number; chunk_overlap_tokens: number } };



export interface VectorStoreCreateParams {
  file_ids?: string[];
  name?: string;
  description?: string;
  expires_after?: { anchor: 'last_active_at'; days: number };
  chunking_strategy?: ChunkingStrategyParam;
  metadata?: Metadata;
}

export interface VectorStoreUpdateParams {
  name?: string | null;
  expires_after?: { anchor: 'last_active_at'; days: number } | null;
  metadata?: Metadata;
}

export type VectorStoreListParams = CursorPageParams;
export type VectorStoreDeleted = DeletedObject<'vector_store.deleted'>;

export type VectorStoreFileStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed';
export type VectorStoreFileAttributes = Record<string, string | number | boolean>;


export interface VectorStoreFileCreateParams {
  file_id: string;
  chunking_strategy?: ChunkingStrategyParam;
  attributes?: VectorStoreFileAttributes | null;
}

export interface VectorStoreFileRetrieveParams {
  vector_store_id: string;
}

export interface VectorStoreFileUpdateParams {
  vector_store_id: string;
  attributes: VectorStoreFileAttributes | null;
}

export interface VectorStoreFileListParams extends CursorPageParams {
  filter?: VectorStoreFileStatus;
}

export interface VectorStoreFileDeleteParams {
  vector_store_id: string;
}

export type VectorStoreFileDeleted = DeletedObject<'vector_store.file.deleted'>;


export interface FileBatchCreateParams {
  file_ids?: string[];
  files?: VectorStoreFileCreateParams[];
  chunking_strategy?: ChunkingStrategyParam;
  attributes?: VectorStoreFileAttributes | null;
}

export interface FileBatchRetrieveParams {
  vector_store_id: string;
}

export interface FileBatchCancelParams {
  vector_store_id: string;
}

export interface FileBatchListFilesParams extends CursorPageParams {
  vector_store_id: string;
  filter?: VectorStoreFileStatus;
}

/** The files of `fileBatches.uploadAndPoll`. */
export interface FileBatchUploadParams {
  /** Uploaded first (bounded concurrency), then attached as one batch. At least one. */
  files: Uploadable[];
  /** Files already uploaded, attached with the new ones. */
  fileIds?: string[];
}
