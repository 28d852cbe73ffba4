import type { AssistantStream, Run, RunStep } from '../index.ts';
import type { ActorHistory } from './journal.ts';
import { describeRunEnd } from './printer.ts';
import type { Terminal } from './terminal.ts';

/** How a printed stream ended. */
export interface StreamOutcome {
  /** The final run, or undefined when the stream failed before one. */
  run: Run | undefined;
  runSteps: RunStep[];
  events: number;
  error: Error | undefined;
}

/**
 * Waits for a printed stream to end and reports how: never rejects (a failure is `error`).
 *
 * @example `const { run, error } = await settleStream(stream);`
 */
export async function settleStream(stream: AssistantStream): Promise<StreamOutcome> {
  const error = await stream.done().then(
    () => undefined,
    (failure: unknown) => (failure instanceof Error ? failure : new Error(String(failure))),
  );
  const snapshot = stream.snapshot();
  return { run: snapshot.finalRun, runSteps: snapshot.runSteps, events: snapshot.eventCount, error };
}

/**
 * The footer of `run`, `record` and `replay`: how the run ended, or why the stream failed.
 * The exit code follows: 0 for a run that completed or waits for tool outputs, 1 otherwise.
 *
 * @example `process.exitCode = printOutcome(term, await settleStream(stream), startedAt);`
 */
export function printOutcome(term: Terminal, outcome: StreamOutcome, startedAt: number): number {
  const { dim } = term.colors;
  const took = dim(`${outcome.events} events · ${formatSeconds(performance.now() - startedAt)}`);
  if (outcome.error !== undefined || outcome.run === undefined) {
    term.error(`stream failed: ${outcome.error?.message ?? 'no final run'}`);
    return 1;
  }
  term.line(`${describeRunEnd(outcome.run, term.colors)} · ${took}`);
  return outcome.run.status === 'completed' || outcome.run.status === 'requires_action' ? 0 : 1;
}

/**
 * The states every actor of a stream went through, one line each, aligned:
 * `run  run_abc  unseen → queued → in_progress → completed`.
 *
 * @example `for (const line of formatHistories(journal.histories(), term.colors)) term.line(`  ${line}`);`
 */
export function formatHistories(histories: readonly ActorHistory[], colors: Terminal['colors']): string[] {
  const machineWidth = Math.max(0, ...histories.map((history) => history.machine.length));
  const subjectWidth = Math.max(0, ...histories.map((history) => history.subject.length));
  return histories.map(
    ({ machine, subject, states }) => `${colors.bold(machine.padEnd(machineWidth))}  ${colors.dim(subject.padEnd(subjectWidth))}  ${states.join(' → ')}`,
  );
}

/**
 * One line per tool call across the runs' steps (the latest copy of each step wins): what was
 * called and what it gave back. A function call's output is its step's, else the one
 * `submittedOutputs` has for its call id: on the Responses API the outputs go in the next
 * request and no event carries them back (docs/responses.md, point 6), while the Assistants
 * API sends the step again with them.
 *
 * @example `describeToolCalls(await stream.finalRunSteps()) // ['code_interpreter print(6*7) → 42']`
 */
export function describeToolCalls(steps: readonly RunStep[], submittedOutputs: ReadonlyMap<string, string> = new Map()): string[] {
  const latest = new Map<string, RunStep>();
  for (const step of steps) latest.set(step.id, step);
  const lines: string[] = [];
  for (const step of latest.values()) {
    if (step.step_details.type !== 'tool_calls') continue;
    for (const call of step.step_details.tool_calls) {
      if (call.type === 'function') {
        const output = call.function.output ?? submittedOutputs.get(call.id);
        lines.push(`function ${call.function.name}(${call.function.arguments}) → ${output ?? '(no output yet)'}`);
      }
      else if (call.type === 'code_interpreter') {
        const logs = call.code_interpreter.outputs.flatMap((output) => (output.type === 'logs' ? [output.logs] : []));
        lines.push(`code_interpreter ${call.code_interpreter.input} → ${logs.join(' ') || '(no output)'}`);
      } else if (call.type === 'file_search') {
        const results = call.file_search.results ?? [];
        lines.push(`file_search → ${results.map((result) => `${result.file_name ?? result.file_id} (score ${result.score ?? '?'})`).join(', ') || 'no results'}`);
      } else lines.push((call as { type: string }).type); // a tool type this library does not know yet
    }
  }
  return lines;
}

/**
 * Milliseconds as seconds with one decimal.
 *
 * @example `formatSeconds(1234) // '1.2 s'`
 */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
