import type { InspectionEvent } from 'xstate';
import { AssistantsClient, RUN_TERMINAL_STATUSES, type AssistantStream, type Run } from '../index.ts';
import { describeRunEnd } from './printer.ts';
import { optionalString, requiredString, UsageError, type Command, type OptionSpec, type ParsedArgs } from './command.ts';
import { both, INSPECT_OPTION, startInspection } from './inspection.ts';
import { OTEL_OPTION, startOtel, type CliTelemetry } from './otel.ts';
import type { AssistantTelemetry } from '../otel/index.ts';
import { StateJournal } from './journal.ts';
import { TranscriptPrinter } from './printer.ts';
import { recordStream, type RecordedFile } from './recording.ts';
import { loopRun, loadTools, parseDuration } from './runLoop.ts';
import { formatHistories, printOutcome, settleStream } from './summary.ts';
import { createTerminal, type CliIO, type Terminal } from './terminal.ts';

/** The options `run` and `record` share. */
export const RUN_OPTIONS: Record<string, OptionSpec> = {
  assistant: { type: 'string', value: 'ID', description: 'the assistant to run (required)' },
  thread: { type: 'string', value: 'ID', description: 'add the message to this thread instead of a new one' },
  'base-url': { type: 'string', value: 'URL', description: 'the API base URL (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)' },
  states: { type: 'boolean', description: 'also print the states each statechart went through' },
  inspect: INSPECT_OPTION,
};

/** A run request read from the command line and the environment. */
export interface RunRequest {
  client: AssistantsClient;
  assistantId: string;
  threadId: string | undefined;
  message: string;
  /** With `--otel`: the run is traced, and the client's requests carry `traceparent`. */
  telemetry?: AssistantTelemetry | undefined;
}

/**
 * The client and run that `run` and `record` were asked for: `--base-url` or
 * `OPENAI_BASE_URL`, and `OPENAI_API_KEY` (required: any value works for the embedded server).
 *
 * @example `const request = readRunRequest(args, io.env);`
 */
