/**
 * Request and response types of the REST calls (openapi.yaml, the official SDK's names). The
 * streamed objects (`Run`, `RunStep`, `Message`, `Thread`) are the wire layer's types. Request
 * bodies are the inputs of the zod schemas the embedded server validates with
 * (src/wire/requests.ts), plus the path and query parameters the official SDK folds in.
 */
import type { z } from 'zod';
import type { AssistantTool, Message, Metadata, Run, RunStep, Thread } from '../wire/index.ts';
import type * as Requests from '../wire/requests.ts';

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

/** `tool_resources` as a create request gives them (a vector store may be created inline). */
export type ToolResourcesParam = NonNullable<z.input<typeof Requests.CreateToolResourcesParam>>;

export type ResponseFormat = NonNullable<z.input<typeof Requests.ResponseFormatParam>>;

export type ToolChoice = NonNullable<z.input<typeof Requests.ToolChoiceParam>>;

export type TruncationStrategy = NonNullable<z.input<typeof Requests.TruncationStrategyParam>>;

// ── Assistants ──────────────────────────────────────────────────────────────────────────────


export type AssistantCreateParams = z.input<typeof Requests.CreateAssistantRequest>;
export type AssistantUpdateParams = z.input<typeof Requests.ModifyAssistantRequest>;
export type AssistantListParams = CursorPageParams;
export type AssistantDeleted = DeletedObject<'assistant.deleted'>;

// ── Threads and messages ────────────────────────────────────────────────────────────────────

export type MessageContentPartParam = z.input<typeof Requests.MessageContentPart>;
export type MessageAttachment = z.input<typeof Requests.AttachmentParam>;
export type MessageCreateParams = z.input<typeof Requests.CreateMessageRequest>;

export interface MessageRetrieveParams {
  thread_id: string;
}

export type MessageUpdateParams = { thread_id: string } & z.input<typeof Requests.ModifyMetadataRequest>;

export interface MessageListParams extends CursorPageParams {
  /** Only the messages of this run. */
  run_id?: string;
}

export interface MessageDeleteParams {
  thread_id: string;
}

export type MessageDeleted = DeletedObject<'thread.message.deleted'>;

export type ThreadCreateParams = z.input<typeof Requests.CreateThreadRequest>;
/** The query of `beta.threads.list` (an extension of the Assistants API, as Microsoft Foundry lists threads). */
export type ThreadListParams = CursorPageParams;
export type ThreadUpdateParams = z.input<typeof Requests.ModifyThreadRequest>;

export type ThreadDeleted = DeletedObject<'thread.deleted'>;

// ── Runs and steps ──────────────────────────────────────────────────────────────────────────

/** What a run may include of file-search results. */
export type RunStepInclude = 'step_details.tool_calls[*].file_search.results[*].content';

/** `stream` is set by the stream helpers; `create` answers JSON only, so leave it out or false there. */
interface NotStreamed {
  stream?: false | null | undefined;
}

export type RunCreateParams = Omit<z.input<typeof Requests.CreateRunRequest>, 'stream'> &
  NotStreamed & {
    /** Sent as the `include[]` query parameter. */
    include?: RunStepInclude[] | undefined;
  };

/** The body of `runs.stream` (the helper adds `stream: true`). */
export type RunCreateParamsStream = Omit<RunCreateParams, 'stream'>;

export type ThreadCreateAndRunParams = Omit<z.input<typeof Requests.CreateThreadAndRunRequest>, 'stream'> & NotStreamed;

export type ThreadCreateAndRunParamsStream = Omit<ThreadCreateAndRunParams, 'stream'>;

export interface RunRetrieveParams {
  thread_id: string;
}

export type RunUpdateParams = { thread_id: string } & z.input<typeof Requests.ModifyMetadataRequest>;

export type RunListParams = CursorPageParams;

export interface RunCancelParams {
  thread_id: string;
}

export type ToolOutput = z.input<typeof Requests.SubmitToolOutputsRequest>['tool_outputs'][number];

export type RunSubmitToolOutputsParams = Omit<z.input<typeof Requests.SubmitToolOutputsRequest>, 'stream'> &
  NotStreamed & {
    /** Path parameter: the run's thread. */
    thread_id: string;
  };

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

export type FilePurpose = z.input<typeof Requests.UploadPurpose>;

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

export type ChunkingStrategyParam = z.input<typeof Requests.ChunkingStrategyParam>;



export type VectorStoreCreateParams = z.input<typeof Requests.CreateVectorStoreRequest>;
export type VectorStoreUpdateParams = z.input<typeof Requests.UpdateVectorStoreRequest>;

export type VectorStoreListParams = CursorPageParams;
export type VectorStoreDeleted = DeletedObject<'vector_store.deleted'>;

export type VectorStoreFileStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed';
export type VectorStoreFileAttributes = NonNullable<z.input<typeof Requests.FileAttributesParam>>;


export type VectorStoreFileCreateParams = z.input<typeof Requests.CreateVectorStoreFileRequest>;

export interface VectorStoreFileRetrieveParams {
  vector_store_id: string;
}

export type VectorStoreFileUpdateParams = { vector_store_id: string } & z.input<typeof Requests.UpdateVectorStoreFileRequest>;

export interface VectorStoreFileListParams extends CursorPageParams {
  filter?: VectorStoreFileStatus;
}

export interface VectorStoreFileDeleteParams {
  vector_store_id: string;
}

export type VectorStoreFileDeleted = DeletedObject<'vector_store.file.deleted'>;


export type FileBatchCreateParams = z.input<typeof Requests.CreateFileBatchRequest>;

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
