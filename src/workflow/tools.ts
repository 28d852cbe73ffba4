import { pendingToolCalls, type AssistantRunToolOutput, type ToolCallProgress } from '../../machines/assistantRun.ts';
import type { RequiredActionFunctionToolCall, Run } from '../wire/index.ts';

/** What a tool function gets besides its parsed arguments. */
export interface ToolContext {
  /** Aborts when the run is cancelled, its deadline passes, or the actor stops. */
  signal: AbortSignal;
  /** The call being answered. */
  toolCall: RequiredActionFunctionToolCall;
  /** The paused run. */
  run: Run;
  /**
   * The same on every execution of this call (`<run id>/<tool call id>`): a tool with effects
   * elsewhere passes it on (an `Idempotency-Key`, a unique row), so a call that runs again after
   * a crash inside it — in process after a restored snapshot, on Restate after a worker died
   * mid-tool — has its effect once.
   */
  idempotencyKey: string;
}

/**
 * A function tool: gets the call's parsed JSON arguments; its result (non-strings JSON-encoded)
 * is the call's output. `args` is `never` so an implementation may type its arguments
 * (`({ city }: { city: string }) => …`): they are the model's JSON, unchecked — validate them
 * if a wrong shape matters (a throw becomes an error string the model reads).
 */
export type ToolFunction = (args: never, context: ToolContext) => unknown;

/** The tool implementations, by function name. */
export type ToolFunctions = Readonly<Record<string, ToolFunction>>;

/**
 * The calls already started in this process, by {@link toolCallKey}: a call is executed at most
 * once per process, even when the state that runs it is entered again (a restored snapshot).
 * Entries leave once the server took the outputs, or the run ended.
 */
export type ToolCallRegistry = Map<string, Promise<string>>;

/** A call's key in the registry: its run, then its id. @example `toolCallKey('run_1', 'call_a') // 'run_1/call_a'` */
export const toolCallKey = (runId: string, toolCallId: string) => `${runId}/${toolCallId}`;

/** Forgets every call of `runId` (its run ended: nothing of it runs again). */
export function forgetRunToolCalls(registry: ToolCallRegistry, runId: string): void {
  const prefix = toolCallKey(runId, '');
  for (const key of registry.keys()) if (key.startsWith(prefix)) registry.delete(key);
}

/**
 * Runs every function call a paused run waits for, in parallel, and resolves with their
 * outputs in the order of the calls. A tool that throws, an unknown name or arguments that are
 * not JSON give an error string as that call's output: the model reads it and goes on.
 * `report` hears each call this process runs start and end (not those the registry already
 * answered): what the actor announces as `assistantRun.toolCall`.
 *
 * @example `const outputs = await runToolCalls(run, { add: ({ a, b }) => a + b }, new Map(), signal);`
 */
export async function runToolCalls(
  run: Run,
  tools: ToolFunctions,
  registry: ToolCallRegistry,
  signal: AbortSignal,
  report: (progress: ToolCallProgress) => void = () => {},
): Promise<AssistantRunToolOutput[]> {
  const calls = pendingToolCalls(run);
  const outputs = await Promise.all(
    calls.map((toolCall) => {
      const key = toolCallKey(run.id, toolCall.id);
      let output = registry.get(key);
      if (output === undefined) {
        report({ phase: 'started', runId: run.id, toolCall });
        output = callTool(toolCall, tools, { signal, toolCall, run, idempotencyKey: key }).then(({ output, error }) => {
          report({ phase: 'ended', runId: run.id, toolCall, output, ...(error === undefined ? {} : { error }) });
          return output;
        });
        registry.set(key, output);
      }
      return output;
    }),
  );
  return calls.map((call, index) => ({ tool_call_id: call.id, output: outputs[index]! }));
}

/** A call's output, and what the tool threw when its output is the error string. */
export interface ToolCallResult {
  output: string;
  error?: unknown;
}

/**
 * Runs one function call: its output, or an error string the model reads (a throw, an unknown
 * name, arguments that are not JSON) with what was thrown.
 *
 * @internal
 */
export async function callTool(toolCall: RequiredActionFunctionToolCall, tools: ToolFunctions, context: ToolContext): Promise<ToolCallResult> {
  const { name, arguments: text } = toolCall.function;
  const tool = Object.hasOwn(tools, name) ? tools[name] : undefined;
  if (tool === undefined) {
    const error = new Error(`no tool named "${name}" is available (known: ${Object.keys(tools).join(', ') || 'none'})`);
    return { output: `Error: ${error.message}.`, error };
  }
  let args: unknown;
  try {
    args = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    return { output: `Error: the arguments of ${name} are not valid JSON (${error instanceof Error ? error.message : String(error)}).`, error };
  }
  try {
    const result = await (tool as (args: unknown, context: ToolContext) => unknown)(args, context);
    return { output: typeof result === 'string' ? result : (JSON.stringify(result) ?? '') };
  } catch (error) {
    return { output: `Error: ${name} failed: ${error instanceof Error ? error.message : String(error)}`, error };
  }
}
