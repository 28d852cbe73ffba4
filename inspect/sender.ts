import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { BATCH_MARK, type InspectionFrame, type SnapshotFrame } from './frames.ts';
import { createFrameObserver, type InspectionObserver } from './observer.ts';
import { CONTEXT_LIMITS, PAYLOAD_LIMITS, sanitize } from './sanitize.ts';

/** Sends this process's inspection frames to an inspector that is already running. */
export interface FrameSender {
  /** The XState inspection observer: the `inspect` option of a stream or an actor. */
  inspect: InspectionObserver;
  /**
   * Resolves once the inspector answered (its socket is open and it said which batches it has).
   * Frames observed before are queued (100,000 at most), so waiting is optional.
   */
  ready: Promise<void>;
  /** Resolves once every frame so far was received by the inspector (it acknowledges each batch). */
  flush(): Promise<void>;
  /** Sends what is left (waiting up to `closeTimeoutMs` for an inspector that is away), then closes the connection. */
  close(): Promise<void>;
}

/** Options of {@link createFrameSender}. */
export interface FrameSenderOptions {
  /** Told about connection failures (a wrong token, an inspector away); the sender keeps trying. */
  onError?: (error: Error) => void;
  /** Shown in the inspector's session list as where the sessions came from (default: none). */
  name?: string;
  /** How long `close()` waits for an inspector that is away to take what is queued (default 5 s). */
  closeTimeoutMs?: number;
}

/** Frames wait at most this long before they go, in one message. */
const BATCH_MS = 50;
/** Frames kept while the inspector cannot be reached (queued and sent but not acknowledged); the oldest go first past it. */
const MAX_QUEUED = 100_000;
const RECONNECT_MS = 500;

interface Queued {
  frame: InspectionFrame;
  /** A snapshot whose context is read when it is sent (only the latest one per actor is). */
  liveContext?: unknown;
}

interface SentBatch {
  index: number;
  text: string;
  frames: number;
}

/**
 * An inspection observer that sends frames to an inspector's WebSocket (`wsUrl` of
 * `createInspector`, or what `assistant-machines inspect` printed), batched every 50 ms as
 * one JSON array per message. Events are copied when they happen; a context is copied when
 * its actor's state changes, else only the newest one per batch.
 *
 * The sender has an id of its own (`?sender=` on every connection it opens) and numbers its
 * batches; the inspector acknowledges each. A dropped connection is reopened, the batches the
 * inspector did not acknowledge are sent again (it skips those it has), and the actors go on
 * under the same ids: a reconnect never splits a run.
 *
 * @example
 * ```ts
 * const sender = createFrameSender(process.env.INSPECTOR_WS!, { name: 'worker 3' });
 * await client.beta.threads.runs.stream(threadId, { assistant_id }, { inspect: sender.inspect }).done();
 * await sender.close();
 * ```
 */
