import { type RelayedFrame, type RelayedRequest, startRelay } from './relay.ts';

/** The request header that tells the fault proxy where to cut that request's answer; never forwarded. */
export const FAULT_HEADER = 'x-conformance-fault';

/**
 * Where to cut one answer: right after the `nth` (default 1st) event named `after` (its SSE
 * name, else its data's `type`), right before the first event named `before`, or before any of
 * the answer is sent (`drop`: the server did the work, the client never hears of it).
 */
export type CutPlan = { after: string; nth?: number } | { before: string } | { drop: true };

/** A running fault proxy. */
export interface FaultProxy {
  /** The base URL to send the suite's requests to. */
  url: string;
  /** How many connections it cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

/**
 * The header that asks the fault proxy to cut this request's answer as `plan` says.
 *
 * @example `await readEventStream(ctx, 'POST', '/responses', body, { headers: cutHeader({ after: 'response.created' }) })`
 */
export function cutHeader(plan: CutPlan): Record<string, string> {
  return { [FAULT_HEADER]: JSON.stringify(plan) };
}

/**
 * A loopback proxy of the suite's own in front of `target` that forwards everything and, for a
 * request carrying {@link FAULT_HEADER}, breaks the connection where the header's {@link CutPlan}
 * says: the server sees its client vanish mid-answer, the client sees a stream end without its
 * terminal event (or no answer at all). The fault checks then recover as the API documents it —
 * resume, re-attach, poll — and compare the end they reach.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy(server.url);
 * await runConformance({ baseURL: proxy.url });
 * await proxy.close();
 * ```
 */
export async function startFaultProxy(target: string, options: { fetch?: typeof fetch | undefined } = {}): Promise<FaultProxy> {
  let cuts = 0;
  const plans = new WeakMap<RelayedRequest, { plan: CutPlan; seen: number }>();
  const relay = await startRelay(
    target,
    {
      request(request) {
        const header = request.headers[FAULT_HEADER];
        if (typeof header !== 'string') return request;
        const headers = { ...request.headers };
        delete headers[FAULT_HEADER];
        const stripped = { ...request, headers };
        plans.set(stripped, { plan: parsePlan(header), seen: 0 });
        return stripped;
      },
      dropAnswer(request) {
        const planned = plans.get(request);
        if (planned === undefined || !('drop' in planned.plan)) return false;
        cuts++;
        return true;
      },
      frame(request, frame) {
        const planned = plans.get(request);
        if (planned === undefined || 'drop' in planned.plan) return [frame];
        const name = nameOf(frame);
        if ('before' in planned.plan) {
          if (name !== planned.plan.before) return [frame];
          cuts++;
          return 'cut';
        }
        if (name !== planned.plan.after || ++planned.seen !== (planned.plan.nth ?? 1)) return [frame];
        cuts++;
        return { send: [frame], cut: true };
      },
    },
    options.fetch,
  );
  return {
    url: relay.url,
    get cuts() {
      return cuts;
    },
    close: relay.close,
  };
}

function parsePlan(header: string): CutPlan {
  const plan = JSON.parse(header) as CutPlan;
  if (typeof plan !== 'object' || plan === null || !('after' in plan || 'before' in plan || 'drop' in plan)) throw new TypeError(`${FAULT_HEADER} is not a cut plan: ${header}`);
  return plan;
}

function nameOf(frame: RelayedFrame): string | undefined {
  if (frame.event !== undefined) return frame.event;
  try {
    const type = (JSON.parse(frame.data) as { type?: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
