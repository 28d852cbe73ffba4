import type { AssistantTool, Message, Run, RunStep } from '../../wire/index.ts';

/**
 * What the run executor shows the model when it asks for the run's next step.
 */
export interface ModelRequest {
  /** The run, `in_progress`: its instructions, tools, `tool_choice`, `parallel_tool_calls`, metadata. */
  readonly run: Run;
  /** The tools the run may call (the run's, else the assistant's). */
  readonly tools: readonly AssistantTool[];
  /** The thread's messages, oldest first (the run's own answer is not written yet). */
  readonly messages: readonly Message[];
  /**
   * This run's finished steps, oldest first: tool calls with their results — function
   * outputs, code interpreter logs, file search results with their text.
   */
  readonly steps: readonly RunStep[];
  /** The vector stores file_search would search (the assistant's and the thread's). */
  readonly vectorStoreIds: readonly string[];
  /** Aborts when the run is cancelled or expires: stop working, the answer is not wanted. */
  readonly signal: AbortSignal;
}

/** A file citation in an answer: `text` is the marker (`【0:0†source】`) at `start_index`..`end_index`. */
export type ModelCitation = {
  type: 'file_citation';
  text: string;
  start_index: number;
  end_index: number;
  file_citation: { file_id: string };
};

/** A tool call the model asks for. The executor runs the hosted tools; the client runs functions. */
export type ModelToolCall =
  | { type: 'function'; name: string; arguments: string }
  /** Python source for the code interpreter sandbox. */
  | { type: 'code_interpreter'; input: string }
  /** A query over the run's vector stores. */
  | { type: 'file_search'; query: string };

/** The model's next step: an answer, or tool calls (several in one step run in parallel). */
export type ModelStep =
  | { type: 'message'; text: string; annotations?: readonly ModelCitation[] }
  | { type: 'tool_calls'; toolCalls: readonly ModelToolCall[] };

/**
 * The model behind the server: the run executor asks it for each next step of a run — text to
 * stream, or tools to call — until it answers. It decides; the executor does the rest (streams,
 * runs the hosted tools, waits for function outputs, keeps the lifecycle).
 *
 * @example
 * ```ts
 * const echo: Model = {
 *   nextStep: ({ messages }) => ({ type: 'message', text: `You said ${messages.length} things.` }),
 * };
 * const server = await createServer({ model: echo });
 * ```
 */
export interface Model {
  /** The run's next step; may be async. A throw fails the run with `server_error`. */
  nextStep(request: ModelRequest): ModelStep | Promise<ModelStep>;
}
