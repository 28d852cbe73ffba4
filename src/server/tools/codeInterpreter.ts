import { EvaluationError, evaluateArithmetic, formatPythonNumber } from '../evaluate.ts';

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
