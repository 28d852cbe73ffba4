import type { ExecutorEnvironment } from './executor/environment.ts';
import type { RunExecutor } from './executor/runExecutor.ts';
import type { FileIndexer } from './indexing.ts';
import type { Store } from './store.ts';

/** What every route of one server shares. */
export interface ServerContext {
  store: Store<RunExecutor>;
  indexer: FileIndexer;
  environment: ExecutorEnvironment;
  /** The `openai-poll-after-ms` header value on pollable objects. */
  pollAfterMs: number;
}
