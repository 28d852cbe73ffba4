import type { AssistantTool, Message, Run, RunStep, ToolCall, Usage } from '../../wire/index.ts';

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
  /**
   * Function calls answered before this run began, by the request itself: a stateless client
   * (`store: false`, or a chain restarted with its whole context) sends the calls it was asked
   * for and their outputs after its last user message instead of continuing a paused run. They
   * are this question's calls as much as `steps`' are: made, with their outputs.
   */
  readonly answeredToolCalls?: readonly ToolCall[];
  /** The vector stores file_search would search (the assistant's and the thread's). */
  readonly vectorStoreIds: readonly string[];
  /** The files the run's code interpreter gets (the assistant's, the thread's, the messages' attachments). */
  readonly codeInterpreterFileIds?: readonly string[];
  /** Reads an uploaded file the run may use (images, code interpreter files); undefined when it is gone. */
  readonly readFile?: (fileId: string) => ModelFile | undefined;
  /** Aborts when the run is cancelled or expires: stop working, the answer is not wanted. */
  readonly signal: AbortSignal;
}

/** An uploaded file as a model reads it. */
export interface ModelFile {
  filename: string;
  bytes: Uint8Array;
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
  /**
   * Python source for the code interpreter sandbox; `logs` when the model's backend already ran
   * it (a live Responses backend with its own code interpreter), else the server's sandbox runs it.
   */
  | { type: 'code_interpreter'; input: string; logs?: string }
  /** A query over the run's vector stores. */
  | { type: 'file_search'; query: string };

/**
 * How a streamed answer ended, returned by its generator when the text is done: the citations
 * (indices into the whole text), the usage the backend reported, and whether it was cut short.
 */
export interface ModelAnswerEnding {
  annotations?: readonly ModelCitation[];
  /** Tokens the backend counted for this step; the run's usage is the sum of its steps'. */
  usage?: Usage;
  /** `max_tokens`: the backend stopped at its token limit; the run ends `incomplete`. */
  incomplete?: 'max_tokens';
  /** The backend goes on after this message (tool calls follow it): the run does not end here. */
  continues?: boolean;
}

/**
 * A streamed answer: yields the text as the backend produces it, then returns how it ended.
 * Throwing a {@link ModelError} fails the run with its code; the text so far stays, incomplete.
 */
export type ModelTextStream = AsyncGenerator<string, ModelAnswerEnding | undefined, undefined>;

/** The model's next step: an answer (whole, or streamed), or tool calls (several in one step run in parallel). */
export type ModelStep =
  | { type: 'message'; text: string | ModelTextStream; annotations?: readonly ModelCitation[]; usage?: Usage }
  | { type: 'tool_calls'; toolCalls: readonly ModelToolCall[]; usage?: Usage };

/** The `last_error.code` values a run can fail with. */
export type ModelErrorCode = 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt';

/**
 * A failure the model reports with the run's `last_error.code`: a live backend's 429 is
 * `rate_limit_exceeded`, a request it refused `invalid_prompt`, anything else `server_error`.
 * Any other throw from a model fails the run with `server_error`.
 *
 * @example `throw new ModelError('rate_limit_exceeded', 'The model API is rate limited (429).')`
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

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
  /** The run's next step; may be async. A throw fails the run: a {@link ModelError} with its code, anything else with `server_error`. */
  nextStep(request: ModelRequest): ModelStep | Promise<ModelStep>;
}
