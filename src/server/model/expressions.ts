import { EvaluationError, evaluateArithmetic } from '../evaluate.ts';

// A run of characters that can make up arithmetic: digits, operators, parentheses, spaces, and
// an exponent `e` only between digits (so "the" never joins an expression).
const CANDIDATE = /[-+(]*(?:\d|\.\d)(?:\d[eE][+-]?\d|[\d .+\-*/%()_])*/g;
const BINARY_OPERATOR = /[\d.)_]\s*(?:\*\*|\/\/|[-+*/%])\s*[-+(.\d]/;

/**
 * The longest arithmetic expression in a sentence that the evaluator accepts and that has at
 * least one operator between two operands, or undefined.
 *
 * @example `findArithmeticExpression('What is 2**10 + 3*7?') // '2**10 + 3*7'`
 */
export function findArithmeticExpression(text: string): string | undefined {
  let best: string | undefined;
  for (const match of text.matchAll(CANDIDATE)) {
    const candidate = trimExpression(match[0]);
    if (!BINARY_OPERATOR.test(candidate) || (best !== undefined && candidate.length <= best.length)) continue;
    try {
      evaluateArithmetic(candidate);
      best = candidate;
    } catch (error) {
      // 1/0 is arithmetic that fails (the interpreter will say so); "2024-01-05" is no arithmetic.
      if (error instanceof EvaluationError && error.pythonError !== 'SyntaxError') best = candidate;
    }
  }
  return best;
}

// Sentence punctuation and dangling operators around an expression are not part of it.
function trimExpression(text: string): string {
  let expression = text.trim().replace(/[\s+\-*/%(.]+$/, '');
  while (expression.endsWith(')') && count(expression, ')') > count(expression, '(')) expression = expression.slice(0, -1).trimEnd();
  while (expression.startsWith('(') && count(expression, '(') > count(expression, ')')) expression = expression.slice(1).trimStart();
  return expression;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}
