import type { InspectionEvent } from 'xstate';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AssistantsClient, type AssistantStream, type AssistantTool, type RequiredActionFunctionToolCall, type Run, type RunStep } from '../index.ts';
import { createServer, type Pace } from '../server/index.ts';
import { EXIT, optionalString, type Command } from './command.ts';
import { both, INSPECT_OPTION, startInspection } from './inspection.ts';
import { OTEL_OPTION, startOtel } from './otel.ts';
import type { AssistantTelemetry } from '../otel/index.ts';
import { StateJournal, type ActorHistory } from './journal.ts';
import { formatUsage, TranscriptPrinter } from './printer.ts';
import { recordStream, type RecordedFile } from './recording.ts';
import { describeToolCalls, formatHistories, formatSeconds, settleStream } from './summary.ts';
import { createTerminal, type Progress, type Terminal } from './terminal.ts';

/** The one question the demo asks: it needs the function, the code interpreter and file search. */
export const DEMO_QUESTION =
  "I'm in Paris for 3 nights. What's the weather there, what is 3 * 180 + 3 * 45, and what does the travel policy say about hotels?";

/**
 * The document file_search searches. Both `src/cli/demo.ts` and the built `dist/esm/cli.js` sit
 * two folders below the repository, so one relative URL finds it from either.
 */
export const DEMO_DOCUMENT = new URL('../../examples/data/travel-policy.md', import.meta.url);

/** Slow enough to watch the text arrive, quick enough to finish in about two seconds. */
export const DEMO_PACE: Pace = { deltaDelayMs: 20, stepDelayMs: 40 };
const FAST_PACE: Pace = { deltaDelayMs: 0, stepDelayMs: 0 };

const WEATHER_FUNCTION = {
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string', description: 'The city, e.g. Paris' } }, required: ['city'] },
};

/** The function tool the assistant may call; the demo runs it here, in this process. */
export const WEATHER_TOOL: AssistantTool = { type: 'function', function: WEATHER_FUNCTION };

// A stand-in forecast: the demo must not touch the network, and must print the same every time.
const FORECASTS: Readonly<Record<string, { forecast: string; temperature_c: number }>> = {
  paris: { forecast: 'light rain', temperature_c: 14 },
  london: { forecast: 'overcast', temperature_c: 11 },
  rome: { forecast: 'sunny', temperature_c: 24 },
};

/**
 * The demo's local implementation of `get_weather`: what a real app would call an API for.
 * Any other function name gets an error object as its output, as a real app should answer.
 *
 * @example `callLocalFunction({ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } })`
 */
export function callLocalFunction(call: RequiredActionFunctionToolCall): string {
  if (call.function.name !== 'get_weather') return JSON.stringify({ error: `no local function named ${call.function.name}` });
  let city = 'somewhere';
  try {
    const args = JSON.parse(call.function.arguments) as { city?: unknown };
    if (typeof args.city === 'string') city = args.city;
  } catch {
    return JSON.stringify({ error: 'the arguments are not JSON' });
  }
  return JSON.stringify({ city, ...(FORECASTS[city.toLowerCase()] ?? { forecast: 'clear', temperature_c: 20 }) });
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  term: Terminal;
  /** No pauses at all (tests); default: {@link DEMO_PACE}. */
  fast?: boolean;
  /** The folder the recording folder goes in; default `.recordings`. */
  outDir?: string;
  /** Stops everything: the open stream is aborted and the server closed. */
  signal?: AbortSignal | undefined;
  /** Also an inspection observer of every stream (an inspector's `inspect`). */
  inspect?: ((event: InspectionEvent) => void) | undefined;
  /**
   * Trace it (`assistant-machines/otel`): the server's requests, runs and tools, each stream's
   * run (its requests carry `traceparent`), and the function the demo runs itself.
   */
  telemetry?: AssistantTelemetry | undefined;
}

/** One stream of the demo, as it ended. */
export interface DemoStream {
  label: string;
  run: Run;
  runSteps: RunStep[];
  events: number;
  histories: ActorHistory[];
  recording: RecordedFile;
}

