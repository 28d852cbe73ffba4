import { createActor } from 'xstate';
import { runMachine } from '../../../machines/run.ts';
import type { Run, RunEventName, RunStatus } from '../../wire/index.ts';

/** A function call a scripted run asks the client to make. */
export interface ScriptedToolCall {
  name: string;
  /** JSON text, as it streams. */
  arguments: string;
}

/**
 * The lifecycle one run follows, instead of what the model decides: the path-following
 * backend. The executor emits `created` and `queued`, then each status of `statuses` with the
 * steps it implies:
 *
 * - `in_progress` then `requires_action`: a tool step streaming this round's function calls;
 *   the run waits for their outputs when `queued` comes next, else moves on at once (a client
 *   submitting then finds it expired, cancelled or failed: a 400, as the API answers);
 * - `in_progress` then `cancelling` or `cancelled`: a tool step with a function call cut off
 *   halfway through its arguments (cancelled mid-tool-call); half the answer when the run has
 *   no function to call;
 * - `in_progress` then `completed`: an answer message; then `incomplete`, `failed` or
 *   `expired`: half the answer, closed as the run ends;
 * - `queued` after `requires_action` is the client's `submit_tool_outputs`.
 *
 * A user's cancel still works: the run then leaves its script, as a real one would.
 *
 * @example
 * ```ts
 * const server = await createServer({
 *   runScripts: [{ statuses: ['in_progress', 'requires_action', 'queued', 'in_progress', 'requires_action', 'expired'] }],
 * });
 * ```
 */
export interface RunScript {
  /** The statuses after `queued`, in order: a path the strict run chart draws, ending terminal. */
  statuses: readonly RunStatus[];
  /**
   * The function calls of each `requires_action` round, and of a call cut off by a cancel.
   * Default: the run's function tools its last user message names, else its first function tool,
   * with arguments filled from that message. A run with neither fails at `requires_action`
   * (its `last_error` says why): the API asks only for functions a run has.
   */
  toolCalls?: ReadonlyArray<readonly ScriptedToolCall[]>;
  /** The answer's text; default: the model's answer. */
  text?: string;
  /** The `last_error` of a `failed` ending; default `server_error`. */
  lastError?: { code: 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt'; message: string };
}

/** A run script the run chart refuses, with where: `runScripts[0].statuses[3]`. */
export class RunScriptError extends TypeError {
  override readonly name = 'RunScriptError';
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
  }
}

/** The wire event that announces a status: `queued` → `thread.run.queued`. */
export function runEventOf(status: RunStatus): RunEventName {
  return `thread.run.${status}` as RunEventName;
}

const TERMINAL: ReadonlySet<string> = new Set(['cancelled', 'failed', 'completed', 'incomplete', 'expired']);

/**
 * Checks a script against the strict run chart before any run takes it: every status must be
 * a transition the chart draws from the one before (from `queued`), the last one terminal, and
 * `requires_action` only right after `in_progress` (a tool step is what requires action).
 *
 * @example `validateRunScript({ statuses: ['in_progress', 'completed'] }, 'runScripts[0]')`
 */
export function validateRunScript(script: RunScript, where: string): void {
  if (!Array.isArray(script.statuses) || script.statuses.length === 0) throw new RunScriptError(`${where}.statuses`, 'expected a non-empty list of run statuses');
  const actor = createActor(runMachine, { input: { run: scriptRun('queued'), lifecycle: 'strict' } }).start();
  actor.send({ type: 'thread.run.created', data: scriptRun('queued'), seq: 0 });
  script.statuses.forEach((status, index) => {
    const event = { type: runEventOf(status), data: scriptRun(status), seq: 0 };
    const from = String(actor.getSnapshot().value);
    if (status === from || !actor.getSnapshot().can(event)) {
      actor.stop();
      throw new RunScriptError(`${where}.statuses[${index}]`, `the run chart (strict) has no transition from '${from}' to '${String(status)}'`);
    }
    if (status === 'requires_action' && from !== 'in_progress') {
      actor.stop();
      throw new RunScriptError(`${where}.statuses[${index}]`, `'requires_action' must follow 'in_progress' (a tool step requires the action), not '${from}'`);
    }
    actor.send(event);
  });
  actor.stop();
  const last = script.statuses.at(-1)!;
  if (!TERMINAL.has(last)) throw new RunScriptError(`${where}.statuses[${script.statuses.length - 1}]`, `the last status must be terminal, not '${last}'`);
}

function scriptRun(status: RunStatus): Run {
  return { id: 'run_script', object: 'thread.run', created_at: 0, thread_id: 'thread_script', assistant_id: 'asst_script', status } as Run;
}