export function readRunRequest(args: ParsedArgs, env: CliIO['env'], { responses = false, telemetry }: { responses?: boolean; telemetry?: AssistantTelemetry | undefined } = {}): RunRequest {
  // A Responses request names a model, not an assistant.
  const assistantId = responses ? '' : requiredString(args, 'assistant');
  const baseURL = optionalString(args, 'base-url') ?? (env['OPENAI_BASE_URL'] || undefined);
  if (baseURL !== undefined && !/^https?:\/\/[^/]/i.test(baseURL)) throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(baseURL)}`);
  const apiKey = env['OPENAI_API_KEY'];
  if (apiKey === undefined || apiKey === '') {
    throw new UsageError('OPENAI_API_KEY is not set (any value works for the embedded server: see `assistant-machines serve`)');
  }
  const message = args.positionals[0]!;
  if (message.trim() === '') throw new UsageError('the message is empty');
  const client = new AssistantsClient({ apiKey, baseURL, ...(telemetry === undefined ? {} : { fetch: telemetry.fetch() }) });
  return { client, assistantId, threadId: optionalString(args, 'thread'), message, telemetry };
}

/**
 * Streams one run of `request` — a new thread with the message (`createAndRunStream`), or the
 * message added to `--thread` (`runs.stream` with `additional_messages`) — and prints it like
 * the demo. When `recordTo` is given, the stream is also recorded there. Resolves with the
 * exit code: 0 when the run completed or waits for tool outputs (this CLI runs no functions).
 *
 * @example `process.exitCode = await streamRun(request, term, { states: true });`
 */
export async function streamRun(
  request: RunRequest,
  term: Terminal,
  options: { states?: boolean; recordTo?: string; signal?: AbortSignal | undefined; inspect?: ((event: InspectionEvent) => void) | undefined } = {},
): Promise<{ exitCode: number; recording: RecordedFile | undefined }> {
  const { client, assistantId, threadId, message } = request;
  const startedAt = performance.now();
  const journal = new StateJournal();
  const streamOptions = { handler: new TranscriptPrinter(term), inspect: both(options.states === true ? journal.inspect : undefined, options.inspect), signal: options.signal };
  const user = { role: 'user' as const, content: message };
  term.line(`${term.colors.bold('user >')} ${message}`);
  const open = (): AssistantStream =>
    threadId === undefined
      ? client.beta.threads.createAndRunStream({ assistant_id: assistantId, thread: { messages: [user] } }, streamOptions)
      : client.beta.threads.runs.stream(threadId, { assistant_id: assistantId, additional_messages: [user] }, streamOptions);
  const stream = request.telemetry === undefined ? open() : request.telemetry.trace(open, { agentId: assistantId, baseURL: client.baseURL });
  const recording = options.recordTo === undefined ? undefined : recordStream(stream, options.recordTo);
  const outcome = await settleStream(stream);
  const interrupted = stream.currentRun();
  if (options.signal?.aborted === true && interrupted !== undefined && !(RUN_TERMINAL_STATUSES as readonly string[]).includes(interrupted.status)) {
    return { exitCode: await cancelOnServer(client, interrupted, term), recording: await recording };
  }
  const exitCode = printOutcome(term, outcome, startedAt);
  if (options.states === true) for (const line of formatHistories(journal.histories(), term.colors)) term.line(`  ${line}`);
  return { exitCode, recording: await recording };
}

/**
 * Streams one response of the Responses API (`client.responses.stream`) for `request.message`
 * with `model`, through the same statecharts and printer as a run. Resolves with the exit code.
 *
 * @example `process.exitCode = await streamResponse(request, 'scripted', term, { states: true });`
 */
export async function streamResponse(
  request: RunRequest,
  model: string,
  term: Terminal,
  options: { states?: boolean; signal?: AbortSignal | undefined; inspect?: ((event: InspectionEvent) => void) | undefined } = {},
): Promise<number> {
  const startedAt = performance.now();
  const journal = new StateJournal();
  term.line(`${term.colors.bold('user >')} ${request.message}`);
  const open = () =>
    request.client.responses.stream(
      { model, input: request.message },
      { handler: new TranscriptPrinter(term), inspect: both(options.states === true ? journal.inspect : undefined, options.inspect), signal: options.signal },
    );
  const stream = request.telemetry === undefined ? open() : request.telemetry.trace(open, { model, baseURL: request.client.baseURL });
  const exitCode = printOutcome(term, await settleStream(stream), startedAt);
  if (options.states === true) for (const line of formatHistories(journal.histories(), term.colors)) term.line(`  ${line}`);
  return exitCode;
}

/**
 * Ctrl+C stopped the stream of a run that is still going: cancel it on the server and wait until
 * the server confirms a terminal status (a second Ctrl+C exits at once). Resolves with exit code 1.
 */
async function cancelOnServer(client: AssistantsClient, run: Run, term: Terminal): Promise<number> {
  term.error(`\ncancelling the run on the server… (Ctrl+C again to exit at once)`);
  try {
    await client.beta.threads.runs.cancel(run.id, { thread_id: run.thread_id }).catch(() => undefined);
    const final = await client.beta.threads.runs.poll(run.id, { thread_id: run.thread_id });
    term.line(describeRunEnd(final, term.colors));
  } catch (error) {
    term.error(`could not confirm the cancellation: ${error instanceof Error ? error.message : String(error)}`);
  }
  return 1;
}

/** `run`: stream a run against any Assistants-compatible server. */
export const runCommand: Command = {
  name: 'run',
  summary: 'stream a run of an assistant on any compatible server and print it',
  usage: 'run (--assistant ID [--thread ID] | --responses [--model NAME]) [--base-url URL] [--states] [--inspect [WS_URL]] [--otel [URL]] [--tools FILE.mjs] [--deadline DURATION] MESSAGE',
  description: [
    'Sends MESSAGE to the assistant in a new thread (or --thread) and prints the streamed run as',
    'it arrives. The server is --base-url or $OPENAI_BASE_URL (default the OpenAI API); the key is',
    '$OPENAI_API_KEY. A run that stops for tool outputs is reported and left waiting, unless',
    '--tools names a module whose exported functions answer the calls: then the run is an',
    'assistantRun actor that loops until the run ends, and --deadline cancels it when too slow.',
    'Ctrl+C cancels the run on the server and waits for the confirmation (a second Ctrl+C exits',
    'at once). Exit code 0 when the run completed (or, without --tools, waits for tool outputs),',
    '1 otherwise. With --responses, MESSAGE goes to the Responses API (POST /responses) with',
    '--model instead: the same printer, the same statecharts. With --otel, the run is traced',
    '(OTLP/HTTP) and its requests carry traceparent, so a traced server joins the same trace.',
  ].join('\n'),
  options: {
    ...RUN_OPTIONS,
    tools: { type: 'string', value: 'FILE.mjs', description: 'run the function tools this module exports until the run ends (Ctrl+C cancels the run)' },
    deadline: { type: 'string', value: 'DURATION', description: 'cancel the run past this long (90s, 2m): runs it like --tools' },
    responses: { type: 'boolean', description: 'ask the Responses API (POST /responses) instead of running an assistant' },
    model: { type: 'string', value: 'NAME', description: "the model of a --responses request (default: scripted, the embedded server's)" },
    otel: OTEL_OPTION,
  },
  positionals: { min: 1, max: 1, name: 'MESSAGE' },
  async run(args, io) {
    const otel = await startOtel(optionalString(args, 'otel'), io.env);
    try {
      return otel === undefined ? await runOnce(args, io, undefined) : await otel.root('assistant-machines run', () => runOnce(args, io, otel));
    } finally {
      await otel?.shutdown();
    }
  },
};

// One `run`: a Responses request, an actor looping over tool calls, or one streamed run. Every
// mode takes --inspect: the usage is checked first, then the inspector starts, and it sees
// whatever the mode runs (a response, a workflow and its streams, a plain stream).
async function runOnce(args: ParsedArgs, io: CliIO, otel: CliTelemetry | undefined): Promise<number> {
  const telemetry = otel?.telemetry;
  const responses = args.values['responses'] === true;
  const request = readRunRequest(args, io.env, { responses, telemetry });
  const term = createTerminal(io);
  const toolsFile = optionalString(args, 'tools');
  const deadline = optionalString(args, 'deadline');
  const tools = toolsFile === undefined ? undefined : await loadTools(toolsFile);
  const deadlineMs = deadline === undefined ? undefined : parseDuration(deadline, '--deadline');
  if (responses && (tools !== undefined || deadlineMs !== undefined)) throw new UsageError('--tools and --deadline run an assistant (--assistant), not a --responses request');
  const inspection = await startInspection(optionalString(args, 'inspect'), term);
  const states = args.values['states'] === true;
  let exitCode: number;
  if (responses) exitCode = await streamResponse(request, optionalString(args, 'model') ?? 'scripted', term, { states, signal: io.signal, inspect: inspection?.inspect });
  else if (tools !== undefined || deadlineMs !== undefined) exitCode = await loopRun(request, term, { tools, deadlineMs, signal: io.signal, inspect: inspection?.inspect });
  else exitCode = (await streamRun(request, term, { states, signal: io.signal, inspect: inspection?.inspect })).exitCode;
  await inspection?.finish(io.signal);
  return exitCode;
}
