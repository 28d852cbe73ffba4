import { createServer } from '../server/index.ts';
import { EXIT, optionalString, stringList, UsageError, type Command } from './command.ts';
import { serverAccessOptions } from './serveAccess.ts';
import { createTerminal } from './terminal.ts';
import { OTEL_OPTION, startOtel } from './otel.ts';
import { describeLiveModel, liveModelOptions, MODEL_OPTIONS } from './serveModel.ts';
import { readKeysFile } from '../server/index.ts';
import { TEAM_OPTIONS, teamSettings } from './serveTeam.ts';

const MAX_PORT = 65_535;

/**
 * A `--port` value: a whole number from 0 (any free port) to 65535.
 *
 * @example `parsePort('8080') // 8080`
 */
export function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port > MAX_PORT) throw new UsageError(`--port must be a whole number from 0 to ${MAX_PORT}, got ${JSON.stringify(value)}`);
  return port;
}

/** `serve`: the embedded server, standalone. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the embedded Assistants-compatible server until Ctrl+C',
  usage:
    'serve [--port N] [--host ADDRESS] [--fast] [--api-key-env NAME | --keys FILE] [--cors ORIGIN…] [--model-base-url URL [--model-api-key-env NAME] [--model-protocol responses|chat] [--embedding-model NAME]] [--data-dir DIR | --database-url URL] [--requests-per-minute N] [--concurrent-runs N] [--log json] [--drain-timeout SECONDS] [--metrics-token-file FILE] [--otel [URL]]',
  description: [
    'Starts the embedded Assistants API server (scripted model, in memory) on 127.0.0.1 and',
    'prints the base URL to give any client: this CLI, the official SDKs, curl. Stops on Ctrl+C',
    '(SIGINT) or SIGTERM. With --model-base-url, runs are answered by that live model API',
    '(Responses or Chat Completions) instead of the scripted model. With --data-dir (SQLite) or',
    '--database-url (PostgreSQL) its state survives a restart; runs active when it stopped end',
    'as failed. With --keys, each key opens its own tenant (see docs/server.md, "Running it for a',
    'team"); SIGHUP reloads the file. SIGTERM or Ctrl+C drains: open streams may finish, then',
    'the runs still going end failed. With --otel, every request, run, hosted tool and model call',
    'is traced (OTLP/HTTP), continuing the trace of a client that sends traceparent.',
  ].join('\n'),
  options: {
    port: { type: 'string', value: 'N', description: 'the port to listen on (default: a free one)' },
    host: { type: 'string', value: 'ADDRESS', description: 'the address to listen on (default 127.0.0.1; 0.0.0.0 behind a TLS proxy)' },
    fast: { type: 'boolean', description: 'no pauses between streamed events (default: a visible pace)' },
    'api-key-env': { type: 'string', value: 'NAME', description: 'require the API key held in environment variable NAME as the Bearer token (default: any key)' },
    cors: { type: 'string', value: 'ORIGIN', multiple: true, description: 'let web pages on ORIGIN call the server (repeat it or separate with commas; * for any; default: none)' },
    ...MODEL_OPTIONS,
    ...TEAM_OPTIONS,
    'data-dir': { type: 'string', value: 'DIR', description: 'keep state in SQLite in DIR (default: in memory)' },
    'database-url': { type: 'string', value: 'URL', description: 'keep state in PostgreSQL (postgres://…), shared by several servers' },
    otel: OTEL_OPTION,
  },
  positionals: { min: 0, max: 0, name: 'argument' },
  async run(args, io) {
    const port = parsePort(optionalString(args, 'port') ?? '0');
    const term = createTerminal(io);
    const dataDir = optionalString(args, 'data-dir');
    const databaseUrl = optionalString(args, 'database-url');
    if (dataDir !== undefined && databaseUrl !== undefined) throw new UsageError('give --data-dir or --database-url, not both');
    const access = serverAccessOptions(optionalString(args, 'api-key-env'), stringList(args, 'cors'), io.env);
    const model = liveModelOptions(args, io.env);
    const team = await teamSettings(args, (line) => io.stdout.write(`${line}\n`));
    if (team.keysFile !== undefined && access.options.apiKey !== undefined) throw new UsageError('give --api-key-env or --keys, not both');
    const host = optionalString(args, 'host');
    const otel = await startOtel(optionalString(args, 'otel'), io.env);
    const server = await createServer({
      ...(otel === undefined ? {} : { telemetry: otel.telemetry.server }),
      port,
      ...(host === undefined ? {} : { host }),
      ...access.options,
      ...team.options,
      ...(model === undefined ? {} : { model }),
      ...(args.values['fast'] === true ? { pace: { deltaDelayMs: 0, stepDelayMs: 0 } } : {}),
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
    });
    term.line(`${term.colors.bold('assistant-machines server')} listening on ${term.colors.cyan(server.url)}`);
    if (model !== undefined) term.line(describeLiveModel(model));
    if (dataDir !== undefined) term.line(`State in SQLite under ${dataDir}`);
    if (databaseUrl !== undefined) term.line('State in PostgreSQL');
    if (team.keysFile === undefined) for (const line of access.describe(server.url)) term.line(line);
    else term.line(`Keys from ${team.keysFile} (SIGHUP reloads it); give each client its own key: OPENAI_BASE_URL=${server.url} OPENAI_API_KEY=<key>`);
    if (otel !== undefined) term.line(`Traces and metrics to ${otel.endpoint} (OTLP/HTTP)`);
    term.line(term.colors.dim('Ctrl+C stops it.'));
    // SIGHUP reloads the keys file; a malformed file keeps the keys in force and says why.
    const keysFile = team.keysFile;
    const reload =
      keysFile === undefined
        ? undefined
        : () =>
            void readKeysFile(keysFile).then(
              (keys) => {
                server.setKeys(keys);
                io.stderr.write(`keys reloaded from ${keysFile}: ${keys.length}\n`);
              },
              (error: unknown) => io.stderr.write(`keys not reloaded, the previous ones stay: ${error instanceof Error ? error.message : String(error)}\n`),
            );
    if (reload !== undefined) process.on('SIGHUP', reload);
    try {
      const signal = io.signal;
      if (signal !== undefined && !signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    } finally {
      if (reload !== undefined) process.off('SIGHUP', reload);
    }
    // A graceful stop: open streams may finish (within --drain-timeout), then the runs still going end.
    await server.drain();
    await otel?.shutdown();
    term.line('server stopped');
    return EXIT.ok;
  },
};
