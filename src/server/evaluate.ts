/**
 * A safe evaluator for Python arithmetic: `+ - * / // % **`, parentheses, unary minus and
 * plus, int and float literals. A tiny recursive-descent parser that computes as it parses —
 * no `eval`, no names, no calls, nothing but numbers. Python's semantics are kept where they
 * differ from JavaScript's: ints are exact (`bigint`), `/` always gives a float, `//` floors,
 * `%` takes the divisor's sign, `**` binds tighter than a unary minus on its left and is
 * right-associative, an int to a negative power is a float, and floats print as Python
 * prints them (`2.0`, `1e+16`).
 */

/** A Python number: an exact int (`bigint`) or a float (`number`). */
export type PythonNumber = bigint | number;

/** The Python exception an expression raises, as its class name. */
export type PythonErrorName = 'SyntaxError' | 'ZeroDivisionError' | 'OverflowError' | 'ValueError';

/** Why an expression has no value; `toString()` reads like Python's last traceback line. */
export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
  constructor(
    /** The Python exception the same expression raises (or would, for our limits). */
    readonly pythonError: PythonErrorName,
    message: string,
  ) {
    super(message);
  }

  /** `ZeroDivisionError: division by zero` */
  override toString(): string {
    return `${this.pythonError}: ${this.message}`;
  }
}

// Limits that keep one request from eating the server: Python itself has none of these.
const MAX_SOURCE_LENGTH = 10_000;
const MAX_NESTING = 200;
const MAX_INT_BITS = 100_000;

type Token =
  | { kind: 'number'; value: PythonNumber; at: number }
  | { kind: 'operator'; text: '+' | '-' | '*' | '/' | '//' | '%' | '**' | '(' | ')'; at: number }
  | { kind: 'end'; at: number };

// Python's numeric literals: digit groups may be separated by single underscores.
const DIGITS = String.raw`\d(?:_?\d)*`;
const NUMBER_LITERAL = new RegExp(String.raw`(?:${DIGITS})?(?:\.(?:${DIGITS})?)?(?:[eE][+-]?${DIGITS})?`, 'y');
const OPERATORS = ['**', '//', '+', '-', '*', '/', '%', '(', ')'] as const;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at]!;
    if (char === ' ' || char === '\t') {
      at += 1;
      continue;
    }
    const operator = OPERATORS.find((text) => source.startsWith(text, at));
    if (operator !== undefined) {
      tokens.push({ kind: 'operator', text: operator, at });
      at += operator.length;
      continue;
    }
    NUMBER_LITERAL.lastIndex = at;
    const literal = NUMBER_LITERAL.exec(source)?.[0] ?? '';
    if (!/\d/.test(literal)) throw new EvaluationError('SyntaxError', `invalid syntax at position ${at + 1} ('${char}')`);
    tokens.push({ kind: 'number', value: parseLiteral(literal, at), at });
    at += literal.length;
  }
  tokens.push({ kind: 'end', at });
  return tokens;
}

function parseLiteral(literal: string, at: number): PythonNumber {
  const plain = literal.replaceAll('_', '');
  if (/[.eE]/.test(plain)) return Number(plain);
  if (/^0+[1-9]/.test(plain)) {
    throw new EvaluationError('SyntaxError', `leading zeros in decimal integer literals are not permitted (position ${at + 1})`);
  }
  return BigInt(plain);
}

/**
 * Evaluates one Python arithmetic expression.
 *
 * @throws {EvaluationError} for anything that is not arithmetic (`SyntaxError`), a division
 * by zero, a result too large, or a complex result.
 * @example
 * ```ts
 * evaluateArithmetic('2**10 + 3*7'); // 1045n
 * evaluateArithmetic('7 // -2');     // -4n
 * evaluateArithmetic('1 / 4');       // 0.25
 * ```
 */
