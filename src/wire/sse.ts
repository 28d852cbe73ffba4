import { createParser } from 'eventsource-parser';
import { AssistantStreamError, safeEventName } from './errors.ts';

/** Called once per complete SSE event: its name (if any) and its data text. */
export type FrameListener = (name: string | undefined, data: string, id: string | undefined) => void;

/** A push decoder: feed it text, it calls back once per complete frame. */
export interface FrameDecoder {
  /** Feeds decoded text; returns true once the end-of-stream marker (`data: [DONE]`) was seen. */
  feed(text: string): boolean;
  /** Declares the input finished; throws `truncated` if it stopped inside a frame. */
  finish(): void;
}

/** The data line that ends every Assistants stream, whatever the event name. */
export const DONE_MARKER = '[DONE]';

/**
 * The longest event a decoder holds, in characters (16 Mi): far above any real Assistants
 * event (a completed message or a step with file-search results is kilobytes to a few MB),
 * and a bound on the memory an endless frame from a broken or hostile server can take.
 */
export const MAX_FRAME_LENGTH = 16 * 1024 * 1024;

/** Options of the frame decoders. */
export interface FrameDecoderOptions {
  /** The longest event held, in characters; longer is a `too-large` error. Default {@link MAX_FRAME_LENGTH}. */
  maxFrameLength?: number | undefined;
  /**
   * Deliver frames without an `event:` name (with `name` undefined) instead of failing on them:
   * a Responses stream may name its events only by their data's `type`. Default false.
   */
  allowUnnamedFrames?: boolean | undefined;
}

/**
 * The `too-large` error for the event after the `frames` complete ones.
 *
 * @internal
 */
export function frameTooLarge(maxFrameLength: number, frames: number): AssistantStreamError {
  return new AssistantStreamError('too-large', `an event grew past ${maxFrameLength} characters without ending`, { eventIndex: frames + 1 });
}

/**
 * Decodes server-sent events with eventsource-parser. Comments (`: ping` heartbeats) are
 * ignored, `retry` and `id` fields too; a line no SSE field can start with is an `sse` error.
 * Frames after `data: [DONE]` are never delivered. An event that grows past `maxFrameLength`
 * characters is a `too-large` error: the parser's `maxBufferSize` stops buffering it.
 *
 * @example
 * ```ts
 * const decoder = createSSEDecoder((name, data) => console.log(name, data));
 * decoder.feed('event: thread.run.created\ndata: {"id":"run_1"}\n\n');
 * ```
 */
export function createSSEDecoder(
  onFrame: FrameListener,
  { maxFrameLength = MAX_FRAME_LENGTH, allowUnnamedFrames = false }: FrameDecoderOptions = {},
): FrameDecoder {
  let done = false;
  let frames = 0;
  let fault: AssistantStreamError | undefined;
  let finishing = false;
  let started = false;
  const parser = createParser({
    maxBufferSize: maxFrameLength,
    onEvent(message) {
      if (done || fault !== undefined) return;
      frames++;
      if (finishing && message.data !== DONE_MARKER) {
        // Only the blank line we added completed this frame: the input stopped inside it.
        fault = new AssistantStreamError('truncated', 'the stream ended in the middle of an event', {
          eventIndex: frames,
          eventName: message.event,
        });
        return;
      }
      if (message.data === DONE_MARKER) {
        done = true;
        return;
      }
      if (message.data.startsWith(DONE_MARKER)) {
        // Neither the marker (only its exact text ends a stream: what follows it may be the rest
        // of the run) nor an event (its data is not JSON): the official SDK refuses it too.
        fault = new AssistantStreamError('sse', 'a frame whose data starts with the [DONE] marker but is not exactly it', {
          eventIndex: frames,
          eventName: message.event === undefined ? undefined : safeEventName(message.event),
        });
        return;
      }
      if (message.event === undefined && !allowUnnamedFrames) {
        // Every event of the protocol is named; an unnamed frame is only ever the end marker.
        fault = new AssistantStreamError('sse', 'an unnamed frame that is not the [DONE] marker', { eventIndex: frames });
        return;
      }
      onFrame(message.event, message.data, message.id);
    },
    onError(error) {
      if (done) return;
      if (error.type === 'max-buffer-size-exceeded') {
        fault ??= frameTooLarge(maxFrameLength, frames);
        return;
      }
      // The parser's own message quotes the offending line; ours must not carry payload.
      fault ??= new AssistantStreamError('sse', `malformed server-sent event stream (${error.type})`, {
        eventIndex: frames + 1,
      });
    },
  });
  return {
    feed(text) {
      // A byte-order mark may open a stream (text sources keep it; TextDecoder drops it from bytes).
      if (!started) {
        started = true;
        if (text.startsWith('\uFEFF')) text = text.slice(1);
      }
      // After an overflow the parser refuses more input with its own error; ours stays the one thrown.
      if (fault === undefined) parser.feed(text);
      if (fault !== undefined) throw fault;
      return done;
    },
    finish() {
      if (done) return;
      if (fault !== undefined) throw fault;
      finishing = true;
      // A blank line completes whatever frame is pending, which is then reported as cut off.
      parser.feed('\n\n');
      if (fault !== undefined) throw fault;
    },
  };
}
