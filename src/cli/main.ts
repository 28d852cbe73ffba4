/**
 * The `assistant-machines` command line (Node only; not part of the core entry point).
 *
 * @packageDocumentation
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLI_NAME, EXIT, formatCommandHelp, parseCommandArgs, UsageError, type Command } from './command.ts';
import { conformanceCommand } from './conformance.ts';
import { demoCommand } from './demo.ts';
import { importCommand } from './import.ts';
import { inspectCommand } from './inspect.ts';
import { migrateCommand } from './migrate/command.ts';
import { recordCommand } from './record.ts';
import { replayCommand } from './replay.ts';
import { runCommand } from './run.ts';
import { serveCommand } from './serve.ts';
import type { CliIO } from './terminal.ts';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [demoCommand, serveCommand, runCommand, recordCommand, replayCommand, inspectCommand, conformanceCommand, importCommand, migrateCommand];

/**
 * The CLI's overview: its commands and where to read more.
 *
 * @example `process.stdout.write(formatHelp())`
 */
export function formatHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    `Usage: ${CLI_NAME} <command> [options]`,
    '',
    'The OpenAI Assistants run lifecycle as XState statecharts, on the command line.',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    `Run '${CLI_NAME} <command> --help' for a command's options.`,
    '',
  ].join('\n');
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves with the exit code:
 * 0 done, 1 the command failed while running, 2 the command line was wrong (unknown command
 * or flag, a missing argument or value). Usage errors and failures go to stderr.
 *
 * @example `process.exitCode = await runCli(['run', '--assistant', 'asst_1', 'Hi'], { stdout: process.stdout, stderr: process.stderr, env: process.env });`
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    const command = COMMANDS.find((candidate) => candidate.name === rest[0]);
    io.stdout.write(command === undefined ? formatHelp() : formatCommandHelp(command));
    return EXIT.ok;
  }
  if (name === undefined) {
    io.stderr.write(formatHelp());
    return EXIT.usage;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr.write(`${CLI_NAME}: unknown command ${JSON.stringify(name)}\nRun '${CLI_NAME} --help' for the commands.\n`);
    return EXIT.usage;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.help) {
      io.stdout.write(formatCommandHelp(command));
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${CLI_NAME} ${command.name}: ${error.message}\nRun '${CLI_NAME} ${command.name} --help' for usage.\n`);
      return EXIT.usage;
    }
    io.stderr.write(`${CLI_NAME} ${command.name}: ${describeFailure(error)}\n`);
    return EXIT.failure;
  }
}

// What went wrong, and why, without a stack trace: a CLI user needs the message and its cause.
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

// Run only as the program itself (`node dist/esm/cli.js`, the npm bin link, tsx), not on import.
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // The first Ctrl+C asks the command to stop cleanly (abort streams, close servers); the
  // listeners are `once`, so a second one kills the process as usual.
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort(signal));
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: stop.signal });
}
