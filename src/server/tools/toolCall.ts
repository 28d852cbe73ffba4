import type { CodeInterpreterToolCall, FileSearchToolCall, FunctionToolCall, ToolCallDelta } from '../../wire/index.ts';

/** A tool call the server's model can make, as it sits in its run step. */
export type ServerToolCall = FunctionToolCall | CodeInterpreterToolCall | FileSearchToolCall;

/**
 * What the run executor lends a tool while it makes one call: the call's slot in its step, the
 * run's pace (pauses that end when the run is interrupted) and its token count. A tool module
 * decides what the call streams; the executor owns the step, the log and the lifecycle.
 */
export interface ToolCallContext {
  /** The call's position in its step. */
  readonly index: number;
  /** The call's id (`call_…`). */
  readonly id: string;
  /** Puts the call into its step, where it then grows in place, and announces it with `first`. */
  open(toolCall: ServerToolCall, first: ToolCallDelta): void;
  /** Announces a change to the call: one `thread.run.step.delta`. */
  delta(delta: ToolCallDelta): void;
  /** The pause before each fragment of arguments or code. */
  fragmentPause(): Promise<void>;
  /** The pause before a hosted tool's result. */
  stepPause(): Promise<void>;
  /** Counts text the model produced toward the run's completion tokens. */
  countCompletion(text: string): void;
}

/** Arguments and code stream in pieces of this many characters. */
export const FRAGMENT_LENGTH = 8;

/**
 * Cuts a string into pieces of `size` characters (JSON arguments, code).
 *
 * @example `fragments('abcdefghij', 4) // ['abcd', 'efgh', 'ij']`
 */
export function fragments(text: string, size: number = FRAGMENT_LENGTH): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}
