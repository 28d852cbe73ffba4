import type { Loopback } from './loopback.ts';
import { startLoopback } from './loopback.ts';

/** One rule of the Assistants API that the proxy breaks. */
export type Mutation = 'event-order' | 'error-envelope' | 'no-has-more' | 'unknown-thread-200' | 'never-ends' | 'none';

/**
 * A loopback proxy in front of `target` (a base URL ending in `/v1`) that forwards every request
 * and rewrites the answers to break one rule: a message delta before its message exists, errors
 * without the `{error: …}` envelope, lists without `has_more`, a 200 for an unknown thread, a run
 * that polls `in_progress` forever.
 */
export async function startMutatingProxy(target: string, mutation: Mutation): Promise<Loopback> {
  const origin = new URL(target).origin;
  return startLoopback(async (request, response) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) headers[name] = value;
    }
    const upstream = await fetch(`${origin}${request.url}`, { method: request.method, headers, body: ['GET', 'HEAD'].includes(request.method) ? null : request.body });
    let status = upstream.status;
    let body = await upstream.text();
    const type = upstream.headers.get('content-type') ?? 'application/json';
    if (mutation === 'event-order' && type.includes('text/event-stream')) body = deltaBeforeCreated(body);
    if (mutation === 'error-envelope' && status >= 400) body = JSON.stringify({ message: (JSON.parse(body) as { error: { message: string } }).error.message });
    if (mutation === 'no-has-more' && type.includes('json') && body.includes('"object":"list"')) {
      const list = JSON.parse(body) as Record<string, unknown>;
      delete list['has_more'];
      body = JSON.stringify(list);
    }
    if (mutation === 'unknown-thread-200' && status === 404 && /^\/v1\/threads\/[^/]+$/.test(request.url)) {
      status = 200;
      body = JSON.stringify({ id: request.url.split('/').pop(), object: 'thread', created_at: 0, metadata: {}, tool_resources: {} });
    }
    if (mutation === 'never-ends' && request.method === 'GET' && /^\/v1\/threads\/[^/]+\/runs\/[^/]+$/.test(request.url)) {
      body = JSON.stringify({ ...(JSON.parse(body) as object), status: 'in_progress' });
    }
    const out: Record<string, string> = { 'content-type': type };
    const pollAfter = upstream.headers.get('openai-poll-after-ms');
    if (pollAfter !== null) out['openai-poll-after-ms'] = pollAfter;
    response.writeHead(status, out);
    response.end(body);
  });
}

/** Moves the first `thread.message.delta` frame before the first `thread.message.created`. */
function deltaBeforeCreated(body: string): string {
  const frames = body.split('\n\n');
  // A frame may carry an `id:` line before its `event:` line.
  const created = frames.findIndex((frame) => /^event: thread\.message\.created$/m.test(frame));
  const delta = frames.findIndex((frame) => /^event: thread\.message\.delta$/m.test(frame));
  if (created < 0 || delta < 0) throw new Error('the event-order mutation found no message to break');
  const [moved] = frames.splice(delta, 1);
  frames.splice(created, 0, moved!);
  return frames.join('\n\n');
}
