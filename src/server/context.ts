import type { ExecutorEnvironment } from './executor/environment.ts';
import type { RunExecutor } from './executor/runExecutor.ts';
import type { FileIndexer } from './indexing.ts';
import type { ResponseRecord } from './responses/record.ts';
import type { Collection, Store } from './store.ts';

/** What every route of one server shares. */
export interface ServerContext {
  store: Store<RunExecutor>;
  /** The responses of `/v1/responses`, by id (their runs live in `store.threads`). */
  responses: Collection<ResponseRecord>;
  indexer: FileIndexer;
  environment: ExecutorEnvironment;
  /** The `openai-poll-after-ms` header value on pollable objects. */
  pollAfterMs: number;
}
