import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createActor, toPromise, type InspectionEvent } from 'xstate';
import { createAssistantRun, DeadlineExceededError, type AssistantRunOutput, type RequiredActionFunctionToolCall, type ToolFunctions } from '../index.ts';
import { UsageError } from './command.ts';
import { describeRunEnd } from './printer.ts';
import type { RunRequest } from './run.ts';
import type { Terminal } from './terminal.ts';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * A duration from the command line in ms: `500ms`, `90s`, `2m`, `1.5h`; a bare number is seconds.
 *
 * @example `parseDuration('2m', '--deadline') // 120000`
 */
export function parseDuration(text: string, option: string): number {
  const match = DURATION.exec(text.trim());
  if (match === null) throw new UsageError(`${option} must be a duration like 90s, 2m or 500ms, got ${JSON.stringify(text)}`);
  return Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS];
}

/**
 * The tool implementations a `--tools` module exports: its default export (an object of
 * functions), else its named exports that are functions. Anything else is a usage error.
 *
 * @example `const tools = await loadTools('./tools.mjs');`
 */
export async function loadTools(file: string): Promise<ToolFunctions> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--tools ${file}: cannot load it (${error instanceof Error ? error.message : String(error)})`);
  }
  const exported = typeof module['default'] === 'object' && module['default'] !== null ? (module['default'] as Record<string, unknown>) : module;
  const tools: Record<string, ToolFunctions[string]> = {};
  for (const [name, value] of Object.entries(exported)) {
    if (name === 'default') continue;
    if (typeof value !== 'function') throw new UsageError(`--tools ${file}: export ${JSON.stringify(name)} is not a function`);
    tools[name] = value as ToolFunctions[string];
  }
  if (Object.keys(tools).length === 0) throw new UsageError(`--tools ${file}: exports no functions`);
  return tools;
}

/**
 * Runs `request` as an assistantRun actor (`createAssistantRun`) and prints it: the answer as it
 * streams, each tool call with its output, the end. Runs the tools until the run ends; past
 * `deadlineMs` the run is cancelled; when `signal` fires (Ctrl+C) the run is cancelled on the
 * server and this waits for the confirmation. Resolves with the exit code: 0 completed, else 1.
 *
 * @example `process.exitCode = await loopRun(request, term, { tools, deadlineMs: 120_000, signal });`
 */
export async function loopRun(
  request: RunRequest,
  term: Terminal,
  options: { tools?: ToolFunctions | undefined; deadlineMs?: number | undefined; signal?: AbortSignal | undefined; inspect?: ((event: InspectionEvent) => void) | undefined },
): Promise<number> {
  const { client, assistantId, message } = request;
  const { bold, dim, yellow, red } = term.colors;
  const startedAt = performance.now();
  term.line(`${bold('user >')} ${message}`);
  const threadId = request.threadId ?? (await client.beta.threads.create({}, { signal: options.signal })).id;
  // Inspected, the workflow's chart and each of its streams show (every stream is a system of its own).
  const actor = createActor(createAssistantRun({ client, tools: options.tools, inspect: options.inspect }), {
    input: { threadId, assistantId, additionalMessages: [{ role: 'user', content: message }], deadlineMs: options.deadlineMs },
    ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
  });
  // Traced, the actor starts inside its run's span: every request of the run carries it.
  const start = () => (request.telemetry === undefined ? actor.start() : request.telemetry.trace(() => actor.start(), { agentId: assistantId, conversationId: threadId, baseURL: client.baseURL }));
  let openMessage: string | undefined;
  let events = 0;
  let calls: RequiredActionFunctionToolCall[] = [];
  actor.on('assistantRun.event', ({ event }) => {
    events++;
    if (event.event === 'thread.run.requires_action') calls = (event.data as AssistantRunOutput['run']).required_action?.submit_tool_outputs.tool_calls ?? [];
  });
  actor.on('assistantRun.textDelta', ({ messageId, text }) => {
    if (messageId !== openMessage) term.write(`\n${bold('assistant >')} `);
    openMessage = messageId;
    term.write(text);
  });
  actor.on('assistantRun.toolOutputs', ({ toolOutputs }) => {
    openMessage = undefined;
    for (const { tool_call_id, output } of toolOutputs) {
      const call = calls.find((candidate) => candidate.id === tool_call_id);
      term.write(`\n${bold('assistant >')} function ${yellow(call?.function.name ?? tool_call_id)}(${call?.function.arguments ?? ''}) ${dim('→')} ${output}`);
    }
  });
  const onAbort = () => {
    term.error(`\ncancelling the run on the server… (Ctrl+C again to exit at once)`);
    actor.send({ type: 'cancel' });
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  start();
  if (options.signal?.aborted) onAbort();
  try {
    const { run } = await toPromise(actor);
    term.line(`\n${describeRunEnd(run, term.colors)} · ${dim(`${events} events · ${((performance.now() - startedAt) / 1000).toFixed(1)} s`)}`);
    return run.status === 'completed' ? 0 : 1;
  } catch (error) {
    if (error instanceof DeadlineExceededError) {
      const run = error.lastObject as AssistantRunOutput['run'] | undefined;
      term.line(`\n${red('deadline exceeded')}${run === undefined ? '' : ` · ${describeRunEnd(run, term.colors)}`}`);
    } else term.error(`run failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
