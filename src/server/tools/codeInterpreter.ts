import type { CodeInterpreterToolCall } from '../../wire/index.ts';
import { EvaluationError, evaluateArithmetic, formatPythonNumber } from '../evaluate.ts';
import { fragments, type ToolCallContext } from './toolCall.ts';

/**
 * Makes a code interpreter call: streams the code in fragments, runs it with {@link runPython},
 * and streams the logs as the call's output.
 *
 * @example `const call = await callCodeInterpreter({ input: 'print(2 + 2)' }, context); // outputs: [{ type: 'logs', logs: '4' }]`
 */
export async function callCodeInterpreter(call: { input: string; logs?: string | undefined }, context: ToolCallContext): Promise<CodeInterpreterToolCall> {
  const toolCall: CodeInterpreterToolCall = { id: context.id, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } };
  context.open(toolCall, { index: context.index, id: context.id, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } });
  for (const fragment of fragments(call.input)) {
    await context.fragmentPause();
    toolCall.code_interpreter.input += fragment;
    context.delta({ index: context.index, type: 'code_interpreter', code_interpreter: { input: fragment } });
  }
  context.countCompletion(call.input);
  await context.stepPause();
  // A live backend that ran the code itself sent its logs: they are shown, not recomputed.
  const logs = call.logs ?? runPython(call.input);
  toolCall.code_interpreter.outputs.push({ type: 'logs', logs });
  context.delta({ index: context.index, type: 'code_interpreter', code_interpreter: { outputs: [{ index: 0, type: 'logs', logs }] } });
  return toolCall;
}

/**
 * The code interpreter sandbox: runs Python that is arithmetic only — `print(<expression>)`
 * lines and bare expressions (the last one is echoed, as in a notebook) — with the safe
 * evaluator, and returns the logs. Anything else is reported the way Python reports an error,
 * in the logs, never thrown: a tool failure is part of the run, not a server error.
 *
 * @example `runPython('print(2**10 + 3*7)') // '1045'`
 */
export function runPython(code: string): string {
  const lines = code.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const output: string[] = [];
  for (const [index, line] of lines.entries()) {
    const printed = /^print\((.*)\)$/.exec(line)?.[1];
    const expression = printed ?? line;
    try {
      const value = formatPythonNumber(evaluateArithmetic(expression));
      if (printed !== undefined || index === lines.length - 1) output.push(value);
    } catch (error) {
      if (!(error instanceof EvaluationError)) throw error;
      output.push(String(error));
      break;
    }
  }
  return output.join('\n');
}
