import type { AssistantStream } from '../../stream/AssistantStream.ts';
import type { AssistantsClient } from '../AssistantsClient.ts';
import { APIError, APIUserAbortError, InvalidArgumentError, NotFoundError } from '../errors.ts';
import type { PagePromise } from '../pagination.ts';
import { checkPollOptions, pollUntilDone, retrieveSpec, type PollOptions } from '../poll.ts';
import { eventStreamResponse, polledRunEvents } from '../polledRunEvents.ts';
import { path, type RequestOptions } from '../request.ts';
import { startStream, type StreamRequestOptions } from '../streaming.ts';
import type {
  Run,
  RunCancelParams,
  RunCreateParams,
  RunCreateParamsStream,
  RunListParams,
  RunRetrieveParams,
  RunSubmitToolOutputsParams,
  RunSubmitToolOutputsParamsStream,
  RunUpdateParams,
} from '../types.ts';
import { APIResource } from './resource.ts';
import { Steps } from './steps.ts';

/** The parameters of `runs.attachStream`. */
export interface AttachStreamParams {
  /** Stream the events after this one (an SSE id of an earlier stream of the run). */
  startingAfter?: number | undefined;
  /** Where the stream is made by polling: the wait between polls (default: the server's `openai-poll-after-ms`, else 5 s). */
  pollIntervalMs?: number | undefined;
}

/** `client.beta.threads.runs`: start, stream, poll, cancel runs and answer their tool calls. */
export class Runs extends APIResource {
  readonly steps: Steps;

  constructor(client: AssistantsClient) {
    super(client);
    this.steps = new Steps(client);
  }

  /**
   * Starts a run on a thread and answers with it (usually `queued`). `include` goes into the
   * query string. For a streamed run use {@link stream}.
   *
   * @example `const run = await client.beta.threads.runs.create(threadId, { assistant_id: 'asst_123' });`
   */
  async create(threadId: string, params: RunCreateParams, options?: RequestOptions): Promise<Run> {
    const { include, ...body } = params;
    refuseStreamFlag(body, 'runs.create', 'runs.stream');
    return this._client.request({ method: 'POST', path: path`/threads/${threadId}/runs`, query: { include }, body }, options);
  }

  /**
   * Starts a run and polls it (the poll statechart) until it completes, fails, expires, is
   * cancelled, ends incomplete or requires action.
   *
   * @example
   * ```ts
   * const run = await client.beta.threads.runs.createAndPoll(threadId, { assistant_id }, { pollIntervalMs: 500, deadlineMs: 120_000 });
   * if (run.status === 'requires_action') answer(run.required_action);
   * ```
   */
  async createAndPoll(threadId: string, body: RunCreateParams, options: PollOptions = {}): Promise<Run> {
    const startedAt = Date.now();
    const requestOptions = checkPollOptions(options);
    const run = await this.create(threadId, body, requestOptions);
    return pollUntilDone<Run>(this._client, { resource: 'run', threadId, runId: run.id }, options, startedAt);
  }

  /** Retrieves a run. @example `const run = await client.beta.threads.runs.retrieve(runId, { thread_id: threadId });` */
  async retrieve(runId: string, params: RunRetrieveParams, options?: RequestOptions): Promise<Run> {
    return this._client.request({ method: 'GET', path: path`/threads/${params.thread_id}/runs/${runId}` }, options);
  }

  /** Modifies a run's metadata. @example `await client.beta.threads.runs.update(runId, { thread_id, metadata: { ticket: '42' } });` */
  async update(runId: string, params: RunUpdateParams, options?: RequestOptions): Promise<Run> {
    const { thread_id, ...body } = params;
    return this._client.request({ method: 'POST', path: path`/threads/${thread_id}/runs/${runId}`, body }, options);
  }

  /** Lists a thread's runs. @example `for await (const run of client.beta.threads.runs.list(threadId)) console.log(run.status);` */
  list(threadId: string, query: RunListParams = {}, options?: RequestOptions): PagePromise<Run> {
    return this._client.requestList(() => ({ method: 'GET', path: path`/threads/${threadId}/runs`, query: { ...query } }), options);
  }

