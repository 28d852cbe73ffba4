import { parseArgs } from 'node:util';
import type { CliIO } from './terminal.ts';

/** The CLI's name, as typed (`npx assistant-machines …`). */
export const CLI_NAME = 'assistant-machines';

/** Exit codes: success, a failure while running, a command line that makes no sense. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A bad command line: the message says what is wrong; the process exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly kind = 'usage';
}

/** One option of a command, as `parseArgs` takes it, plus what `--help` says about it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help (`URL`, `N`); string options only. */
  value?: string;
  description: string;
  /**
   * For a string option whose value may be left out (`--inspect` or `--inspect ws://…`): which
   * next arguments are its value. Without one, the option's value is `''`.
   */
  optionalValue?: (candidate: string) => boolean;
  /** For a string option: may be given more than once; its value is then a list (read it with {@link stringList}). */
  multiple?: boolean;
}

/** What a command's `run` gets: its options and positionals, already checked against its spec. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A command: its help text, its options, and what it does. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The synopsis after the CLI name: `run --assistant ID [options] MESSAGE`. */
  usage: string;
  /** What it does, a few lines. */
  description: string;
  options: Record<string, OptionSpec>;
  /** How many positionals it takes, and their names for error messages. */
  positionals: { min: number; max: number; name: string };
  /** Runs the command and resolves with the exit code (throws {@link UsageError} for a bad value). */
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

/**
 * Parses a command's arguments strictly (`node:util` `parseArgs`): an unknown flag, a flag
 * missing its value, or the wrong number of positionals is a {@link UsageError}.
 * `--help`/`-h` is every command's; it is reported as `help: true`.
 *
 * @example `parseCommandArgs(runCommand, ['--assistant', 'asst_1', 'Hello'])`
 */
export function parseCommandArgs(command: Command, args: readonly string[]): ParsedArgs & { help: boolean } {
  const options = Object.fromEntries(
    Object.entries({ ...command.options, help: HELP_OPTION }).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.short === undefined ? {} : { short: spec.short }), ...(spec.multiple === true ? { multiple: true } : {}) },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: withOptionalValues(command, args), options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs says what is wrong ("Unknown option '--nope'"); the rest of its message is noise.
    throw new UsageError(error instanceof Error ? error.message.split('. To specify')[0]!.replace(/\.$/, '') : String(error));
  }
  const { help = false, ...values } = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (help === true) return { values, positionals: parsed.positionals, help: true };
  const { min, max, name } = command.positionals;
  if (parsed.positionals.length < min) throw new UsageError(`missing ${name}`);
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max).map((value) => JSON.stringify(value)).join(', ');
    throw new UsageError(max === 0 ? `unexpected argument ${extra}` : `too many arguments: ${extra} (quote a message with spaces)`);
  }
  return { values, positionals: parsed.positionals, help: false };
}

// `--inspect` alone becomes `--inspect=`, so parseArgs sees a value either way.
function withOptionalValues(command: Command, args: readonly string[]): string[] {
  const result: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const spec = arg.startsWith('--') ? command.options[arg.slice(2)] : undefined;
    const next = args[index + 1];
    if (spec?.optionalValue !== undefined && spec.type === 'string') {
      if (next !== undefined && spec.optionalValue(next)) {
        result.push(`${arg}=${next}`);
        index += 1;
      } else result.push(`${arg}=`);
    } else result.push(arg);
  }
  return result;
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/**
 * A command's `--help` text: synopsis, description, options.
 *
 * @example `io.stdout.write(formatCommandHelp(runCommand))`
 */
export function formatCommandHelp(command: Command): string {
  const rows = Object.entries({ ...command.options, help: HELP_OPTION }).map(([name, spec]) => {
    const value = spec.type !== 'string' ? '' : spec.optionalValue === undefined ? ` ${spec.value ?? 'VALUE'}` : ` [${spec.value ?? 'VALUE'}]`;
    const flag = `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${name}${value}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `Usage: ${CLI_NAME} ${command.usage}`,
    '',
    command.description,
    '',
    'Options:',
    ...rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`),
    '',
  ].join('\n');
}

/**
 * A string option's value, required: a missing one is a {@link UsageError} that names it.
 *
 * @example `const assistantId = requiredString(args, 'assistant');`
 */
export function requiredString(args: ParsedArgs, name: string, hint = ''): string {
  const value = args.values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing --${name}${hint === '' ? '' : ` (${hint})`}`);
  return value;
}

/**
 * An optional string option's value.
 *
 * @example `const out = optionalString(args, 'out') ?? defaultPath;`
 */
export function optionalString(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A repeatable string option's values, each also split at commas (`--cors A --cors B,C` is
 * `['A', 'B', 'C']`); an empty list when the option is absent.
 *
 * @example `const origins = stringList(args, 'cors');`
 */
export function stringList(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  const given = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  return given.flatMap((item) => item.split(',')).map((item) => item.trim()).filter((item) => item !== '');
}