export function createFrameSender(wsUrl: string, options: FrameSenderOptions = {}): FrameSender {
  const senderId = randomBytes(12).toString('base64url');
  const target = `${wsUrl}${wsUrl.includes('?') ? '&' : '?'}sender=${senderId}${options.name === undefined ? '' : `&name=${encodeURIComponent(options.name)}`}`;
  let queue: Queued[] = [];
  let sent: SentBatch[] = [];
  let sentFrames = 0;
  let nextBatch = 0;
  let dropped = 0;
  let socket: WebSocket | undefined;
  /** True once the inspector said, on this socket, which batches it has. */
  let answered = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const lastValues = new Map<string, string>();
  const waiting: Array<() => void> = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const settled = () => queue.length === 0 && sent.length === 0;
  const wake = () => {
    if (settled()) for (const resolve of waiting.splice(0)) resolve();
  };

  const connect = () => {
    const next = new WebSocket(target);
    socket = next;
    answered = false;
    next.on('message', (data) => {
      let ack: { type?: unknown; received?: unknown };
      try {
        ack = JSON.parse(String(data)) as typeof ack;
      } catch {
        return;
      }
      if (ack.type !== '@inspector.ack' || typeof ack.received !== 'number') return;
      acknowledge(ack.received);
      if (!answered && socket === next) {
        answered = true;
        markReady();
        // What the inspector did not take before the connection dropped goes again, in order.
        for (const batch of sent) next.send(batch.text);
        schedule(0);
      }
      wake();
    });
    next.on('unexpected-response', (_request, response) => {
      const why =
        response.statusCode === 401
          ? 'the inspector refused the token (401): use the WebSocket URL it printed, token included'
          : response.statusCode === 403
            ? 'the inspector refused this Host or Origin (403): connect to the address it printed'
            : `the inspector answered ${response.statusCode} ${response.statusMessage ?? ''}`.trim();
      options.onError?.(new Error(why));
      refused = true;
      response.resume();
      next.terminate();
    });
    // After a refusal ws reports the connection it closed too: said once is enough.
    let refused = false;
    next.on('error', (error) => {
      if (!refused) options.onError?.(error);
    });
    next.on('close', () => {
      if (socket === next) {
        socket = undefined;
        answered = false;
      }
      if (!closed) setTimeout(connect, RECONNECT_MS).unref();
    });
  };

  const acknowledge = (received: number) => {
    let count = 0;
    while (count < sent.length && sent[count]!.index < received) {
      sentFrames -= sent[count]!.frames;
      count += 1;
    }
    if (count > 0) sent = sent.slice(count);
  };

  const send = () => {
    timer = undefined;
    if (socket?.readyState !== WebSocket.OPEN || !answered || queue.length === 0) {
      wake();
      return;
    }
    const batch = queue;
    queue = [];
    const seen = new Set<string>();
    const frames: unknown[] = new Array(batch.length + 1);
    frames[0] = { type: BATCH_MARK, batch: nextBatch, dropped };
    for (let index = batch.length - 1; index >= 0; index--) {
      const { frame, liveContext } = batch[index]!;
      if (!('liveContext' in batch[index]!) || frame.type !== '@xstate.snapshot') frames[index + 1] = frame;
      else if (seen.has(frame.sessionId)) frames[index + 1] = frame;
      else {
        seen.add(frame.sessionId);
        frames[index + 1] = { ...frame, snapshot: { ...frame.snapshot, context: sanitize(liveContext, CONTEXT_LIMITS) } };
      }
    }
    const text = JSON.stringify(frames);
    sent.push({ index: nextBatch, text, frames: batch.length });
    sentFrames += batch.length;
    nextBatch += 1;
    socket.send(text);
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
    if (queue.length + sentFrames > MAX_QUEUED) {
      // Past the bound the oldest go, and the inspector is told how many (it warns about them).
      const excess = queue.length + sentFrames - MAX_QUEUED;
      queue.splice(0, Math.min(excess, queue.length - 1));
      dropped += excess;
    }
    schedule(BATCH_MS);
  };

  const inspect = createFrameObserver((frame) => {
    if (frame.type === '@xstate.event') {
      enqueue({ frame: { ...frame, event: sanitize(frame.event, PAYLOAD_LIMITS) as typeof frame.event, createdAt: Date.now() } });
    } else if (frame.type === '@xstate.snapshot') {
      const value = sanitize(frame.snapshot.value, PAYLOAD_LIMITS);
      const valueKey = `${String(frame.snapshot.status)} ${JSON.stringify(value)}`;
      const changed = lastValues.get(frame.sessionId) !== valueKey;
      lastValues.set(frame.sessionId, valueKey);
      const base: SnapshotFrame = { type: '@xstate.snapshot', sessionId: frame.sessionId, event: sanitize(frame.event, PAYLOAD_LIMITS), snapshot: { value, status: frame.snapshot.status } };
      if (changed) enqueue({ frame: { ...base, snapshot: { ...base.snapshot, context: sanitize(frame.snapshot.context, CONTEXT_LIMITS) } } });
      else enqueue({ frame: base, liveContext: frame.snapshot.context });
    } else if (frame.type === '@xstate.actor') enqueue({ frame: { ...frame, createdAt: Date.now() } });
    else enqueue({ frame });
  });

  connect();
  const flush = () =>
    new Promise<void>((resolve) => {
      if (settled()) return resolve();
      waiting.push(resolve);
      schedule(0);
    });
  return {
    inspect,
    ready,
    flush,
    async close() {
      if (!settled()) {
        let expired: ReturnType<typeof setTimeout> | undefined;
        const limit = new Promise<void>((resolve) => (expired = setTimeout(resolve, options.closeTimeoutMs ?? 5000)));
        await Promise.race([flush(), limit]);
        clearTimeout(expired);
      }
      closed = true;
      const last = socket;
      if (last === undefined || last.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        last.once('close', () => resolve());
        if (last.readyState === WebSocket.CONNECTING) last.terminate();
        else last.close();
      });
    },
  };
}