/** What the demo did: its streams (with their machines' states), its final run, where it recorded. */
export interface DemoResult {
  streams: DemoStream[];
  run: Run;
  toolCalls: string[];
  recordingDir: string;
  elapsedMs: number;
  /** Act two: the same question through the Responses API (its streams, run and recording). */
  responses?: Omit<DemoResult, 'responses'>;
}

/**
 * The whole demo: starts the embedded server on a free loopback port, uploads the travel
 * policy into a vector store (`uploadAndPoll`), creates an assistant with `get_weather`,
 * `code_interpreter` and `file_search`, asks {@link DEMO_QUESTION}, prints the streamed answer
 * with {@link TranscriptPrinter}, runs `get_weather` locally and continues with
 * `submitToolOutputsStream`, records every stream, and prints a summary.
 *
 * @example
 * ```ts
 * const term = createTerminal({ stdout: process.stdout, stderr: process.stderr, env: process.env });
 * const { run, recordingDir } = await runDemo({ term });
 * ```
 */
export async function runDemo({ term, fast = false, outDir = '.recordings', signal, inspect, telemetry }: DemoOptions): Promise<DemoResult> {
  const startedAt = performance.now();
  const { bold, dim } = term.colors;
  const server = await createServer({ pace: fast ? FAST_PACE : DEMO_PACE, pollAfterMs: fast ? 5 : 50, ...(telemetry === undefined ? {} : { telemetry: telemetry.server }) });
  const stopServer = () => void server.close();
  signal?.addEventListener('abort', stopServer, { once: true });
  try {
    term.line(bold('assistant-machines demo: an Assistants run, streamed through statecharts'));
    term.line(dim(`embedded server at ${server.url} (in this process: no API key, no network)`));

    const documentName = basename(DEMO_DOCUMENT.pathname);
    const upload = term.progress(`Uploading ${documentName} into a vector store (vectorStores.files.uploadAndPoll)`);
    const reporting = reportingUploadProgress(upload, documentName);
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'demo', fetch: telemetry === undefined ? reporting : telemetry.fetch(reporting) });
    // Each stream's run is traced from before its request, so the server's spans are its children.
    const traced = <T extends AssistantStream>(open: () => T, agentName?: string): T =>
      telemetry === undefined ? open() : telemetry.trace(open, { agentName, baseURL: server.url });
    // The demo answers get_weather itself: in an execute_tool span when traced.
    const callFunction = (call: RequiredActionFunctionToolCall): Promise<string> =>
      telemetry === undefined ? Promise.resolve(callLocalFunction(call)) : telemetry.executeTool(call, () => callLocalFunction(call));
    const store = await client.vectorStores.create({ name: 'Acme travel policy' }, { signal });
    const document = await readFile(DEMO_DOCUMENT);
    const file = await client.vectorStores.files.uploadAndPoll(store.id, new File([document], documentName, { type: 'text/markdown' }), {
      pollIntervalMs: fast ? 5 : 50,
      signal,
    });
    if (file.status !== 'completed') {
      upload.fail(`${documentName} was not indexed: ${file.status}`);
      throw new Error(`the vector store could not index ${documentName}: ${file.last_error?.message ?? file.status}`);
    }
    upload.succeed(`${documentName} uploaded and indexed: ${file.status}, ${file.usage_bytes} bytes`);

    const assistant = await client.beta.assistants.create(
      {
        model: 'scripted',
        name: 'Travel helper',
        tools: [WEATHER_TOOL, { type: 'code_interpreter' }, { type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      },
      { signal },
    );
    term.line(dim(`assistant ${assistant.id} with get_weather (a function run here), code_interpreter, file_search`));
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: DEMO_QUESTION }] }, { signal });
    term.line(`\n${bold('user >')} ${DEMO_QUESTION}`);

    const recordingDir = join(outDir, `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const streams: DemoStream[] = [];
    const follow: Follow = async (label, open, dir = recordingDir, firstNumber = 0) => {
      const journal = new StateJournal();
      const stream = open(new TranscriptPrinter(term), both(journal.inspect, inspect)!);
      const recording = recordStream(stream, join(dir, `${streams.length - firstNumber + 1}-${label}.ndjson`));
      const outcome = await settleStream(stream);
      if (outcome.error !== undefined || outcome.run === undefined) throw outcome.error ?? new Error(`the ${label} stream ended without a run`);
      streams.push({ label, run: outcome.run, runSteps: outcome.runSteps, events: outcome.events, histories: journal.histories(), recording: await recording });
      return outcome.run;
    };

    const agentName = assistant.name ?? undefined;
    let run = await follow('runs.stream', (handler, inspect) =>
      traced(() => client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }, { handler, inspect, signal }), agentName),
    );
    while (run.status === 'requires_action' && run.required_action) {
      const toolOutputs: Array<{ tool_call_id: string; output: string }> = [];
      for (const call of run.required_action.submit_tool_outputs.tool_calls) {
        const output = await callFunction(call);
        term.line(dim(`\n⚙ ${call.function.name}(${call.function.arguments}) runs here, in the demo's process → ${output}`));
        toolOutputs.push({ tool_call_id: call.id, output });
      }
      term.line(dim(`⚙ submitToolOutputsStream with ${toolOutputs.length} output${toolOutputs.length === 1 ? '' : 's'}; the run goes on`));
      const paused = run;
      run = await follow('submitToolOutputsStream', (handler, inspect) =>
        traced(() => client.beta.threads.runs.submitToolOutputsStream(paused.id, { thread_id: thread.id, tool_outputs: toolOutputs }, { handler, inspect, signal }), agentName),
      );
    }
    const result: DemoResult = {
      streams,
      run,
      toolCalls: describeToolCalls(streams.flatMap((stream) => stream.runSteps)),
      recordingDir,
      elapsedMs: performance.now() - startedAt,
    };
    printSummary(term, result);

    // Act two: the same question through the Responses API, the same handler, the same charts.
    const actTwoStartedAt = performance.now();
    term.line(`\n${bold('Act two: the same question through the Responses API')} ${dim('(client.responses.stream: the same statecharts, the same handler)')}`);
    term.line(`\n${bold('user >')} ${DEMO_QUESTION}`);
    const actOneStreams = streams.length;
    const responsesDir = `${recordingDir}-responses`;
    const tools = [
      { type: 'function' as const, ...WEATHER_FUNCTION },
      { type: 'code_interpreter' as const },
      { type: 'file_search' as const, vector_store_ids: [store.id] },
    ];
    let response: AssistantStream | undefined;
    const ask = (label: string, body: Parameters<typeof client.responses.stream>[0]) =>
      follow(
        label,
        (handler, inspect) => (response = traced(() => client.responses.stream(body, { handler, inspect, signal }))),
        responsesDir,
        actOneStreams,
      );
    // What the demo gave each function call: no event of the Responses API carries it back.
    const submittedOutputs = new Map<string, string>();
    let answer = await ask('responses.stream', { model: 'scripted', input: DEMO_QUESTION, tools });
    while (answer.status === 'requires_action' && answer.required_action) {
      const outputs = [];
      for (const call of answer.required_action.submit_tool_outputs.tool_calls) {
        const output = await callFunction(call);
        term.line(dim(`\n⚙ ${call.function.name}(${call.function.arguments}) runs here, in the demo's process → ${output}`));
        submittedOutputs.set(call.id, output);
        outputs.push({ type: 'function_call_output' as const, call_id: call.id, output });
      }
      term.line(dim(`⚙ a new response with previous_response_id and ${outputs.length} function_call_output${outputs.length === 1 ? '' : 's'}; the run goes on`));
      const previous = await response!.finalResponse();
      answer = await ask('responses.stream-continued', { model: 'scripted', previous_response_id: previous.id, input: outputs, tools });
    }
    const responseStreams = streams.splice(actOneStreams);
    result.responses = {
      streams: responseStreams,
      run: answer,
      toolCalls: describeToolCalls(responseStreams.flatMap((stream) => stream.runSteps), submittedOutputs),
      recordingDir: responsesDir,
      elapsedMs: performance.now() - actTwoStartedAt,
    };
    printSummary(term, result.responses, 'Summary of act two (Responses API)');
    return result;
  } finally {
    signal?.removeEventListener('abort', stopServer);
    await server.close();
  }
}

