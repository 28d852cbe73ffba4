// A text fragment arrives, nearly always, as exactly one line of compact JSON:
//
//   {"id":"msg_…","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"text","text":{"value":"…"}}]}}
//
// Matching that text with one regular expression and building the same five objects costs a
// fraction of `JSON.parse` (measured in docs/design.md: ≈6× less than JSON.parse alone, and a
// hand-written scan with `startsWith` was only ≈1.5× less). Anything else — whitespace,
// another key order, an extra key, an escape in the id, a control character — does not match
// and takes `JSON.parse` and the checks after it, so what is accepted here is exactly what
// `JSON.parse` followed by `isTextFragment` accepts, with the same value
// (tests/wire-raw-fragment.test.ts checks both). It holds at any length up to the frame limit
// (tests/stream-large-delta.test.ts).

import type { MessageDeltaEvent } from './schemas/message.ts';

// The id: no escapes, no control characters (JSON forbids them raw). The index: a JSON integer
// without sign, fraction, exponent or leading zero, short enough to be exact.
const HEAD = String.raw`^\{"id":"([^"\\\x00-\x1f]+)","object":"thread\.message\.delta","delta":\{"content":\[\{"index":(0|[1-9][0-9]{0,8}),"type":"text","text":\{"value":"`;
const TAIL = '"}}]}}';
// A value without escapes is one character class repeated: V8's irregexp walks it without
// keeping a backtracking entry per character, so it holds at any length. The one expression it
// replaces also took escapes, as a repeated alternation (a plain character, or a backslash and
// the next), which kept one entry per character and overflowed the stack past ≈4 MiB (issue 27).
const PLAIN_TEXT_FRAGMENT = new RegExp(String.raw`${HEAD}([^"\\\x00-\x1f]*)"\}\}\]\}\}$`);
const TEXT_FRAGMENT_HEAD = new RegExp(HEAD);

/**
 * The data of a `thread.message.delta` frame if its text is exactly a plain text fragment in
 * compact JSON; undefined for anything else (the caller then parses it as usual).
 *
 * @example
 * ```ts
 * readTextFragment('{"id":"msg_1","object":"thread.message.delta","delta":{"content":[{"index":0,"type":"text","text":{"value":"Hi"}}]}}');
 * // { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: { value: 'Hi' } }] } }
 * ```
 */
export function readTextFragment(text: string): MessageDeltaEvent | undefined {
  const plain = PLAIN_TEXT_FRAGMENT.exec(text);
  if (plain !== null) return textFragment(plain[1]!, plain[2]!, plain[3]!);
  // Escapes (or something else): the head and the tail are matched, and JSON.parse reads the
  // string body between them, so every escape means exactly what it means there and a body that
  // is not one string (a bare quote, a control character, a bad escape) is refused.
  const head = TEXT_FRAGMENT_HEAD.exec(text);
  if (head === null) return undefined;
  const valueStart = head[0].length;
  const valueEnd = text.length - TAIL.length;
  // (the head's last quote must not double as the tail's first)
  if (valueEnd < valueStart || !text.endsWith(TAIL)) return undefined;
  let value: string;
  try {
    value = JSON.parse(`"${text.slice(valueStart, valueEnd)}"`) as string;
  } catch {
    return undefined;
  }
  return textFragment(head[1]!, head[2]!, value);
}

function textFragment(id: string, index: string, value: string): MessageDeltaEvent {
  return { id, object: 'thread.message.delta', delta: { content: [{ index: Number(index), type: 'text', text: { value } }] } };
}
