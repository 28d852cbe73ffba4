import { createParser } from 'eventsource-parser';
import { AssistantStreamError } from './errors.ts';

/** Called once per complete SSE event: its name (if any) and its data text. */
export type FrameListener = (name: string | undefined, data: string) => void;

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
 * Decodes server-sent events with eventsource-parser. Comments (`: ping` heartbeats) are
 * ignored, `retry` and `id` fields too; a line no SSE field can start with is an `sse` error.
 * Frames after `data: [DONE]` are never delivered.
 *
 * @example
 * ```ts
 * const decoder = createSSEDecoder((name, data) => console.log(name, data));
 * decoder.feed('event: thread.run.created\ndata: {"id":"run_1"}\n\n');
 * ```
 */
export function createSSEDecoder(onFrame: FrameListener): FrameDecoder {
  let done = false;
  let frames = 0;
  let fault: AssistantStreamError | undefined;
  let finishing = false;
  const parser = createParser({
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
      if (message.event === undefined) {
        // Every event of the protocol is named; an unnamed frame is only ever the end marker.
        fault = new AssistantStreamError('sse', 'an unnamed frame that is not the [DONE] marker', { eventIndex: frames });
        return;
      }
      onFrame(message.event, message.data);
    },
    onError(error) {
      if (done) return;
      // The parser's own message quotes the offending line; ours must not carry payload.
      fault ??= new AssistantStreamError('sse', `malformed server-sent event stream (${error.type})`, {
        eventIndex: frames + 1,
      });
    },
  });
  return {
    feed(text) {
      parser.feed(text);
      if (fault !== undefined) throw fault;
      return done;
    },
    finish() {
      if (done) return;
      finishing = true;
      // A blank line completes whatever frame is pending, which is then reported as cut off.
      parser.feed('\n\n');
      if (fault !== undefined) throw fault;
    },
  };
}