export function evaluateArithmetic(source: string): PythonNumber {
  if (source.length > MAX_SOURCE_LENGTH) throw new EvaluationError('SyntaxError', `expression longer than ${MAX_SOURCE_LENGTH} characters`);
  const tokens = tokenize(source);
  let position = 0;
  let depth = 0;
  const peek = (): Token => tokens[position]!;
  const isOperator = (text: string): boolean => {
    const token = peek();
    return token.kind === 'operator' && token.text === text;
  };
  const unexpected = (): EvaluationError => {
    const token = peek();
    const what = token.kind === 'end' ? 'unexpected end of expression' : `invalid syntax at position ${token.at + 1}`;
    return new EvaluationError('SyntaxError', what);
  };

  // expression := term (('+' | '-') term)*
  const expression = (): PythonNumber => {
    let value = term();
    for (;;) {
      if (isOperator('+')) {
        position += 1;
        value = add(value, term());
      } else if (isOperator('-')) {
        position += 1;
        value = add(value, negate(term()));
      } else return value;
    }
  };
  // term := factor (('*' | '/' | '//' | '%') factor)*
  const term = (): PythonNumber => {
    let value = factor();
    for (;;) {
      const token = peek();
      if (token.kind !== 'operator') return value;
      if (token.text === '*') {
        position += 1;
        value = multiply(value, factor());
      } else if (token.text === '/') {
        position += 1;
        value = divide(value, factor());
      } else if (token.text === '//') {
        position += 1;
        value = floorDivide(value, factor());
      } else if (token.text === '%') {
        position += 1;
        value = modulo(value, factor());
      } else return value;
    }
  };
  // factor := ('+' | '-') factor | power     — so -2**2 is -(2**2), as in Python
  const factor = (): PythonNumber => {
    if (isOperator('-')) {
      position += 1;
      return negate(nested(factor));
    }
    if (isOperator('+')) {
      position += 1;
      return nested(factor);
    }
    return power();
  };
  // power := atom ('**' factor)?            — right-associative, and 2**-1 is allowed
  const power = (): PythonNumber => {
    const base = atom();
    if (!isOperator('**')) return base;
    position += 1;
    return raise(base, nested(factor));
  };
  // atom := NUMBER | '(' expression ')'
  const atom = (): PythonNumber => {
    const token = peek();
    if (token.kind === 'number') {
      position += 1;
      return token.value;
    }
    if (isOperator('(')) {
      position += 1;
      const value = nested(expression);
      if (!isOperator(')')) throw isEnd() ? new EvaluationError('SyntaxError', "'(' was never closed") : unexpected();
      position += 1;
      return value;
    }
    throw unexpected();
  };
  const isEnd = (): boolean => peek().kind === 'end';
  const nested = (parse: () => PythonNumber): PythonNumber => {
    depth += 1;
    if (depth > MAX_NESTING) throw new EvaluationError('SyntaxError', 'too many nested parentheses');
    try {
      return parse();
    } finally {
      depth -= 1;
    }
  };

  const value = expression();
  if (!isEnd()) throw isOperator(')') ? new EvaluationError('SyntaxError', "unmatched ')'") : unexpected();
  return value;
}

function toFloat(value: PythonNumber): number {
  if (typeof value === 'number') return value;
  const float = Number(value);
  if (!Number.isFinite(float)) throw new EvaluationError('OverflowError', 'int too large to convert to float');
  return float;
}

function checkIntSize(value: bigint): bigint {
  if (bitLength(value) > MAX_INT_BITS) throw new EvaluationError('OverflowError', `integer result larger than ${MAX_INT_BITS} bits`);
  return value;
}

function bitLength(value: bigint): number {
  return (value < 0n ? -value : value).toString(2).length;
}

function negate(value: PythonNumber): PythonNumber {
  return -value;
}

function add(left: PythonNumber, right: PythonNumber): PythonNumber {
  if (typeof left === 'bigint' && typeof right === 'bigint') return checkIntSize(left + right);
  return toFloat(left) + toFloat(right);
}

function multiply(left: PythonNumber, right: PythonNumber): PythonNumber {
  if (typeof left === 'bigint' && typeof right === 'bigint') {
    if (bitLength(left) + bitLength(right) > MAX_INT_BITS + 1) checkIntSize(left * right);
    return left * right;
  }
  return toFloat(left) * toFloat(right);
}

function divide(left: PythonNumber, right: PythonNumber): number {
  const divisor = toFloat(right);
  if (divisor === 0) throw new EvaluationError('ZeroDivisionError', typeof left === 'bigint' && typeof right === 'bigint' ? 'division by zero' : 'float division by zero');
  return toFloat(left) / divisor;
}

