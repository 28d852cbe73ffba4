import { SSE_DONE_FRAME } from '../wire/index.ts';
import type { RunEventLog } from './executor/eventLog.ts';

const encoder = new TextEncoder();
const DONE_BYTES = encoder.encode(SSE_DONE_FRAME);

/**
 * The SSE response of a streaming request: the run's events from log position `from` up to
 * the next `requires_action` or terminal run event, then `event: done` / `data: [DONE]`. A
 * client that disconnects only unsubscribes: the run goes on.
 *
 * @example `return streamRunEvents(executor.log, 0);`
 */
export function streamRunEvents(log: RunEventLog, from: number, reference?: Extract<StreamReference, { type: 'run' }>): Response {
  return replayable(openRunStream(log, from), () => openRunStream(log, from), reference);
}

/**
 * Where a stream's events come from, as data: what durable storage keeps for an
 * `Idempotency-Key` answered with a stream, so a retry after a restart (or on another server
 * sharing the database) opens the same stream again — a run's log from a position, or a
 * response's events after a sequence number.
 */
export type StreamReference =
  | { type: 'run'; threadId: string; runId: string; from: number }
  | { type: 'response'; responseId: string; startingAfter: number };

/** How to answer a streaming request again: in this process, and by reference. */
export interface Replay {
  /** The same events from the same position, following the source live. */
  open: () => Response;
  /** The same stream, named as data (undefined: it can only be opened in this process). */
  reference: StreamReference | undefined;
}

// How to answer a streaming request again (a retry with its Idempotency-Key): the same events
// from the same position, following the run live. Keyed by the body, not the Response: a
// middleware that set headers before the route ran (CORS) makes hono copy the route's
// Response into a new one with the same body stream, and the stream must still be known.
const replays = new WeakMap<ReadableStream<Uint8Array>, Replay>();

/** How to answer `response` (a stream) again, if it is a replayable one. */
export function replayOf(response: Response): Replay | undefined {
  return response.body === null ? undefined : replays.get(response.body);
}

/**
 * Marks `response` (a stream) as answered again by `replay`: the idempotency layer then never
 * reads the stream whole to keep it, and a retry follows the same events live.
 *
 * `reference` names it as data, for durable storage.
 *
 * @example `return replayable(openStream(), () => openStream());`
 */
export function replayable(response: Response, replay: () => Response, reference?: StreamReference): Response {
  if (response.body !== null) replays.set(response.body, { open: replay, reference });
  return response;
}

function openRunStream(log: RunEventLog, from: number): Response {
  let unsubscribe: (() => void) | undefined;
  let finished = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = (withDone: boolean) => {
        if (finished) return;
        finished = true;
        if (withDone) controller.enqueue(DONE_BYTES);
        controller.close();
        unsubscribe?.();
      };
      const stop = log.subscribe(from, {
        event(entry) {
          if (finished) return;
          controller.enqueue(encoder.encode(entry.frame));
          if (entry.endsStream) finish(true);
        },
        close: () => finish(false),
      });
      // The replay may have finished the stream before `subscribe` returned.
      if (finished) stop();
      else unsubscribe = stop;
    },
    cancel() {
      finished = true;
      unsubscribe?.();
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' },
  });
}
