import pc from 'picocolors';

/** picocolors' formatters. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Where a command writes, and the environment that decides how: a test passes its own. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Fires when the user asks to stop (Ctrl+C): commands abort their streams and close servers. */
  signal?: AbortSignal | undefined;
}

/** The part of a `process.stdout`-like stream the CLI uses. */
export interface OutputStream {
  write(text: string): unknown;
  /** True only for a terminal; pipes, files and test buffers leave it unset. */
  isTTY?: boolean | undefined;
}

/** A long wait shown to the user: a spinner on a terminal, plain lines anywhere else. */
export interface Progress {
  /** Changes the label (a terminal redraws it; elsewhere nothing is printed). */
  update(label: string): void;
  /** Ends the wait with a success line. */
  succeed(text: string): void;
  /** Ends the wait with a failure line. */
  fail(text: string): void;
}

/** A count of things done out of a known total: a bar on a terminal, a line per thing anywhere else. */
export interface ProgressBar {
  /** One more done; `detail` says which (a terminal shows it beside the bar, a pipe prints it). */
  advance(detail: string): void;
  /** Ends the bar with a summary line. */
  finish(text: string): void;
}

/** How the CLI writes: colors and a spinner on a terminal, plain text in a pipe. */
export interface Terminal {
  /** picocolors formatters; identity functions when colors are off. */
  readonly colors: Colors;
  /** Whether stdout is an interactive terminal that may get colors and spinners. */
  readonly fancy: boolean;
  /** Writes to stdout as is (streamed text). */
  write(text: string): void;
  /** Writes a line to stdout. */
  line(text?: string): void;
  /** Writes a line to stderr (errors, warnings), never colored: `colors` follow stdout, not stderr. */
  error(text: string): void;
  /** Starts showing a long wait. */
  progress(label: string): Progress;
  /** Starts counting `total` things done. */
  bar(label: string, total: number): ProgressBar;
}

const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPINNER_INTERVAL_MS = 80;
// Carriage return plus "erase line": the spinner redraws in place.
const CLEAR_LINE = '\r\x1b[2K';

/**
 * Whether output may be decorated: stdout is a terminal, `NO_COLOR` is unset or empty
 * (no-color.org) and the terminal is not `dumb`. Everything else — a pipe, a file, CI logs —
 * gets plain text with no escape codes and no spinner frames.
 *
 * @example `isFancy({ stdout: process.stdout, stderr: process.stderr, env: process.env })`
 */
export function isFancy(io: CliIO): boolean {
  return io.stdout.isTTY === true && (io.env['NO_COLOR'] ?? '') === '' && io.env['TERM'] !== 'dumb';
}

/**
 * The terminal of a command run: colors via picocolors and a spinner when {@link isFancy},
 * plain lines otherwise.
 *
 * @example
 * ```ts
 * const term = createTerminal({ stdout: process.stdout, stderr: process.stderr, env: process.env });
 * const upload = term.progress('uploading policy.md');
 * await work();
 * upload.succeed('uploaded policy.md');
 * ```
 */
export function createTerminal(io: CliIO): Terminal {
  const fancy = isFancy(io);
  const colors = pc.createColors(fancy);
  const write = (text: string) => void io.stdout.write(text);
  return {
    colors,
    fancy,
    write,
    line: (text = '') => write(`${text}\n`),
    error: (text) => void io.stderr.write(`${text}\n`),
    progress: (label) => (fancy ? spinner(write, colors, label) : plainProgress(write, colors, label)),
    bar: (label, total) => (fancy ? progressBar(write, colors, label, total) : plainBar(write, colors, total)),
  };
}

const BAR_WIDTH = 24;

// Outside a terminal a bar is a line per thing done, counted.
function plainBar(write: (text: string) => void, colors: Colors, total: number): ProgressBar {
  let done = 0;
  const width = String(total).length;
  return {
    advance: (detail) => {
      done += 1;
      write(`${colors.dim(`[${String(done).padStart(width)}/${total}]`)} ${detail}\n`);
    },
    finish: (text) => write(`${colors.green('✓')} ${text}\n`),
  };
}

function progressBar(write: (text: string) => void, colors: Colors, label: string, total: number): ProgressBar {
  let done = 0;
  const draw = (detail: string) => {
    const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
    write(`${CLEAR_LINE}${label} ${colors.cyan('█'.repeat(filled))}${colors.dim('░'.repeat(BAR_WIDTH - filled))} ${done}/${total} ${colors.dim(detail)}`);
  };
  draw('');
  return {
    advance: (detail) => {
      done += 1;
      draw(detail);
    },
    finish: (text) => write(`${CLEAR_LINE}${colors.green('✓')} ${text}\n`),
  };
}

// Outside a terminal a wait is two plain lines: what started, and how it ended.
function plainProgress(write: (text: string) => void, colors: Colors, label: string): Progress {
  write(`${label}…\n`);
  return {
    update: () => {},
    succeed: (text) => write(`${colors.green('✓')} ${text}\n`),
    fail: (text) => write(`${colors.red('✗')} ${text}\n`),
  };
}

function spinner(write: (text: string) => void, colors: Colors, initialLabel: string): Progress {
  let label = initialLabel;
  let frame = 0;
  const startedAt = Date.now();
  const draw = () => {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    write(`${CLEAR_LINE}${colors.cyan(SPINNER_FRAMES[frame % SPINNER_FRAMES.length]!)} ${label} ${colors.dim(`${seconds}s`)}`);
    frame += 1;
  };
  draw();
  const timer = setInterval(draw, SPINNER_INTERVAL_MS);
  // A spinner must never keep the process alive on its own.
  timer.unref();
  const stop = (line: string) => {
    clearInterval(timer);
    write(`${CLEAR_LINE}${line}\n`);
  };
  return {
    update: (next) => {
      label = next;
    },
    succeed: (text) => stop(`${colors.green('✓')} ${text}`),
    fail: (text) => stop(`${colors.red('✗')} ${text}`),
  };
}
