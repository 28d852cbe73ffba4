import { fromCallback, type AnyActorRef } from 'xstate';
import { openChildFor, type AssistantStreamMachineEvent } from '../../machines/assistantStream.ts';
import { continuesOpenText } from '../../machines/message.ts';
import { continuesKnownToolCall } from '../../machines/runStep.ts';
import {
  AssistantStreamError,
  CLIENT_NOTICE_PREFIX,
  createNDJSONDecoder,
  createSSEDecoder,
  decodeWireEvent,
  openTextReader,
  ResponsesTranslator,
  safeEventName,
  sanitizedJSONError,
  toWireEvent,
  type FrameDecoder,
  type TextReader,
} from '../wire/index.ts';
import { sessionOf, type ResumedStream } from './session.ts';
import type { MessageDeltaWireEvent, RunStepDeltaWireEvent, WireEvent } from '../wire/index.ts';

/**
 * The stream's `source` actor: reads the session's bytes, decodes frames (SSE or NDJSON),
 * validates each into a wire event and sends it to the stream actor, which handles it before
 * the next one is decoded. Stopping the actor (the stream ended, failed or was aborted) cancels
 * the read.
 */
export const sourceLogic = fromCallback<AssistantStreamMachineEvent>(({ sendBack, system }) => {
  const session = sessionOf(system);
  // Only an AssistantStream runs this actor; anywhere else it has nothing to read.
  if (session === undefined) throw new Error('the source actor ran outside any AssistantStream session');
  let stopped = false;
  let reader: TextReader | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  const { idleTimeoutMs, deadlineMs, heartbeatsCountAsProgress = false, readErrorCause, maxFrameLength } = session.input;
  const clearTimers = () => {
    clearTimeout(idleTimer);
    clearTimeout(deadlineTimer);
  };

  const timeOut = (error: AssistantStreamError) => {
    if (stopped) return;
    stopped = true;
    clearTimers();
    reader?.cancel();
    sendBack({ type: 'source.timeout', error });
  };
  // Both run from the moment the stream is created, which is when its request is sent: a
  // server that never answers is as idle as one that stops in the middle.
  const armIdleTimer = () => {
    if (idleTimeoutMs === undefined) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => timeOut(new AssistantStreamError('idle-timeout', `no data arrived for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  };
  if (deadlineMs !== undefined) {
    deadlineTimer = setTimeout(
      () => timeOut(new AssistantStreamError('deadline-exceeded', `the stream did not end within ${deadlineMs} ms`)),
      deadlineMs,
    );
  }
  armIdleTimer();

  const read = async () => {
    // Awaiting (even a plain source) lets the code that created the stream attach its
    // listeners before anything happens.
    const source = await session.input.source;
    if (stopped) return;
    reader = openTextReader(source);
    sendBack({ type: 'source.connected' });
    if (stopped) return;
    let seq = 0;
    // Consecutive text fragments for one block of one open message go as one batch: the
    // message handles them exactly as one by one, with one transition instead of N. So do
    // consecutive fragments of one tool call, for its step. At most one batch is open.
    let batch: FragmentBatch | undefined;
    const flushFragments = () => {
      if (batch === undefined || stopped) return;
      const { to, type, fragments } = batch;
      batch = undefined;
      to.send(fragments.length === 1 ? fragments[0]! : { type, fragments });
    };
    // Adds `fragment` (growing `slot` of `kind`) to the open batch, or opens one if `mayOpen`
    // says the fragment continues what `to` is streaming; false if it goes on its own. No
    // closure or tuple per fragment: this runs for nearly every event of a stream.
    const batchFragment = <To extends AnyActorRef, F extends Fragment>(
      to: To,
      type: FragmentBatch['type'],
      slot: number,
      kind: string,
      fragment: F,
      mayOpen: (to: To, fragment: F) => boolean,
    ): boolean => {
      if (batch !== undefined && (batch.to !== to || batch.type !== type || batch.slot !== slot || batch.kind !== kind)) flushFragments();
      if (batch === undefined) {
        if (!mayOpen(to, fragment)) return false;
        batch = { to, type, slot, kind, fragments: [] };
      }
      batch.fragments.push(fragment);
      if (batch.fragments.length === MAX_FRAGMENTS_PER_BATCH) flushFragments();
      return true;
    };
    const deliver = (event: WireEvent) => {
      if (event.type === 'thread.message.delta') {
        const message = openChildFor(session.root.getSnapshot().context, event);
        if (message !== undefined && event.fragment === true && batchFragment(message, 'text.fragments', blockOf(event), 'text', event, continuesOpenText)) return;
        flushFragments();
        if (stopped) return;
        if (message !== undefined) message.send(event);
        else sendBack(event);
        return;
      }
      if (event.type === 'thread.run.step.delta') {
        const step = openChildFor(session.root.getSnapshot().context, event);
        if (step !== undefined && event.fragment === true) {
          const call = callOf(event);
          if (batchFragment(step, 'toolCall.fragments', call.index, call.type, event, continuesKnownToolCall)) return;
        }
        flushFragments();
        if (stopped) return;
        if (step !== undefined) step.send(event);
        else sendBack(event);
        return;
      }
      flushFragments();
      if (stopped) return;
      // The server's error keeps the answer's headers (its x-request-id), as the official SDK's APIError does.
      if (event.type === 'error' && reader?.headers !== undefined) return sendBack({ ...event, headers: reader.headers });
      sendBack(event);
    };
    // A Responses stream is recognised by its first event (or declared by the caller) and
    // goes through the adapter, which delivers Assistants events to the same machines.
    let protocol = session.input.protocol;
    const adopt = (responses: boolean) => {
      protocol = responses ? 'responses' : 'assistants';
      if (responses) session.responses = new ResponsesTranslator(deliver, { runId: session.input.runId, lifecycle: session.input.lifecycle });
    };
    if (protocol === 'responses') adopt(true);
    const { startingAfter } = session.input;
    const feedResponses = (json: unknown, eventIndex: number, name: string | undefined) => {
      // What the client says about the stream (a restarted chain): not the server's events.
      const notice = name ?? (json as { type?: unknown } | null)?.type;
      if (typeof notice === 'string' && notice.startsWith(CLIENT_NOTICE_PREFIX) && (json as { sequence_number?: unknown }).sequence_number === undefined) {
        flushFragments();
        deliver(toWireEvent(notice, json, eventIndex));
        return;
      }
      const sequence = startingAfter === undefined ? undefined : session.responses!.sequenceOf(json);
      if (startingAfter !== undefined && sequence !== undefined && sequence <= startingAfter) {
        // A resumed stream: the charts catch up on what was already heard, in silence.
        session.sink.muted = true;
        try {
          session.responses!.feed(json, eventIndex, name);
          flushFragments();
        } finally {
          session.sink.muted = false;
        }
        return;
      }
      const snapshot = session.responses!.feed(json, eventIndex, name);
      session.sink.emitResponsesEvent(json as { type: string }, snapshot);
    };
    const makeDecoder = (): FrameDecoder =>
      session.input.format === 'sse'
        ? createSSEDecoder(
            (name, data, id) => {
              if (stopped) return;
              const eventIndex = ++seq;
              if (protocol === undefined) adopt(name?.startsWith('response.') === true);
              if (protocol === 'assistants') {
                deliver(decodeWireEvent(name, data, eventIndex, id));
                return;
              }
              let json: unknown;
              try {
                json = JSON.parse(data);
              } catch (cause) {
                throw new AssistantStreamError('json', 'event data is not valid JSON', {
                  eventIndex,
                  eventName: name === undefined ? undefined : safeEventName(name),
                  cause: sanitizedJSONError(cause),
                });
              }
              feedResponses(json, eventIndex, name);
            },
            { allowUnnamedFrames: session.input.protocol === 'responses', maxFrameLength },
          )
        : createNDJSONDecoder((name, data, line) => {
            if (stopped) return;
            const eventIndex = ++seq;
            if (protocol === undefined) adopt(name.startsWith('response.'));
            if (protocol === 'assistants') deliver(toWireEvent(name, data, eventIndex, line));
            else feedResponses(data, eventIndex, name);
          }, { maxFrameLength });
    let decoder = makeDecoder();
    // A Responses stream cut before its terminal event is picked up again where it stopped
    // (`resume`, from the client): new bytes, a new decoder (the cut frame's half is dropped:
    // its event comes again), the same charts. Each resumption must make progress.
    let resumedAt: number | undefined;
    let resumesWithoutProgress = 0;
    const resumeAfter = async (error: AssistantStreamError): Promise<boolean> => {
      const translator = session.responses;
      const { resume } = session.input;
      const response = translator?.response;
      const lastSequence = translator?.lastSequence;
      if (resume === undefined || stopped || translator === undefined || response === undefined || lastSequence === undefined || translator.finalResponse !== undefined) {
        return false;
      }
      resumesWithoutProgress = resumedAt === lastSequence ? resumesWithoutProgress + 1 : 0;
      if (resumesWithoutProgress >= MAX_RESUMES_WITHOUT_PROGRESS) return false;
      resumedAt = lastSequence;
      flushFragments();
      let resumed: ResumedStream | undefined;
      try {
        resumed = await resume({ responseId: response.id, lastSequence, response, unfinishedItems: translator.unfinishedItems, error });
      } catch {
        return false;
      }
      if (resumed === undefined || stopped) return false;
      const source = await resumed.source;
      if (stopped) return false;
      reader?.cancel();
      reader = openTextReader(source);
      decoder = makeDecoder();
      armIdleTimer();
      if (resumed.notice !== undefined) deliver(toWireEvent(resumed.notice.event, resumed.notice.data, ++seq));
      return true;
    };
    for (;;) {
      let text: string | undefined;
      try {
        text = await reader.read();
      } catch (thrown) {
        const failure = readFailure(thrown, decoder, readErrorCause);
        if (isConnectionFailure(failure) && (await resumeAfter(failure))) continue;
        throw failure;
      }
      if (stopped) return;
      // `: ping` heartbeats say the connection is up, not that the run moves on.
      if (heartbeatsCountAsProgress || text === undefined || session.input.format !== 'sse' || !isHeartbeatOnly(text)) armIdleTimer();
      if (text === undefined) {
        try {
          decoder.finish();
        } catch (thrown) {
          if (thrown instanceof AssistantStreamError && thrown.kind === 'truncated' && (await resumeAfter(thrown))) continue;
          throw thrown;
        }
        flushFragments();
        session.sink.noteChunkEnd();
        if (protocol === 'responses' && (await resumeAfter(new AssistantStreamError('no-final-run', 'the connection ended before the response did')))) continue;
        break;
      }
      const sawDone = decoder.feed(text);
      flushFragments();
      // Batches never span two chunks: a recorder keeps these boundaries so that a replay
      // batches (and so shows an inspector) exactly what the live stream did.
      session.sink.noteChunkEnd();
      if (sawDone) {
        reader.cancel();
        break;
      }
      if (stopped) return;
    }
    clearTimers();
    if (!stopped) sendBack({ type: 'source.end' });
  };

  read().catch((thrown: unknown) => {
    clearTimers();
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
    clearTimers();
    reader?.cancel();
  };
});

/** How many times in a row a cut stream is resumed without a single new event before it fails. */
const MAX_RESUMES_WITHOUT_PROGRESS = 3;

/** Whether a read failed because the connection did (the stream may be resumed), not because of what it carried. */
function isConnectionFailure(error: AssistantStreamError): boolean {
  return error.kind === 'source' || error.kind === 'truncated';
}

/**
 * Batches stop growing here. The transition's cost is shared well before (measured: 32 and 128
 * fragments cost the same per fragment), and a batch keeps all its fragments and their actions
 * alive while it runs; a garbage collection in the middle copies all of them.
 */
const MAX_FRAGMENTS_PER_BATCH = 64;

/** Whether a chunk of SSE text holds nothing but comment lines (heartbeats) and blank lines. */
function isHeartbeatOnly(text: string): boolean {
  for (const line of text.split('\n')) {
    if (line !== '' && line !== '\r' && !line.startsWith(':')) return false;
  }
  return true;
}

/**
 * The error for a read that failed (the connection dropped): `truncated` if it stopped inside
 * an event, `source` between two; the cause is the failure as the caller describes it (the
 * client makes it its `APIConnectionError`).
 */
function readFailure(thrown: unknown, decoder: FrameDecoder, describe: ((thrown: unknown) => unknown) | undefined): AssistantStreamError {
  if (thrown instanceof AssistantStreamError) return thrown;
  const cause = describe === undefined ? thrown : describe(thrown);
  try {
    decoder.finish();
  } catch (pending) {
    if (pending instanceof AssistantStreamError && pending.kind === 'truncated') {
      return new AssistantStreamError('truncated', 'the connection ended in the middle of an event', {
        eventIndex: pending.eventIndex,
        eventName: pending.eventName,
        cause,
      });
    }
  }
  return new AssistantStreamError('source', 'the connection failed between two events', { cause });
}

type Fragment = MessageDeltaWireEvent | RunStepDeltaWireEvent;

/**
 * Consecutive fragments on their way to one actor, all growing one slot: a content block (its
 * index, kind `text`) or a tool call (its index and type).
 */
interface FragmentBatch {
  to: AnyActorRef;
  type: 'text.fragments' | 'toolCall.fragments';
  slot: number;
  kind: string;
  fragments: Fragment[];
}

/** The call a marked tool-call fragment grows (the entry itself: nothing is allocated). */
function callOf(event: RunStepDeltaWireEvent): { index: number; type: string } {
  return (event.data.delta.step_details as { tool_calls: Array<{ index: number; type: string }> }).tool_calls[0]!;
}

function blockOf(event: MessageDeltaWireEvent): number {
  return event.data.delta.content![0]!.index;
}
