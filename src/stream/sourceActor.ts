import { fromCallback } from 'xstate';
import type { AssistantStreamMachineEvent } from '../../machines/assistantStream.ts';
import {
  AssistantStreamError,
  createNDJSONDecoder,
  createSSEDecoder,
  decodeWireEvent,
  openTextReader,
  toWireEvent,
  type FrameDecoder,
  type TextReader,
} from '../wire/index.ts';
import { sessionOf, type StreamSession } from './session.ts';
import type { WireEvent } from '../wire/index.ts';

/**
 * The stream's `source` actor: reads the session's bytes, decodes frames (SSE or NDJSON),
 * validates each into a wire event and sends it to the stream actor, which handles it before
 * the next one is decoded. Stopping the actor (the stream ended, failed or was aborted) cancels
 * the read.
 */
export const sourceLogic = fromCallback<AssistantStreamMachineEvent>(({ sendBack, system }) => {
  const session = sessionOf(system);
  let stopped = false;
  let reader: TextReader | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const idleTimeoutMs = session?.input.idleTimeoutMs;

  const armIdleTimer = () => {
    if (idleTimeoutMs === undefined) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (stopped) return;
      stopped = true;
      reader?.cancel();
      const error = new AssistantStreamError('idle-timeout', `no data arrived for ${idleTimeoutMs} ms`);
      sendBack({ type: 'source.timeout', error });
    }, idleTimeoutMs);
  };

  const read = async () => {
    // Awaiting (even a plain source) lets the code that created the stream attach its
    // listeners before anything happens.
    const source = await session?.input.source;
    if (stopped || session === undefined || source === undefined) return;
    reader = openTextReader(source);
    sendBack({ type: 'source.connected' });
    if (stopped) return;
    let seq = 0;
    const deliver = (event: WireEvent) => {
      const child = openChildFor(session, event);
      if (child !== undefined) child.send(event);
      else sendBack(event);
    };
    const decoder: FrameDecoder =
      session.input.format === 'sse'
        ? createSSEDecoder((name, data) => {
            if (!stopped) deliver(decodeWireEvent(name, data, ++seq));
          })
        : createNDJSONDecoder((name, data, line) => {
            if (!stopped) deliver(toWireEvent(name, data, ++seq, line));
          });
    armIdleTimer();
    for (;;) {
      const text = await reader.read();
      if (stopped) return;
      armIdleTimer();
      if (text === undefined) {
        decoder.finish();
        break;
      }
      if (decoder.feed(text)) {
        reader.cancel();
        break;
      }
      if (stopped) return;
    }
    clearTimeout(idleTimer);
    if (!stopped) sendBack({ type: 'source.end' });
  };

  read().catch((thrown: unknown) => {
    clearTimeout(idleTimer);
    if (stopped) return;
    const error =
      thrown instanceof AssistantStreamError
        ? thrown
        : new AssistantStreamError('source', `reading the stream failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`, {
            cause: thrown,
          });
    sendBack({ type: 'source.error', error });
  });

  return () => {
    stopped = true;
    clearTimeout(idleTimer);
    reader?.cancel();
  };
});

/**
 * The open message or run step a delta belongs to. Handing it the delta directly has the same
 * effect as the stream actor's forwarding transition, without a macrostep of the stream actor
 * per delta (≈3 µs, most of a stream's events); anything else goes through the stream actor.
 */
function openChildFor(session: StreamSession, event: WireEvent) {
  if (event.type !== 'thread.message.delta' && event.type !== 'thread.run.step.delta') return undefined;
  const { messages, runSteps } = session.root.getSnapshot().context;
  const child = event.type === 'thread.message.delta' ? messages.get(event.data.id) : runSteps.get(event.data.id);
  return child?.getSnapshot().status === 'active' ? child : undefined;
}
