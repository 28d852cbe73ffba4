// A fetch for a client under test, in front of a real server: event streams can be cut after a
// number of events (the body errors as a dropped connection's does, or stops in the middle of
// a frame), and requests to stream a response again can be refused — a server without resume.

/** A request the fetch passed on, and what was done to its answer. */
export interface SeenRequest {
  method: string;
  url: URL;
  status: number;
  /** The number of SSE events the client got before the cut, when its stream was cut. */
  cutAfter?: number;
}

export interface CuttingFetch {
  fetch: typeof globalThis.fetch;
  readonly seen: SeenRequest[];
  /** Cut the next event streams after these many events each, in order (one number per stream). */
  cutStreams(...afterEvents: number[]): void;
  /** Cut in the middle of the event after `afterEvents` (half its bytes arrive) rather than between events. */
  cutInsideFrames: boolean;
  /** Answer `GET /responses/{id}?stream=true` with this status in the API's envelope (undefined: pass it on). */
  refuseResumeWith: number | undefined;
}

/**
 * Wraps the global fetch. Only the answers the test arms are touched.
 *
 * @example `const cutting = cuttingFetch(); cutting.cutStreams(5); const client = new AssistantsClient({ baseURL, apiKey, fetch: cutting.fetch });`
 */
export function cuttingFetch(): CuttingFetch {
  const cuts: number[] = [];
  const seen: SeenRequest[] = [];
  const state: CuttingFetch = {
    seen,
    cutInsideFrames: false,
    refuseResumeWith: undefined,
    cutStreams: (...afterEvents) => void cuts.push(...afterEvents),
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      const record: SeenRequest = { method: request.method, url, status: 0 };
      seen.push(record);
      if (state.refuseResumeWith !== undefined && request.method === 'GET' && /\/responses\/[^/]+$/.test(url.pathname) && url.searchParams.get('stream') === 'true') {
        record.status = state.refuseResumeWith;
        return Response.json(
          { error: { message: 'Streaming a response again is not supported here.', type: 'invalid_request_error', param: 'stream', code: null } },
          { status: state.refuseResumeWith },
        );
      }
      const answer = await globalThis.fetch(request);
      record.status = answer.status;
      const cut = cuts[0];
      if (cut === undefined || answer.body === null || !(answer.headers.get('content-type') ?? '').includes('text/event-stream')) return answer;
      cuts.shift();
      record.cutAfter = cut;
      return new Response(cutBody(answer.body, cut, state.cutInsideFrames), { status: answer.status, headers: answer.headers });
    },
  };
  return state;
}

// The body up to the cut, then an error as undici gives for a connection that went away.
function cutBody(body: ReadableStream<Uint8Array>, afterEvents: number, inside: boolean): ReadableStream<Uint8Array> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  const encoder = new TextEncoder();
  let buffered = '';
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const end = buffered.indexOf('\n\n');
        if (end !== -1) {
          const frame = buffered.slice(0, end + 2);
          buffered = buffered.slice(end + 2);
          if (sent === afterEvents) {
            if (inside) controller.enqueue(encoder.encode(frame.slice(0, Math.floor(frame.length / 2))));
            void reader.cancel();
            controller.error(new TypeError('terminated', { cause: new Error('other side closed') }));
            return;
          }
          sent += 1;
          controller.enqueue(encoder.encode(frame));
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          if (buffered !== '') controller.enqueue(encoder.encode(buffered));
          controller.close();
          return;
        }
        buffered += value;
      }
    },
    cancel: () => reader.cancel(),
  });
}
