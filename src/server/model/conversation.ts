import type { RunStep, ToolCall, Usage } from '../../wire/index.ts';
import { ModelError, type ModelAnswerEnding, type ModelRequest, type ModelTextStream } from './model.ts';
import type { UpstreamEvent } from './upstream.ts';

/** A JSON object as a model API sends it; read with {@link field}. */
export type Json = Record<string, unknown>;

/** A JSON object's field if the value is an object, else undefined. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Json)[name] : undefined;
}

/** A field that must be a string, else ''. */
export function text(value: unknown, name: string): string {
  const found = field(value, name);
  return typeof found === 'string' ? found : '';
}

/** The run's finished tool steps, oldest first. */
export function toolSteps(request: ModelRequest): Array<RunStep & { step_details: { type: 'tool_calls' } }> {
  return request.steps.filter((step): step is RunStep & { step_details: { type: 'tool_calls' } } => step.step_details.type === 'tool_calls');
}

/** The calls of a tool step a model answers with outputs (functions and the server's file_search), in order. */
export function answerableCalls(step: RunStep): ToolCall[] {
  return step.step_details.type === 'tool_calls' ? step.step_details.tool_calls.filter((call) => call.type === 'function' || call.type === 'file_search') : [];
}

/** A backend without a code interpreter cannot run a run that offers one: it fails, saying so. */
export function refuseCodeInterpreter(request: ModelRequest, backend: string): void {
  if (!request.tools.some((tool) => tool.type === 'code_interpreter')) return;
  throw new ModelError(
    'invalid_prompt',
    `The code_interpreter tool is not available: this server's model backend (${backend}) has no code interpreter. ` +
      'Remove code_interpreter from the assistant or run, or serve a backend that has one (--model-protocol responses).',
  );
}

/** A model API's usage (`input_tokens`/`prompt_tokens` …) as the Assistants API reports it, if it sent any. */
export function usageOf(value: unknown): Usage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prompt = field(value, 'input_tokens') ?? field(value, 'prompt_tokens');
  const completion = field(value, 'output_tokens') ?? field(value, 'completion_tokens');
  if (typeof prompt !== 'number' || typeof completion !== 'number') return undefined;
  const total = field(value, 'total_tokens');
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: typeof total === 'number' ? total : prompt + completion };
}

/** The run's `response_format` as a Responses `text.format` / Chat `response_format`, or undefined for `auto`/text. */
export function responseFormatOf(format: unknown): Json | undefined {
  if (typeof format !== 'object' || format === null) return undefined;
  const type = field(format, 'type');
  return type === 'json_object' || type === 'json_schema' ? (format as Json) : undefined;
}

/** A streamed answer with no text (all the response said was earlier steps): only its ending. */
export async function* answerWithoutText(ending: ModelAnswerEnding): ModelTextStream {
  yield* [];
  return ending;
}

/**
 * The events of one streamed answer, read one at a time, with one step of look-ahead: a model
 * reads until it knows what the step is, and leaves the rest for the next step.
 */
export class EventReader {
  readonly #events: AsyncGenerator<UpstreamEvent, void, undefined>;
  readonly #unread: UpstreamEvent[] = [];
  #ended = false;

  constructor(events: AsyncGenerator<UpstreamEvent, void, undefined>) {
    this.#events = events;
  }

  /** Whether the answer has no events left. */
  get ended(): boolean {
    return this.#ended && this.#unread.length === 0;
  }

  /** The next event, or undefined at the end of the stream. */
  async next(): Promise<UpstreamEvent | undefined> {
    const buffered = this.#unread.pop();
    if (buffered !== undefined) return buffered;
    if (this.#ended) return undefined;
    const result = await this.#events.next();
    if (result.done === true) {
      this.#ended = true;
      return undefined;
    }
    return result.value;
  }

  /** Puts an event back: the next `next()` returns it. */
  unread(event: UpstreamEvent): void {
    this.#unread.push(event);
  }

  /** Stops reading: the connection closes. */
  close(): void {
    this.#ended = true;
    this.#unread.length = 0;
    void this.#events.return(undefined).catch(() => undefined);
  }
}