  /** Cancels a run (it goes `cancelling`, then `cancelled`). @example `await client.beta.threads.runs.cancel(runId, { thread_id: threadId });` */
  async cancel(runId: string, params: RunCancelParams, options?: RequestOptions): Promise<Run> {
    return this._client.request({ method: 'POST', path: path`/threads/${params.thread_id}/runs/${runId}/cancel` }, options);
  }

  /**
   * Cancels a run and waits for the server to confirm where it ended: resolves with the run in
   * a terminal status (`cancelled`, or `completed`, `failed`, `expired`, `incomplete` if it
   * ended first). A cancel refused because the run has already ended answers with that run.
   *
   * @example
   * ```ts
   * const run = await client.beta.threads.runs.cancelAndPoll(runId, { thread_id }, { pollIntervalMs: 200, deadlineMs: 30_000 });
   * console.log(run.status); // 'cancelled'
   * ```
   */
  async cancelAndPoll(runId: string, params: RunCancelParams, options: PollOptions = {}): Promise<Run> {
    const startedAt = Date.now();
    const requestOptions = checkPollOptions(options);
    let run: Run;
    try {
      run = await this.cancel(runId, params, requestOptions);
    } catch (error) {
      // 400: the run is not cancellable because it has already ended; read how.
      if (!(error instanceof APIError) || error.status !== 400) throw error;
      run = await this.retrieve(runId, params, requestOptions);
      if (!TERMINAL_RUN_STATUSES.has(run.status)) throw error;
    }
    const target = { resource: 'run', threadId: params.thread_id, runId } as const;
    // The run poll also stops at requires_action, where a cancel not yet taken may still leave it.
    while (!TERMINAL_RUN_STATUSES.has(run.status)) {
      if (run.status === 'requires_action') await pause(options.pollIntervalMs ?? CANCEL_RECHECK_MS, options.signal);
      run = await pollUntilDone<Run>(this._client, target, options, startedAt);
    }
    return run;
  }

  /**
   * Polls a run (the poll statechart) until it completes, fails, expires, is cancelled, ends
   * incomplete or requires action. Each retrieve sends `X-Stainless-Poll-Helper: true`.
   *
   * @example `const run = await client.beta.threads.runs.poll(runId, { thread_id: threadId }, { signal });`
   */
  async poll(runId: string, params: RunRetrieveParams, options: PollOptions = {}): Promise<Run> {
    return pollUntilDone<Run>(this._client, { resource: 'run', threadId: params.thread_id, runId }, options);
  }

  /**
   * Starts a run and streams it: returns this library's {@link AssistantStream} at once.
   *
   * @example
   * ```ts
   * const stream = client.beta.threads.runs.stream(threadId, { assistant_id })
   *   .on('textDelta', (delta) => process.stdout.write(delta.value ?? ''));
   * const run = await stream.finalRun();
   * ```
   */
  stream(threadId: string, body: RunCreateParamsStream, options?: StreamRequestOptions): AssistantStream {
    const { include, ...rest } = body;
    return startStream(this._client, { method: 'POST', path: path`/threads/${threadId}/runs`, query: { include }, body: rest }, options);
  }

