import type { ExecutorEnvironment } from './executor/environment.ts';
import type { RunExecutor } from './executor/runExecutor.ts';
import type { RunScript } from './executor/runScript.ts';
import type { FileIndexer } from './indexing.ts';
import type { ConversationRecord } from './conversations/record.ts';
import type { ResponseRecord } from './responses/record.ts';
import type { Collection, Store } from './store.ts';

/** What every route of one server shares. */
export interface ServerContext {
  store: Store<RunExecutor>;
  /** The responses of `/v1/responses`, by id (their runs live in `store.threads`). */
  responses: Collection<ResponseRecord>;
  /** `store: false` responses whose runs may still go on: not retrievable, disposed on close. */
  unstored: Set<ResponseRecord>;
  /** The conversations of `/v1/conversations`, by id. */
  conversations: Collection<ConversationRecord>;
  indexer: FileIndexer;
  environment: ExecutorEnvironment;
  /** Scripts the next runs created take, first come first served (the path-following backend). */
  runScripts: RunScript[];
  /** The `openai-poll-after-ms` header value on pollable objects. */
  pollAfterMs: number;
  /** How long a run may wait for tool outputs before it expires; default the API's 600 s. */
  runExpirySeconds?: number | undefined;
}
