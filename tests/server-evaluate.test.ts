import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EvaluationError, evaluateArithmetic, formatPythonNumber } from '../src/server/evaluate.ts';

// Expected values were printed by CPython 3 (`repr(eval(expression))`) for exactly these inputs.
const PYTHON_RESULTS: Array<[string, string]> = [
  ['2**10 + 3*7', '1045'], ['-2**2', '-4'], ['2**-1', '0.5'], ['2**3**2', '512'], ['(-2)**2', '4'],
  ['7 // 2', '3'], ['-7 // 2', '-4'], ['7 // -2', '-4'], ['-7 % 3', '2'], ['7 % -3', '-2'],
  ['-7.5 // 2', '-4.0'], ['7.5 % -2', '-0.5'], ['1 / 4', '0.25'], ['4 / 2', '2.0'], ['10 / 3', '3.3333333333333335'],
  ['2**100', '1267650600228229401496703205376'], ['1_000 * 3', '3000'], ['1e16', '1e+16'], ['1e-5', '1e-05'],
  ['0.1 + 0.2', '0.30000000000000004'], ['1.5e3', '1500.0'], ['3.', '3.0'], ['  .5 + .25', '0.75'],
  ['2 ** 0.5', '1.4142135623730951'], ['-0.0', '-0.0'], ['(1 + 2) * (3 - 4) / 5', '-0.6'], ['- - 3', '3'], ['+4', '4'],
  ['2 * -3', '-6'], ['10 % 3 ** 2', '1'], ['5 - 3 - 1', '1'], ['2 ** -2 ** 2', '0.0625'],
  ['123456789 * 987654321', '121932631112635269'], ['7.0 // 2', '3.0'], ['-7 % 3.0', '2.0'], ['1e308 * 10', 'inf'],
  ['0 ** 0', '1'], ['100 // 7 * 7 + 100 % 7', '100'],
];

test('computes what Python computes, and prints it as Python prints it', () => {
  const actual = PYTHON_RESULTS.map(([expression]) => [expression, formatPythonNumber(evaluateArithmetic(expression))]);
  assert.equal(actual, PYTHON_RESULTS);
});

const PYTHON_ERRORS: Array<[string, string]> = [
  ['1/0', 'ZeroDivisionError: division by zero'],
  ['1//0', 'ZeroDivisionError: integer division or modulo by zero'],
  ['1%0', 'ZeroDivisionError: integer modulo by zero'],
  ['1.0/0', 'ZeroDivisionError: float division by zero'],
  ['1.0//0', 'ZeroDivisionError: float floor division by zero'],
  ['1.0%0', 'ZeroDivisionError: float modulo'],
  ['0**-1', 'ZeroDivisionError: 0.0 cannot be raised to a negative power'],
  ['10.0**400', "OverflowError: (34, 'Numerical result out of range')"],
  ['(1+2', "SyntaxError: '(' was never closed"],
  ['1+2)', "SyntaxError: unmatched ')'"],
];

test('raises the exception Python raises', () => {
  const actual = PYTHON_ERRORS.map(([expression]) => [expression, errorOf(expression)]);
  assert.equal(actual, PYTHON_ERRORS);
});

test('refuses everything that is not arithmetic, without evaluating it', () => {
  for (const source of ['abc', 'import os', '__import__("os")', '1 +* 2', '2**', '01', '', 'print(1)', '1; 2', '[1]', '1 if 1 else 2', 'x = 1']) {
    assert.match(errorOf(source), /^SyntaxError: /, source);
  }
});

test('a complex result, a huge int and deep nesting are errors, not hangs', () => {
  assert.match(errorOf('(-8)**(1/3)'), /^ValueError: .*complex/);
  assert.match(errorOf('2**10**10'), /^OverflowError: /);
  assert.match(errorOf(`${'('.repeat(500)}1${')'.repeat(500)}`), /^SyntaxError: too many nested parentheses/);
  assert.match(errorOf(`${'1+'.repeat(6000)}1`), /^SyntaxError: expression longer than/);
});

function errorOf(expression: string): string {
  try {
    return `no error: ${formatPythonNumber(evaluateArithmetic(expression))}`;
  } catch (error) {
    assert.instance(error, EvaluationError);
    return String(error);
  }
}

test.run();
