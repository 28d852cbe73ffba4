import type { InspectionEvent, Observer } from 'xstate';
import { AssistantStream, type AssistantStreamOptions } from '../stream/AssistantStream.ts';
import type { AssistantEventHandler } from '../stream/AssistantEventHandler.ts';
import type { LifecycleMode } from '../../machines/lifecycle.ts';
import type { AssistantsClient } from './AssistantsClient.ts';
import { APIConnectionError } from './errors.ts';
import type { RequestOptions, RequestSpec } from './request.ts';
import { resumeResponses } from './responseResume.ts';

/** Options of the stream helpers: request options plus the stream's own. */
export interface StreamRequestOptions extends RequestOptions {
  /** A handler whose `on*` methods run as the machines' actions. */
  handler?: AssistantEventHandler | undefined;
  /** An XState inspection observer for every actor of the stream. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
  /**
   * Fails the stream with `idle-timeout` when no event arrives for this long, counted from the
   * request (default: the client's `timeoutMs`, 10 minutes unless set).
   */
  idleTimeoutMs?: number | undefined;
  /** `tolerant` or `strict` reading of the lifecycle; defaults to the client's `lifecycle`. */
  lifecycle?: LifecycleMode | undefined;
  /** Fails the stream with `deadline-exceeded` if it has not ended this long after the request (default: none). */
  deadlineMs?: number | undefined;
  /** Count `: ping` heartbeats as progress for the idle timeout (default: they are not). */
  heartbeatsCountAsProgress?: boolean | undefined;
  /** The longest event held while it arrives, in characters (default `MAX_FRAME_LENGTH`, 16 Mi); longer fails with `too-large`. */
  maxFrameLength?: number | undefined;
  /**
   * Make `abort()` (and `signal`, and leaving an `await using` scope) also cancel the run on
   * the server when it has not ended. Default false: an aborted stream leaves the run going, as
   * the official SDK does, so another process can pick it up.
   */
  cancelRunOnAbort?: boolean | undefined;
}

const ENDED: ReadonlySet<string> = new Set(['cancelled', 'completed', 'failed', 'expired', 'incomplete']);

/**
 * POSTs `spec` with `stream: true` and returns the {@link AssistantStream} of its answer at
 * once (listeners attached right after see every event, `connect` included). Retries happen
 * before the stream gets any byte. A final non-2xx answer fails the stream with kind
 * `api-error` and its status; a request that never got an answer fails it with kind `source`,
 * the client's typed error as `cause`. Aborting the stream, or `signal`, aborts the request.
 *
 * @example `const stream = startStream(client, { method: 'POST', path: '/threads/runs', body }, { handler });`
 * @internal
 */
export function startStream(
  client: AssistantsClient,
  spec: RequestSpec,
  options: StreamRequestOptions = {},
  protocol: Pick<AssistantStreamOptions, 'protocol' | 'runId' | 'startingAfter'> = {},
  /** Sees the answer before the stream reads it, and may put another in its place (a fallback). */
  answer?: (response: Response, signal: AbortSignal) => Promise<Response>,
): AssistantStream {
  const { handler, inspect, idleTimeoutMs, deadlineMs, heartbeatsCountAsProgress, maxFrameLength, cancelRunOnAbort = false, signal, lifecycle = client.lifecycle, ...requestOptions } = options;
  // The request has its own controller, tied to the stream's end rather than to `signal`
  // directly: the stream sees `signal` first and ends as `aborted`, then the request stops.
  const request = new AbortController();
  const response = client.requestResponse(
    {
      ...spec,
      ...(spec.method === 'POST' ? { body: { ...(spec.body as object), stream: true } } : {}),
      headers: { 'X-Stainless-Helper-Method': 'stream', Accept: 'text/event-stream' },
    },
    { ...requestOptions, signal: request.signal },
    { passErrorResponse: true },
  );
  const read = answer === undefined ? response : response.then((received) => answer(received, request.signal));
  // A Responses stream cut before its end goes on by itself (docs/responses.md, "Resuming").
  const resume = protocol.protocol === 'responses' ? resumeResponses(client, request.signal) : undefined;
  const stream = AssistantStream.fromSSE(read, {
    handler,
    inspect,
    signal,
    idleTimeoutMs: idleTimeoutMs ?? client.timeoutMs,
    deadlineMs,
    heartbeatsCountAsProgress,
    maxFrameLength,
    lifecycle,
    readErrorCause: (cause) => new APIConnectionError({ message: 'The connection failed while the stream was read.', cause }),
    ...protocol,
    resume,
  });
  // `end` follows every outcome (done, error, abort): nothing of the request outlives the stream.
  stream.on('end', () => request.abort());
  if (cancelRunOnAbort) {
    stream.on('abort', () => {
      const run = stream.currentRun();
      if (run === undefined || ENDED.has(run.status)) return;
      // A Responses stream's run is its response (only a background one can be cancelled).
      const response = stream.currentResponse();
      if (response !== undefined) {
        client.responses.cancel(response.id).catch(() => {});
        return;
      }
      // Fire and forget: the abort is already reported; cancelAndPoll is the call that waits.
      client.beta.threads.runs.cancel(run.id, { thread_id: run.thread_id }).catch(() => {});
    });
  }
  return stream;
}
