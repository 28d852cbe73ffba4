import {
  AssistantEventHandler,
  type Run,
  type RunStep,
  type Text,
  type TextDelta,
  type ToolCall,
  type ToolCallDelta,
} from '../index.ts';
import type { Terminal } from './terminal.ts';

/**
 * Prints a run as it streams, after the official Python quickstart's `EventHandler`:
 * `assistant > ` and the text as it arrives, `assistant > code_interpreter` with the code and
 * `output >` with its logs, `assistant > function` with the call and its arguments — plus what
 * the seed leaves out: function outputs (when the tool-outputs stream reports them), file search
 * results, and citations. It reads only the stream, so a replayed recording prints the same.
 *
 * One instance per stream (like the SDK's handlers); `demo`, `run` and `replay` all print with it.
 *
 * @example
 * ```ts
 * const stream = client.beta.threads.runs.stream(threadId, { assistant_id }, { handler: new TranscriptPrinter(term) });
 * await stream.done();
 * ```
 */
export class TranscriptPrinter extends AssistantEventHandler {
  readonly #term: Terminal;
  #atLineStart = true;

  constructor(term: Terminal) {
    super();
    this.#term = term;
  }

  override onTextCreated(): void {
    this.#write(`\n${this.#label('assistant >')} `);
  }

  override onTextDelta(delta: TextDelta): void {
    this.#write(delta.value ?? '');
  }

  override onTextDone(text: Text): void {
    const { dim } = this.#term.colors;
    for (const annotation of text.annotations) {
      if (annotation.type === 'file_citation') {
        this.#write(`\n${dim(`  ${annotation.text} cites file ${annotation.file_citation.file_id}`)}`);
      }
    }
    this.#write('\n');
  }

  // The first fragment of a call creates it, so what it carried is in the snapshot.
  override onToolCallCreated(toolCall: ToolCall): void {
    this.#write(`\n${this.#label('assistant >')} ${toolCall.type}\n`);
    if (toolCall.type === 'function') this.#write(`${this.#term.colors.yellow(toolCall.function.name)}(${toolCall.function.arguments}`);
    if (toolCall.type === 'code_interpreter') this.#writeCode(toolCall.code_interpreter.input, toolCall.code_interpreter.outputs);
  }

  override onToolCallDelta(delta: ToolCallDelta): void {
    if (delta.type === 'function') this.#write(delta.function?.arguments ?? '');
    if (delta.type === 'code_interpreter') this.#writeCode(delta.code_interpreter?.input ?? '', delta.code_interpreter?.outputs ?? []);
  }

  override onToolCallDone(toolCall: ToolCall): void {
    if (toolCall.type === 'function') this.#write(')');
    this.#write(this.#atLineStart ? '' : '\n');
  }

  // Results and outputs arrive with the step's completion, not as fragments.
  override onRunStepDone(runStep: RunStep): void {
    if (runStep.step_details.type !== 'tool_calls') return;
    const { dim, yellow } = this.#term.colors;
    for (const call of runStep.step_details.tool_calls) {
      if (call.type === 'function' && call.function.output != null) {
        this.#write(`\n${this.#label('output >')} ${yellow(call.function.name)} returned ${call.function.output}\n`);
      }
      if (call.type === 'file_search' && call.file_search.results !== undefined) {
        const found = call.file_search.results.map((result) => `${result.file_name ?? result.file_id} (score ${result.score ?? '?'})`);
        this.#write(dim(`  ${found.length} result${found.length === 1 ? '' : 's'}${found.length > 0 ? `: ${found.join(', ')}` : ''}\n`));
      }
    }
  }

  override onEnd(): void {
    if (!this.#atLineStart) this.#write('\n');
  }

  #writeCode(input: string, outputs: ReadonlyArray<{ type: string; logs?: string | undefined }>): void {
    this.#write(input);
    if (outputs.length === 0) return;
    this.#write(`\n\n${this.#label('output >')}\n`);
    for (const output of outputs) if (output.type === 'logs') this.#write(`\n${output.logs ?? ''}\n`);
  }

  #label(text: string): string {
    return this.#term.colors.bold(this.#term.colors.cyan(text));
  }

  #write(text: string): void {
    if (text === '') return;
    this.#term.write(text);
    this.#atLineStart = text.endsWith('\n');
  }
}

/**
 * One line on how a stream ended: the run's id and status, what it waits for, its usage.
 *
 * @example `term.line(describeRunEnd(await stream.finalRun(), term.colors))`
 */
export function describeRunEnd(run: Run, colors: Terminal['colors']): string {
  const status = run.status === 'completed' || run.status === 'requires_action' ? colors.green(run.status) : colors.red(run.status);
  const parts = [`run ${run.id} ${status}`];
  if (run.status === 'requires_action') {
    const calls = run.required_action?.submit_tool_outputs.tool_calls ?? [];
    parts.push(`waiting for ${calls.map((call) => `${call.function.name}(${call.function.arguments})`).join(', ')}`);
  }
  if (run.last_error) parts.push(`${run.last_error.code}: ${run.last_error.message}`);
  if (run.usage) parts.push(formatUsage(run.usage));
  return parts.join(' · ');
}

/**
 * Token usage in one phrase.
 *
 * @example `formatUsage({ prompt_tokens: 60, completion_tokens: 25, total_tokens: 85 }) // '85 tokens (60 prompt + 25 completion)'`
 */
export function formatUsage(usage: NonNullable<Run['usage']>): string {
  return `${usage.total_tokens} tokens (${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion)`;
}
