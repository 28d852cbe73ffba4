// A tool-call fragment (one more piece of a function's arguments or of a code interpreter's
// input) arrives, nearly always, as exactly one line of compact JSON:
//
//   {"id":"step_…","object":"thread.run.step.delta","delta":{"step_details":{"type":"tool_calls","tool_calls":[{"index":0,"type":"function","function":{"arguments":"…"}}]}}}
//
// (or `"type":"code_interpreter","code_interpreter":{"input":"…"}`). As for text fragments
// (rawFragment.ts), reading that text by hand costs a fraction of `JSON.parse`: on the bench's
// 100,000 code fragments `JSON.parse` was the largest cost of the stream. What is accepted here
// is exactly what `JSON.parse` followed by `isToolCallFragment` accepts, with the same value
// (tests/wire-raw-tool-fragment.test.ts checks both).
//
// The value is not matched by the regular expression: it is the text between a fixed prefix and
// a fixed suffix, and it is a JSON string body exactly when `JSON.parse` reads it as one. So no
// part of the expression repeats over the value, and a fragment of any length (up to the frame
// limit) reads in one scan, without the backtracking stack a repeated alternation would grow.

import type { RunStepDeltaEvent } from './schemas/step.ts';

// The id: no escapes, no control characters (JSON forbids them raw). The index: a JSON integer
// without sign, fraction, exponent or leading zero, short enough to be exact. Then the call's
// kind, named twice, and the key of the string it grows.
const TOOL_FRAGMENT_PREFIX =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw U+0000–U+001F in strings; the match must refuse them.
  /^\{"id":"([^"\\\x00-\x1f]+)","object":"thread\.run\.step\.delta","delta":\{"step_details":\{"type":"tool_calls","tool_calls":\[\{"index":(0|[1-9][0-9]{0,8}),"type":"(?:(function)","function":\{"arguments":"|code_interpreter","code_interpreter":\{"input":")/;
const TOOL_FRAGMENT_SUFFIX = '"}}]}}}';
// What a JSON string body may not hold raw; a value with any of them is read by JSON.parse.
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw U+0000–U+001F in strings.
const NEEDS_JSON_PARSE = /["\\\x00-\x1f]/;

/**
 * The data of a `thread.run.step.delta` frame if its text is exactly a plain tool-call fragment
 * in compact JSON; undefined for anything else (the caller then parses it as usual).
 *
 * @example
 * ```ts
 * readToolCallFragment('{"id":"step_1","object":"thread.run.step.delta","delta":{"step_details":{"type":"tool_calls","tool_calls":[{"index":0,"type":"code_interpreter","code_interpreter":{"input":"x = 1"}}]}}}');
 * // { id: 'step_1', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [{ index: 0, type: 'code_interpreter', code_interpreter: { input: 'x = 1' } }] } } }
 * ```
 */
export function readToolCallFragment(text: string): RunStepDeltaEvent | undefined {
  const match = TOOL_FRAGMENT_PREFIX.exec(text);
  if (match === null || !text.endsWith(TOOL_FRAGMENT_SUFFIX)) return undefined;
  const start = match[0].length;
  const end = text.length - TOOL_FRAGMENT_SUFFIX.length;
  if (end < start) return undefined;
  let value = text.slice(start, end);
  if (NEEDS_JSON_PARSE.test(value)) {
    try {
      // The value with the quotes around it, as it stands in the text (no concatenation): an
      // unescaped quote, a lone backslash or a raw control character makes this throw. Code
      // nearly always holds an escaped newline, so this is the common path for code.
      value = JSON.parse(text.slice(start - 1, end + 1)) as string;
    } catch {
      return undefined;
    }
  }
  const index = Number(match[2]);
  const call =
    match[3] === undefined
      ? { index, type: 'code_interpreter' as const, code_interpreter: { input: value } }
      : { index, type: 'function' as const, function: { arguments: value } };
  return { id: match[1]!, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [call] } } };
}
