import type { RequestScope } from '../tenants/scope.ts';

/** Where the server's JSON log lines go: one call per line, without its newline. */
export type LogSink = (line: string) => void;

/** The fields of one log line besides time, level and message: names and numbers, never a payload. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/**
 * The server's structured log: one JSON object per line (`time`, `level`, `msg`, then fields),
 * each line written while a request is being answered — by its route, or by the run or file
 * processing it started — carrying that request's `request_id`, its `tenant` and key name.
 * Lines never carry a request or response body, a message's text, a file's content or a key.
 *
 * (Hand-written rather than pino: a line is one `JSON.stringify`, and the server needs none of
 * pino's transports or worker threads — the process's stdout is the transport.)
 *
 * @example
 * ```ts
 * const log = new ServerLog((line) => process.stdout.write(`${line}\n`), scope);
 * log.info('request', { method: 'GET', route: '/v1/threads/:thread_id', status: 200 });
 * ```
 */
export class ServerLog {
  readonly #sink: LogSink;
  readonly #scope: RequestScope;

  constructor(sink: LogSink, scope: RequestScope) {
    this.#sink = sink;
    this.#scope = scope;
  }

  info(msg: string, fields: LogFields = {}): void {
    this.#write('info', msg, fields);
  }

  warn(msg: string, fields: LogFields = {}): void {
    this.#write('warn', msg, fields);
  }

  /** A server bug or failure: its class and message (no stack: messages say what and where). */
  error(msg: string, error: unknown, fields: LogFields = {}): void {
    const described = error instanceof Error ? { error: error.name, error_message: error.message } : { error: String(error) };
    this.#write('error', msg, { ...described, ...fields });
  }

  #write(level: 'info' | 'warn' | 'error', msg: string, fields: LogFields): void {
    const request = this.#scope.current();
    const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
    if (request !== undefined) {
      line['request_id'] = request.id;
      if (request.tenant !== undefined) line['tenant'] = request.tenant;
      if (request.key !== undefined) line['key'] = request.key;
    }
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) line[name] = value;
    try {
      this.#sink(JSON.stringify(line));
    } catch {
      // A log that cannot be written must not fail the request it describes.
    }
  }
}
