import { AssistantStreamError, sanitizedJSONError } from './errors.ts';
import { MAX_FRAME_LENGTH, frameTooLarge, type FrameDecoder, type FrameDecoderOptions } from './sse.ts';

/** Called once per NDJSON line: the event name, its parsed data and the raw line. */
export type JSONFrameListener = (name: string, data: unknown, line: string) => void;

/**
 * Decodes newline-delimited `{"event": …, "data": …}` JSON, the format of the official SDK's
 * `toReadableStream()` and of our recordings — or bare `{"type": …}` events, what the official
 * SDK's Responses streams serialize (the name is then `type`, the data the whole line). Blank
 * lines are skipped and CRLF is tolerated; a line that is not JSON, or neither shape, is an error
 * naming its line. A line that grows past `maxFrameLength` characters is a `too-large` error,
 * before it is held whole.
 *
 * @example
 * ```ts
 * const decoder = createNDJSONDecoder((name, data) => console.log(name, data));
 * decoder.feed('{"event":"thread.run.created","data":{"id":"run_1"}}\n');
 * ```
 */
export function createNDJSONDecoder(onFrame: JSONFrameListener, { maxFrameLength = MAX_FRAME_LENGTH }: FrameDecoderOptions = {}): FrameDecoder {
  // A long line may arrive in many chunks: keep the pieces and join once (no O(n²) concat).
  let pending: string[] = [];
  let pendingLength = 0;
  let lineNumber = 0;

  function decodeLine(raw: string): void {
    lineNumber++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    let frame: unknown;
    try {
      frame = JSON.parse(line);
    } catch (cause) {
      throw new AssistantStreamError('json', `line ${lineNumber} is not valid JSON`, { cause: sanitizedJSONError(cause) });
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      throw new AssistantStreamError('schema', `line ${lineNumber} is not an {"event", "data"} object`);
    }
    // The official SDK's Responses streams serialize each event bare: `{"type": …, …}`.
    const { event, data, type } = frame as { event?: unknown; data?: unknown; type?: unknown };
    if (typeof event === 'string' && 'data' in frame) onFrame(event, data, line);
    else if (event === undefined && typeof type === 'string') onFrame(type, frame, line);
    else throw new AssistantStreamError('schema', `line ${lineNumber} is not an {"event", "data"} object nor a {"type", …} event`);
  }

  return {
    feed(text) {
      let start = 0;
      let newline = text.indexOf('\n');
      while (newline !== -1) {
        if (pendingLength + newline - start > maxFrameLength) throw frameTooLarge(maxFrameLength, lineNumber);
        pending.push(text.slice(start, newline));
        const line = pending.join('');
        pending = [];
        pendingLength = 0;
        decodeLine(line);
        start = newline + 1;
        newline = text.indexOf('\n', start);
      }
      if (start < text.length) {
        pendingLength += text.length - start;
        if (pendingLength > maxFrameLength) throw frameTooLarge(maxFrameLength, lineNumber);
        pending.push(text.slice(start));
      }
      return false;
    },
    finish() {
      const rest = pending.join('');
      pending = [];
      pendingLength = 0;
      if (rest.trim() === '') return;
      // The last line may lack its newline; if it still parses it was complete.
      try {
        JSON.parse(rest);
      } catch (cause) {
        throw new AssistantStreamError('truncated', `the stream ended in the middle of line ${lineNumber + 1}`, { cause: sanitizedJSONError(cause) });
      }
      decodeLine(rest);
    },
  };
}
