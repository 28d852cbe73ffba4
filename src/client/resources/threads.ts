import type { AssistantStream } from '../../stream/AssistantStream.ts';
import type { AssistantsClient } from '../AssistantsClient.ts';
import type { PagePromise } from '../pagination.ts';
import { checkPollOptions, pollUntilDone, type PollOptions } from '../poll.ts';
import { path, type RequestOptions } from '../request.ts';
import { startStream, type StreamRequestOptions } from '../streaming.ts';
import type {
  Run,
  Thread,
  ThreadCreateAndRunParams,
  ThreadCreateAndRunParamsStream,
  ThreadCreateParams,
  ThreadDeleted,
  ThreadListParams,
  ThreadUpdateParams,
} from '../types.ts';
import { Messages } from './messages.ts';
import { APIResource } from './resource.ts';
import { refuseStreamFlag, Runs } from './runs.ts';

/** `client.beta.threads`: threads, and runs on a new thread. */
export class Threads extends APIResource {
  readonly messages: Messages;
  readonly runs: Runs;

  constructor(client: AssistantsClient) {
    super(client);
    this.messages = new Messages(client);
    this.runs = new Runs(client);
  }

  /** Creates a thread, optionally with messages. @example `const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });` */
  async create(body: ThreadCreateParams = {}, options?: RequestOptions): Promise<Thread> {
    return this._client.request({ method: 'POST', path: '/threads', body }, options);
  }

  /** Retrieves a thread. @example `const thread = await client.beta.threads.retrieve(threadId);` */
  async retrieve(threadId: string, options?: RequestOptions): Promise<Thread> {
    return this._client.request({ method: 'GET', path: path`/threads/${threadId}` }, options);
  }

  /** Modifies a thread. @example `await client.beta.threads.update(threadId, { metadata: { user: 'u_1' } });` */
  async update(threadId: string, body: ThreadUpdateParams, options?: RequestOptions): Promise<Thread> {
    return this._client.request({ method: 'POST', path: path`/threads/${threadId}`, body }, options);
  }

  /**
   * Lists threads, newest first unless `order: 'asc'`. An extension: the Assistants API never
   * listed threads (the official SDK has no such call); Microsoft Foundry's agents service does,
   * and so does the embedded server (`GET /threads`), in the same shape — how a migration finds
   * every thread without knowing its ids. A server without it answers 404 or 405.
   *
   * @example `for await (const thread of client.beta.threads.list({ limit: 100 })) console.log(thread.id);`
   */
  list(query: ThreadListParams = {}, options?: RequestOptions): PagePromise<Thread> {
    return this._client.requestList(() => ({ method: 'GET', path: '/threads', query: { ...query } }), options);
  }

  /** Deletes a thread. @example `await client.beta.threads.delete(threadId);` */
  async delete(threadId: string, options?: RequestOptions): Promise<ThreadDeleted> {
    return this._client.request({ method: 'DELETE', path: path`/threads/${threadId}` }, options);
  }

  /**
   * Creates a thread and starts a run on it in one call.
   *
   * @example `const run = await client.beta.threads.createAndRun({ assistant_id, thread: { messages } });`
   */
  async createAndRun(body: ThreadCreateAndRunParams, options?: RequestOptions): Promise<Run> {
    refuseStreamFlag(body, 'threads.createAndRun', 'threads.createAndRunStream');
    return this._client.request({ method: 'POST', path: '/threads/runs', body }, options);
  }

  /**
   * Creates a thread, starts a run and polls it until it ends or requires action.
   *
   * @example `const run = await client.beta.threads.createAndRunPoll({ assistant_id, thread: { messages } }, { pollIntervalMs: 500 });`
   */
  async createAndRunPoll(body: ThreadCreateAndRunParams, options: PollOptions = {}): Promise<Run> {
    const startedAt = Date.now();
    const requestOptions = checkPollOptions(options);
    const run = await this.createAndRun(body, requestOptions);
    return pollUntilDone<Run>(this._client, { resource: 'run', threadId: run.thread_id, runId: run.id }, options, startedAt);
  }

  /**
   * Creates a thread and streams a run on it: returns an {@link AssistantStream} at once (its
   * first event is `thread.created`).
   *
   * @example
   * ```ts
   * const stream = client.beta.threads.createAndRunStream({ assistant_id, thread: { messages } }, { handler: new Printer() });
   * await stream.done();
   * ```
   */
  createAndRunStream(body: ThreadCreateAndRunParamsStream, options?: StreamRequestOptions): AssistantStream {
    return startStream(this._client, { method: 'POST', path: '/threads/runs', body }, options);
  }
}
