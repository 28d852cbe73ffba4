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
export function streamRunEvents(log: RunEventLog, from: number): Response {
  return replayable(openRunStream(log, from), () => openRunStream(log, from));
}

// How to answer a streaming request again (a retry with its Idempotency-Key): the same events
// from the same position, following the run live. Keyed by the body, not the Response: a
// middleware that set headers before the route ran (CORS) makes hono copy the route's
// Response into a new one with the same body stream, and the stream must still be known.
const replays = new WeakMap<ReadableStream<Uint8Array>, () => Response>();

/** A new response with the same run events as `response`, if it is a run stream. */
export function replayOf(response: Response): (() => Response) | undefined {
  return response.body === null ? undefined : replays.get(response.body);
}

/**
 * Marks `response` (a stream) as answered again by `replay`: the idempotency layer then never
 * reads the stream whole to keep it, and a retry follows the same events live.
 *
 * @example `return replayable(openStream(), () => openStream());`
 */
export function replayable(response: Response, replay: () => Response): Response {
  if (response.body !== null) replays.set(response.body, replay);
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
