import { fromCallback, type InspectionEvent } from 'xstate';
import type { AssistantRunEvent, RunStreamInput } from '../../machines/assistantRun.ts';
import { APIError } from '../client/errors.ts';
import type { AssistantStream } from '../stream/AssistantStream.ts';
import { AssistantStreamError } from '../wire/index.ts';
import type { RunBackend } from './backend.ts';
import { toolCallKey, type ToolCallRegistry } from './tools.ts';

/** Options of the `stream` actor. */
export interface RunStreamOptions {
  /** Fails a stream that receives nothing for this long (then the run is re-attached). */
  idleTimeoutMs?: number | undefined;
  /** Every stream's inspection observer. */
  inspect?: ((event: InspectionEvent) => void) | undefined;
}

/**
 * The `stream` actor of the `assistantRun` chart: creates the run with a stream (first looking
 * for it by its key, in case this is a restored actor whose run exists already) or submits a
 * pause's outputs with a stream, and reports every event, the end, or the failure.
 *
 * @internal
 */
export function createRunStreamActor(backend: RunBackend, registry: ToolCallRegistry, { idleTimeoutMs, inspect }: RunStreamOptions) {
  return fromCallback<AssistantRunEvent, RunStreamInput>(({ input, sendBack }) => {
    const controller = new AbortController();
    const { signal } = controller;
    void (async () => {
      let stream: AssistantStream;
      try {
        if (input.kind === 'create') {
          const outcome = await backend.create(input, { signal, idleTimeoutMs, inspect });
          if ('found' in outcome) {
            sendBack({ type: 'stream.found', run: outcome.found });
            return;
          }
          stream = outcome.stream;
        } else {
          stream = await backend.submit(input, { signal, idleTimeoutMs, inspect });
          // The first event means the server took the outputs: the calls are answered for good.
          stream.once('event', () => {
            for (const output of input.toolOutputs) registry.delete(toolCallKey(input.runId, output.tool_call_id));
            sendBack({ type: 'stream.accepted', pauseKey: input.pauseKey });
          });
        }
        stream.on('event', (event) => sendBack({ type: 'stream.event', event }));
        await stream.done();
        sendBack({ type: 'stream.ended', run: stream.snapshot().finalRun });
      } catch (error) {
        if (signal.aborted) return;
        sendBack({ type: 'stream.failed', failure: { error, recoverable: isRecoverable(error, input.kind) } });
      }
    })();
    return () => controller.abort();
  });
}

/**
 * Whether re-attaching can recover from a stream's failure: a broken connection, an idle or
 * malformed stream, a 5xx, 408 or 429 — the run may well be alive — and, for a submission, a
 * 400 or 409, which means the run moved past the pause (reconciled by reading it). A refused
 * create (400: bad parameters, or a run of another process active on the thread), 401, 403
 * and 404 are not.
 *
 * @internal
 */
export function isRecoverable(error: unknown, kind: RunStreamInput['kind']): boolean {
  const status = error instanceof AssistantStreamError ? (error.status ?? statusOf(error.cause)) : statusOf(error);
  if (status !== undefined) {
    if (status >= 500 || status === 408 || status === 429) return true;
    return kind === 'submit' && (status === 400 || status === 409);
  }
  return error instanceof AssistantStreamError ? error.kind !== 'handler' : error instanceof APIError;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof APIError ? error.status : undefined;
}
