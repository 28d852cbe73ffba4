import type { AssistantTool, Metadata } from './schemas/common.ts';

// The REST objects the stream never carries (so `schemas/` has no zod schema for them),
// field for field the spec's (WIRE-FORMAT.md §3): what the embedded server builds and what
// the client returns.

/** `tool_resources` of an assistant or a thread. */
export interface ToolResources {
  code_interpreter?: { file_ids: string[] };
  file_search?: { vector_store_ids: string[] };
}

/** `AssistantObject`. */
export interface Assistant {
  id: string;
  object: 'assistant';
  created_at: number;
  name: string | null;
  description: string | null;
  model: string;
  instructions: string | null;
  tools: AssistantTool[];
  tool_resources: ToolResources | null;
  metadata: Metadata;
  temperature: number | null;
  top_p: number | null;
  response_format: unknown;
  reasoning_effort?: string | null;
}

/** `ThreadObject`: the wire `Thread` with every required field present. */
export interface ThreadObject {
  id: string;
  object: 'thread';
  created_at: number;
  tool_resources: ToolResources | null;
  metadata: Metadata;
}

/** `OpenAIFile`. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at?: number;
  filename: string;
  purpose: string;
  status: 'uploaded' | 'processed' | 'error';
  status_details?: string;
}

/** The `file_counts` of a vector store or a file batch. */
export interface FileCounts {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

/** `VectorStoreObject`. */
export interface VectorStore {
  id: string;
  object: 'vector_store';
  created_at: number;
  name: string;
  description?: string | null;
  usage_bytes: number;
  file_counts: FileCounts;
  status: 'expired' | 'in_progress' | 'completed';
  expires_after?: { anchor: 'last_active_at'; days: number };
  expires_at: number | null;
  last_active_at: number | null;
  metadata: Metadata;
}

/** A chunking strategy as stored on a vector store file. */
export type StoredChunkingStrategy =
  | { type: 'static'; static: { max_chunk_size_tokens: number; chunk_overlap_tokens: number } }
  | { type: 'other' };

/** `VectorStoreFileObject`. */
export interface VectorStoreFile {
  id: string;
  object: 'vector_store.file';
  usage_bytes: number;
  created_at: number;
  vector_store_id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  last_error: { code: 'server_error' | 'unsupported_file' | 'invalid_file'; message: string } | null;
  chunking_strategy: StoredChunkingStrategy;
  attributes: Record<string, string | number | boolean> | null;
}

/** `VectorStoreFileBatchObject` (note `files_batch`: the spec's enum, not its description). */
export interface VectorStoreFileBatch {
  id: string;
  object: 'vector_store.files_batch';
  created_at: number;
  vector_store_id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  file_counts: FileCounts;
}