type Follow = (
  label: string,
  open: (handler: TranscriptPrinter, inspect: StateJournal['inspect']) => AssistantStream,
  dir?: string,
  firstNumber?: number,
) => Promise<Run>;

function printSummary(term: Terminal, { streams, run, toolCalls, recordingDir, elapsedMs }: Omit<DemoResult, 'responses'>, title = 'Summary'): void {
  const { bold, dim } = term.colors;
  term.line(`\n${bold(title)}`);
  term.line(dim('The states each statechart went through (collected with XState inspection), per stream:'));
  for (const [index, stream] of streams.entries()) {
    term.line(`${bold(`stream ${index + 1}`)} ${stream.label} · ${stream.events} events · run ${stream.run.status}`);
    for (const line of formatHistories(stream.histories, term.colors)) term.line(`  ${line}`);
  }
  term.line(bold('tool calls'));
  for (const line of toolCalls) term.line(`  ${line}`);
  term.line(`${bold('run')}        ${run.id} ${run.status}`);
  term.line(`${bold('usage')}      ${run.usage ? formatUsage(run.usage) : 'not reported'}`);
  term.line(`${bold('time')}       ${formatSeconds(elapsedMs)}`);
  term.line(`${bold('recording')}  ${recordingDir} (${streams.length} NDJSON files, one per stream)`);
  term.line(dim(`replay it with: npx assistant-machines replay ${recordingDir}`));
}