function floorDivide(left: PythonNumber, right: PythonNumber): PythonNumber {
  if (typeof left === 'bigint' && typeof right === 'bigint') {
    if (right === 0n) throw new EvaluationError('ZeroDivisionError', 'integer division or modulo by zero');
    return intDivMod(left, right)[0];
  }
  const divisor = toFloat(right);
  if (divisor === 0) throw new EvaluationError('ZeroDivisionError', 'float floor division by zero');
  return floatDivMod(toFloat(left), divisor)[0];
}

function modulo(left: PythonNumber, right: PythonNumber): PythonNumber {
  if (typeof left === 'bigint' && typeof right === 'bigint') {
    if (right === 0n) throw new EvaluationError('ZeroDivisionError', 'integer modulo by zero');
    return intDivMod(left, right)[1];
  }
  const divisor = toFloat(right);
  if (divisor === 0) throw new EvaluationError('ZeroDivisionError', 'float modulo');
  return floatDivMod(toFloat(left), divisor)[1];
}

// JavaScript's bigint `/` truncates toward zero; Python floors, so the remainder takes the
// divisor's sign.
function intDivMod(left: bigint, right: bigint): [bigint, bigint] {
  let quotient = left / right;
  let remainder = left % right;
  if (remainder !== 0n && remainder < 0n !== right < 0n) {
    quotient -= 1n;
    remainder += right;
  }
  return [quotient, remainder];
}

// CPython's float_divmod, step for step, so -7.5 // 2 and 7.5 % -2 agree with Python.
function floatDivMod(left: number, right: number): [number, number] {
  let mod = left % right;
  let div = (left - mod) / right;
  if (mod !== 0) {
    if (right < 0 !== mod < 0) {
      mod += right;
      div -= 1;
    }
  } else {
    mod = copySignOfZero(right);
  }
  let floorDiv: number;
  if (div !== 0) {
    floorDiv = Math.floor(div);
    if (div - floorDiv > 0.5) floorDiv += 1;
  } else {
    floorDiv = copySignOfZero(left / right);
  }
  return [floorDiv, mod];
}

/** Python's `copysign(0.0, x)`. */
function copySignOfZero(x: number): number {
  return x < 0 || Object.is(x, -0) ? -0 : 0;
}

function raise(base: PythonNumber, exponent: PythonNumber): PythonNumber {
  if (typeof base === 'bigint' && typeof exponent === 'bigint') {
    if (exponent >= 0n) {
      const magnitude = base < 0n ? -base : base;
      if (magnitude > 1n && BigInt(bitLength(base) - 1) * exponent > BigInt(MAX_INT_BITS)) {
        throw new EvaluationError('OverflowError', `integer result larger than ${MAX_INT_BITS} bits`);
      }
      return base ** exponent;
    }
    if (base === 0n) throw new EvaluationError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
  }
  const floatBase = toFloat(base);
  const floatExponent = toFloat(exponent);
  if (floatBase === 0 && floatExponent < 0) throw new EvaluationError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
  if (floatBase < 0 && !Number.isInteger(floatExponent) && Number.isFinite(floatExponent)) {
    throw new EvaluationError('ValueError', 'the result is a complex number, which this evaluator does not support');
  }
  const result = floatBase ** floatExponent;
  if (!Number.isFinite(result) && Number.isFinite(floatBase) && Number.isFinite(floatExponent)) {
    throw new EvaluationError('OverflowError', '(34, \'Numerical result out of range\')');
  }
  return result;
}

/**
 * Formats a value the way Python's `print` does: ints in full, floats with the shortest
 * round-trip digits, always with a decimal point or an exponent (`2.0`, `1e+16`, `1e-05`).
 *
 * @example `formatPythonNumber(4 / 2) // '2.0'`, `formatPythonNumber(2n ** 70n) // '1180591620717411303424'`
 */
export function formatPythonNumber(value: PythonNumber): string {
  if (typeof value === 'bigint') return value.toString();
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest digits that round-trip, as repr does.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const exponentSign = exponent < 0 ? '-' : '+';
    return `${sign}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fractionPart = digits.slice(exponent + 1);
  return `${sign}${integerPart}.${fractionPart === '' ? '0' : fractionPart}`;
}
