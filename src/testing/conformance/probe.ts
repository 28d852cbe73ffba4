import type { ConformanceProtocol } from './check.ts';
import { call, type CheckContext, isRecord } from './http.ts';

/** Whether a server offers a protocol, and what its answer to the probe was. */
export interface ProtocolProbe {
  offered: boolean;
  /** The request and its answer: `GET /assistants answered 200`. */
  reason: string;
}

// A route that does not exist answers 404 (or 405, 501); one that exists answers a request it
// cannot take with 400/422, or 401/403 without the right key (the checks then say so).
const ABSENT = new Set([404, 405, 501]);

/**
 * Asks the server which protocols it speaks: `GET /assistants?limit=1` (a list) for Assistants,
 * `POST /responses` with an empty body (refused as invalid, not as unknown) for Responses.
 *
 * @example `const { responses } = await probeProtocols(ctx); if (!responses.offered) console.log(responses.reason);`
 */
export async function probeProtocols(ctx: CheckContext): Promise<Record<ConformanceProtocol, ProtocolProbe>> {
  const assistants = await call(ctx, 'GET', '/assistants?limit=1');
  const responses = await call(ctx, 'POST', '/responses', {});
  return {
    assistants: {
      offered: (assistants.status === 200 && isRecord(assistants.body) && assistants.body['object'] === 'list') || assistants.status === 401 || assistants.status === 403,
      reason: `GET /assistants answered ${assistants.status}`,
    },
    responses: { offered: !ABSENT.has(responses.status) && responses.status < 500, reason: `POST /responses answered ${responses.status}` },
  };
}