// The upload is one call; its requests tell how far it got, and the spinner says so.
function reportingUploadProgress(progress: Progress, name: string): typeof fetch {
  let checks = 0;
  return (input, init) => {
    const method = init?.method ?? 'GET';
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    if (method === 'POST' && path.endsWith('/files') && !path.includes('/vector_stores/')) progress.update(`Uploading ${name}`);
    else if (method === 'POST' && /\/vector_stores\/[^/]+\/files$/.test(path)) progress.update(`Adding ${name} to the vector store`);
    else if (method === 'GET' && /\/vector_stores\/[^/]+\/files\/[^/]+$/.test(path)) {
      checks += 1;
      progress.update(`Indexing ${name} (status check ${checks})`);
    }
    return fetch(input, init);
  };
}

/** `demo`: the `npm start` command. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'watch an assistant run unfold against the embedded server (what `npm start` runs)',
  usage: 'demo [--fast] [--out DIR] [--inspect [WS_URL]] [--otel [URL]]',
  description: [
    'Starts the embedded Assistants server in this process, uploads a small travel policy into a',
    'vector store, and asks an assistant one question that needs a function (get_weather, run',
    'here), the code interpreter and file search. The answer streams through the statecharts and',
    'prints as it arrives; a summary shows the states each machine went through. Every stream is',
    'recorded (NDJSON, replayable with `replay` or the official SDK). Act two asks the same question',
    'through the Responses API: the same handler, the same statecharts. No API key, no network.',
    'With --otel, the client, the server and the tool call are traced in one trace (OTLP/HTTP).',
  ].join('\n'),
  options: {
    fast: { type: 'boolean', description: 'no pauses: stream as fast as the server can' },
    out: { type: 'string', value: 'DIR', description: 'where to write the recording folder (default .recordings)' },
    inspect: INSPECT_OPTION,
    otel: OTEL_OPTION,
  },
  positionals: { min: 0, max: 0, name: 'argument' },
  async run(args, io) {
    const term = createTerminal(io);
    const otel = await startOtel(optionalString(args, 'otel'), io.env);
    const inspection = await startInspection(optionalString(args, 'inspect'), term);
    const demo = () =>
      runDemo({ term, fast: args.values['fast'] === true, outDir: optionalString(args, 'out') ?? '.recordings', signal: io.signal, inspect: inspection?.inspect, telemetry: otel?.telemetry });
    let result: DemoResult;
    try {
      result = otel === undefined ? await demo() : await otel.root('assistant-machines demo', demo);
    } finally {
      await otel?.shutdown();
    }
    if (otel !== undefined) term.line(term.colors.dim(`traces and metrics exported to ${otel.endpoint} (OTLP/HTTP)`));
    await inspection?.finish(io.signal);
    return result.run.status === 'completed' && result.responses?.run.status === 'completed' ? EXIT.ok : EXIT.failure;
  },
};