  /**
   * Streams a run that already exists, from after the event `startingAfter` (an SSE id this
   * stream's server gave, see `stream.lastEventId`), or from its first event: how a stream that
   * dropped picks up where it stopped. An extension of the Assistants API that the embedded
   * server offers (`GET /threads/{thread_id}/runs/{run_id}/events?starting_after=N`). Where a
   * server lacks it (404 or 405 for a run that exists), the stream is made by polling instead:
   * retrieve, list steps and messages, until the run pauses or ends; its first event,
   * `assistant_machines.attach.polling`, says so (and that `startingAfter` could not be honoured:
   * the stream starts from the run's current state). A run that does not exist fails the stream
   * with kind `api-error`, status 404.
   *
   * @example
   * ```ts
   * const resumed = client.beta.threads.runs.attachStream(threadId, runId, { startingAfter: Number(dropped.lastEventId) });
   * const run = await resumed.finalRun();
   * ```
   */
  attachStream(threadId: string, runId: string, params: AttachStreamParams = {}, options?: StreamRequestOptions): AssistantStream {
    const { startingAfter, pollIntervalMs } = params;
    const query = startingAfter === undefined ? {} : { starting_after: startingAfter };
    const client = this._client;
    return startStream(client, { method: 'GET', path: path`/threads/${threadId}/runs/${runId}/events`, query }, options, {}, async (response, signal) => {
      if (response.status !== 404 && response.status !== 405) return response;
      // A 404 is also the answer for a run that does not exist: only a run that does means the
      // server lacks the endpoint.
      try {
        await client.requestJSON(retrieveSpec({ resource: 'run', threadId, runId }), { signal });
      } catch (error) {
        if (error instanceof NotFoundError) return response;
        throw error;
      }
      await response.body?.cancel();
      const reason = `GET /threads/${threadId}/runs/${runId}/events answered ${response.status}: the server has no run events endpoint`;
      return eventStreamResponse(polledRunEvents(client, threadId, runId, { signal, reason, startingAfter, pollIntervalMs }));
    });
  }

  /**
   * The official SDK's deprecated name of {@link stream}.
   *
   * @deprecated use `stream`
   * @example `const stream = client.beta.threads.runs.createAndStream(threadId, { assistant_id });`
   */
  createAndStream(threadId: string, body: RunCreateParamsStream, options?: StreamRequestOptions): AssistantStream {
    return this.stream(threadId, body, options);
  }

  /**
   * Answers the tool calls of a run that requires action (all outputs in one call).
   *
   * @example
   * ```ts
   * await client.beta.threads.runs.submitToolOutputs(run.id, { thread_id: run.thread_id, tool_outputs: [{ tool_call_id, output: '21' }] });
   * ```
   */
  async submitToolOutputs(runId: string, params: RunSubmitToolOutputsParams, options?: RequestOptions): Promise<Run> {
    const { thread_id, ...body } = params;
    refuseStreamFlag(body, 'runs.submitToolOutputs', 'runs.submitToolOutputsStream');
    return this._client.request({ method: 'POST', path: path`/threads/${thread_id}/runs/${runId}/submit_tool_outputs`, body }, options);
  }

  /**
   * Answers the tool calls, then polls the run until it ends or requires action again.
   *
   * @example `const run = await client.beta.threads.runs.submitToolOutputsAndPoll(runId, { thread_id, tool_outputs });`
   */
  async submitToolOutputsAndPoll(runId: string, params: RunSubmitToolOutputsParams, options: PollOptions = {}): Promise<Run> {
    const startedAt = Date.now();
    const requestOptions = checkPollOptions(options);
    const run = await this.submitToolOutputs(runId, params, requestOptions);
    return pollUntilDone<Run>(this._client, { resource: 'run', threadId: params.thread_id, runId: run.id }, options, startedAt);
  }

  /**
   * Answers the tool calls and streams the rest of the run: a new {@link AssistantStream}
   * that starts with the pending tool step's completion.
   *
   * @example
   * ```ts
   * const rest = client.beta.threads.runs.submitToolOutputsStream(run.id, { thread_id: run.thread_id, tool_outputs });
   * for await (const text of rest.textDeltas) process.stdout.write(text);
   * ```
   */
  submitToolOutputsStream(runId: string, params: RunSubmitToolOutputsParamsStream, options?: StreamRequestOptions): AssistantStream {
    const { thread_id, ...body } = params;
    return startStream(this._client, { method: 'POST', path: path`/threads/${thread_id}/runs/${runId}/submit_tool_outputs`, body }, options);
  }
}

const TERMINAL_RUN_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'completed', 'failed', 'expired', 'incomplete']);
const CANCEL_RECHECK_MS = 500;

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new APIUserAbortError({ cause: signal.reason }));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new APIUserAbortError({ cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A JSON call given `stream: true` would get server-sent events back: point at the helper. */
export function refuseStreamFlag(body: { stream?: unknown }, method: string, instead: string): void {
  if (body.stream === true) throw new InvalidArgumentError(`${method} body.stream`, `must not be true: use ${instead}() for a streamed run`);
}
