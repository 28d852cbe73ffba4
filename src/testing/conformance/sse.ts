import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { baseHeaders, type CheckContext, CheckFailure, describe, expect, urlOf } from './http.ts';

/** One event of a stream under test: its SSE name, its data as sent, and that data parsed. */
export interface StreamedEvent {
  /** The `event:` line (undefined when the frame has none). */
  event: string | undefined;
  /** The `data:` text exactly as received. */
  raw: string;
  /** The data parsed as JSON, or undefined for `[DONE]` and anything that is not JSON. */
  data: Record<string, unknown> | undefined;
}

/** What reading a stream gave: its events, and how it ended. */
export interface ReadStream {
  events: StreamedEvent[];
  /** `ended`: the server closed it; `stopped`: the reader cut it (`until`); `broken`: the connection failed mid-stream. */
  end: 'ended' | 'stopped' | 'broken';
  /** Why it broke, when it did. */
  error?: unknown;
}

/** Options of {@link readEventStream}. */
export interface ReadStreamOptions {
  /** Extra request headers (an `Idempotency-Key`, the fault proxy's cut). */
  headers?: Record<string, string> | undefined;
  /** Called with each event as it arrives; a returned promise is awaited before the next one is read. */
  onEvent?: ((event: StreamedEvent, index: number) => void | Promise<void>) | undefined;
  /** Stop reading and close the connection right after the event for which this is true. */
  until?: ((event: StreamedEvent, index: number) => boolean) | undefined;
}

/**
 * Sends a request whose answer is an event stream (`POST` with a JSON body, or `GET`) and reads
 * it event by event as it comes, so a check can act between two events (cancel, cut). The
 * answer must be 2xx `text/event-stream`; a connection that fails mid-stream ends it as `broken`
 * (the fault proxy's cuts, a server that dies), which the check then recovers from.
 *
 * @example `const { events } = await readEventStream(ctx, 'POST', '/responses', { model, input, stream: true });`
 */
export async function readEventStream(ctx: CheckContext, method: 'GET' | 'POST', path: string, body?: unknown, options: ReadStreamOptions = {}): Promise<ReadStream> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const headers: Record<string, string> = { ...baseHeaders(ctx), Accept: 'text/event-stream', ...options.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await ctx.fetch(urlOf(ctx, path), { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: controller.signal });
    if (!response.ok) {
      const text = await response.text();
      throw new CheckFailure(`${method} ${path} (stream) answered ${response.status}: ${describe(text)}`);
    }
    const type = response.headers.get('content-type') ?? '';
    expect(type.includes('text/event-stream'), `${method} ${path} (stream) answered content-type ${type || 'none'}, not text/event-stream`);
    const events: StreamedEvent[] = [];
    const pending: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (message) => pending.push(message) });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
        while (pending.length > 0) {
          const message = pending.shift()!;
          const event: StreamedEvent = { event: message.event, raw: message.data, data: parseData(message.data) };
          events.push(event);
          await options.onEvent?.(event, events.length - 1);
          if (options.until?.(event, events.length - 1) === true) {
            controller.abort();
            return { events, end: 'stopped' };
          }
        }
      }
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return { events, end: 'broken', error };
    }
    return { events, end: 'ended' };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function parseData(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The events as SSE text again (`event:` and `data:` lines), to replay through the charts. */
export function toSSE(events: readonly StreamedEvent[]): string {
  return events.map((event) => `${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${event.raw}\n\n`).join('');
}
