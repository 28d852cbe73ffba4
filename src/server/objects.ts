import type { FileCounts } from '../wire/index.ts';

export type {
  Assistant,
  FileCounts,
  FileObject,
  StoredChunkingStrategy,
  ThreadObject,
  ToolResources,
  VectorStore,
  VectorStoreFile,
  VectorStoreFileBatch,
} from '../wire/index.ts';

/** The envelope of every list endpoint. */
export interface ListPage<Item> {
  object: 'list';
  data: Item[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** The answer of every delete endpoint. */
export interface Deleted {
  id: string;
  object: string;
  deleted: true;
}

/** File counts with every bucket at zero. */
export function emptyFileCounts(): FileCounts {
  return { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
}
