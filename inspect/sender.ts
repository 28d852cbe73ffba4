import WebSocket from 'ws';
import type { InspectionFrame, SnapshotFrame } from './frames.ts';
import { createFrameObserver, type InspectionObserver } from './observer.ts';
import { CONTEXT_LIMITS, PAYLOAD_LIMITS, sanitize } from './sanitize.ts';

/** Sends this process's inspection frames to an inspector that is already running. */
export interface FrameSender {
  /** The XState inspection observer: the `inspect` option of a stream or an actor. */
  inspect: InspectionObserver;
  /** Resolves once every frame so far was handed to the socket. */
  flush(): Promise<void>;
  /** Sends what is left, then closes the connection. */
  close(): Promise<void>;
}

/** Frames wait at most this long before they go, in one message. */
const BATCH_MS = 50;
/** Frames kept while the inspector cannot be reached; the oldest go first past it. */
const MAX_QUEUED = 100_000;
const RECONNECT_MS = 500;

interface Queued {
  frame: InspectionFrame;
  /** A snapshot whose context is read when it is sent (only the latest one per actor is). */
  liveContext?: unknown;
}

/**
 * An inspection observer that sends frames to an inspector's WebSocket (`wsUrl` of
 * `createInspector`, or what `assistant-machines inspect` printed), batched every 50 ms as
 * one JSON array per message. Events are copied when they happen; a context is copied when
 * its actor's state changes, else only the newest one per batch. A dropped connection is
 * reopened and what was queued goes then.
 *
 * @example
 * ```ts
 * const sender = createFrameSender(process.env.INSPECTOR_WS!);
 * await client.beta.threads.runs.stream(threadId, { assistant_id }, { inspect: sender.inspect }).done();
 * await sender.close();
 * ```
 */
export function createFrameSender(wsUrl: string, options: { onError?: (error: Error) => void } = {}): FrameSender {
  let queue: Queued[] = [];
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const lastValues = new Map<string, string>();
  const waiting: Array<() => void> = [];

  const connect = () => {
    const next = new WebSocket(wsUrl);
    socket = next;
    next.on('open', () => schedule(0));
    next.on('error', (error) => options.onError?.(error));
    next.on('close', () => {
      if (socket === next) socket = undefined;
      if (!closed) setTimeout(connect, RECONNECT_MS).unref();
    });
  };

  const send = () => {
    timer = undefined;
    if (socket?.readyState !== WebSocket.OPEN || queue.length === 0) {
      if (queue.length === 0) for (const resolve of waiting.splice(0)) resolve();
      return;
    }
    const batch = queue;
    queue = [];
    const seen = new Set<string>();
    const frames: InspectionFrame[] = new Array(batch.length);
    for (let index = batch.length - 1; index >= 0; index--) {
      const { frame, liveContext } = batch[index]!;
      if (!('liveContext' in batch[index]!) || frame.type !== '@xstate.snapshot') frames[index] = frame;
      else if (seen.has(frame.sessionId)) frames[index] = frame;
      else {
        seen.add(frame.sessionId);
        frames[index] = { ...frame, snapshot: { ...frame.snapshot, context: sanitize(liveContext, CONTEXT_LIMITS) } };
      }
    }
    const current = socket;
    current.send(JSON.stringify(frames), () => {
      if (queue.length === 0) for (const resolve of waiting.splice(0)) resolve();
    });
    if (queue.length > 0) schedule(BATCH_MS);
  };
  const schedule = (delay: number) => {
    if (timer === undefined) {
      timer = setTimeout(send, delay);
      timer.unref();
    }
  };

  const enqueue = (item: Queued) => {
    queue.push(item);
    if (queue.length > MAX_QUEUED) queue.splice(0, queue.length - MAX_QUEUED);
    schedule(BATCH_MS);
  };

  const inspect = createFrameObserver((frame) => {
    if (frame.type === '@xstate.event') {
      enqueue({ frame: { ...frame, event: sanitize(frame.event, PAYLOAD_LIMITS) as typeof frame.event } });
    } else if (frame.type === '@xstate.snapshot') {
      const value = sanitize(frame.snapshot.value, PAYLOAD_LIMITS);
      const valueKey = `${String(frame.snapshot.status)} ${JSON.stringify(value)}`;
      const changed = lastValues.get(frame.sessionId) !== valueKey;
      lastValues.set(frame.sessionId, valueKey);
      const base: SnapshotFrame = { type: '@xstate.snapshot', sessionId: frame.sessionId, event: sanitize(frame.event, PAYLOAD_LIMITS), snapshot: { value, status: frame.snapshot.status } };
      if (changed) enqueue({ frame: { ...base, snapshot: { ...base.snapshot, context: sanitize(frame.snapshot.context, CONTEXT_LIMITS) } } });
      else enqueue({ frame: base, liveContext: frame.snapshot.context });
    } else enqueue({ frame });
  });

  connect();
  const flush = () =>
    new Promise<void>((resolve) => {
      if (queue.length === 0 && timer === undefined) return resolve();
      waiting.push(resolve);
      schedule(0);
    });
  return {
    inspect,
    flush,
    async close() {
      if (socket !== undefined && socket.readyState === WebSocket.CONNECTING) await new Promise((resolve) => socket!.once('open', resolve).once('close', resolve));
      if (socket?.readyState === WebSocket.OPEN) await flush();
      closed = true;
      const last = socket;
      if (last === undefined || last.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        last.once('close', () => resolve());
        last.close();
      });
    },
  };
}
