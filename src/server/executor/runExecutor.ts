import { createActor, type Actor } from 'xstate';
import { runMachine } from '../../../machines/run.ts';
import {
  RUN_TERMINAL_STATUSES,
  type FunctionToolCall,
  type Message,
  type Metadata,
  type Run,
  type RunEventName,
  type RunStatus,
  type RunStep,
  type RunStepEventName,
  type ToolCall,
  type ToolCallDelta,
  type Usage,
} from '../../wire/index.ts';
import { estimateTokens, newAssistantMessage, newRunStep, presentStep } from '../builders.ts';
import { ApiError } from '../errors.ts';
import { newId, nowSeconds } from '../ids.ts';
import { ModelError, type ModelAnswerEnding, type ModelCitation, type ModelErrorCode, type ModelRequest, type ModelStep, type ModelTextStream, type ModelToolCall } from '../model/model.ts';
import { Collection, type RunHandle, type ThreadRecord } from '../store.ts';
import { callCodeInterpreter } from '../tools/codeInterpreter.ts';
import { callFileSearch, fileSearchRanking } from '../tools/fileSearch.ts';
import { callFunction } from '../tools/function.ts';
import type { ServerToolCall, ToolCallContext } from '../tools/toolCall.ts';
import { RunEventLog, type StoredLogEntry } from './eventLog.ts';
import { SLOW_DELTA_DELAY_MS, type Scenario } from './scenario.ts';
import { runEventOf, type RunScript, type ScriptedToolCall } from './runScript.ts';
import { fillArguments, namedFunctionTools } from '../model/functionTools.ts';
import { latestUserText } from '../model/scriptedModel.ts';
import type { ExecutorEnvironment } from './environment.ts';
import { UNTRACED_RUN, type RunTelemetry } from '../otel/hooks.ts';

/** A model that keeps calling tools without answering is stopped after this many steps. */
export const MAX_MODEL_STEPS = 16;

const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'in_progress', 'requires_action', 'cancelling'];
const STREAM_ENDING_EVENTS = new Set<string>(['thread.run.requires_action', ...RUN_TERMINAL_STATUSES.map((status) => `thread.run.${status}`)]);

/**
 * Why the run stopped before its model finished: the executor's own timers end with it.
 * `shutdown` stops it quietly (the server closes); `drained` ends it `failed` (a graceful
 * shutdown that waited for it in vain).
 */
type Interruption = 'cancelled' | 'expired' | 'shutdown' | 'drained';

class RunInterrupted extends Error {
  constructor(readonly reason: Interruption) {
    super(`the run was interrupted (${reason})`);
  }
}

class ModelFailure extends Error {
  constructor(
    message: string,
    readonly code: ModelErrorCode = 'server_error',
  ) {
    super(message);
  }
}

// A model's throw as the run's failure: a ModelError keeps its code and says it all.
function modelFailure(error: unknown): ModelFailure {
  if (error instanceof ModelError) return new ModelFailure(error.message, error.code);
  return new ModelFailure(`The model failed: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * A status change the run statechart refused: the executor tried something the run lifecycle
 * does not allow — a server bug, never a client error.
 */
export class RunTransitionError extends Error {
  override readonly name = 'RunTransitionError';
  constructor(runId: string, from: string, event: string) {
    super(`run ${runId}: the run statechart in state '${from}' refuses ${event}`);
  }
}

/** What a run is created with. */
export interface RunExecutorInput {
  /** The new run, `queued`. */
  run: Run;
  /** Its thread: the executor adds the run's messages there. */
  thread: ThreadRecord<RunExecutor>;
  /** The vector stores file_search searches (the assistant's and the thread's). */
  vectorStoreIds: readonly string[];
  scenario: Scenario | undefined;
  /** The lifecycle to follow instead of the model's (the path-following backend). */
  script?: RunScript | undefined;
  /**
   * A warm-up (WebSocket mode's `generate: false`): the run takes its messages and completes
   * without asking the model, so a run after it on the thread starts from them.
   */
  warmUp?: boolean | undefined;
  /** Whether step events carry file_search result text (`include[]` on create). */
  includeSearchContent: boolean;
  /** Events that precede the run's own in its stream: `thread.created` for create-and-run. */
  prelude?: ReadonlyArray<{ event: string; data: unknown }>;
  /** Function calls the request's input carried with their outputs (see `ModelRequest.answeredToolCalls`). */
  answeredToolCalls?: readonly ToolCall[] | undefined;
  /** The files its code interpreter gets (the assistant's, the thread's, the messages' attachments). */
  codeInterpreterFileIds?: readonly string[];
}

/** A run read back from durable storage: its steps and its event log. */
export interface RestoredRunState {
  steps: readonly RunStep[];
  events: readonly StoredLogEntry[];
}

/** The tool outputs of one `submit_tool_outputs` request. */
export type ToolOutputs = ReadonlyArray<{ tool_call_id?: string | undefined; output?: string | undefined }>;

/**
 * The instance that executes a run this server only follows (several servers on one
 * database): where cancel, tool outputs and metadata go.
 */
export interface RunOwner {
  cancel(): void;
  submitToolOutputs(outputs: ToolOutputs): void;
  setMetadata(metadata: Metadata): void;
}

/** The `last_error` of a run that was active when its server stopped (see docs/server.md). */
export const INTERRUPTED_BY_RESTART = {
  code: 'server_error',
  message: 'The server stopped while this run was active; runs are not resumed after a restart, so it was ended as failed. Create a new run to continue.',
} as const;

/** The `last_error` of a run whose server stopped while others sharing its database went on. */
export const ABANDONED_BY_OWNER = {
  code: 'server_error',
  message: 'The server executing this run stopped while it was active; another server sharing its database ended it as failed. Create a new run to continue.',
} as const;

/** The `last_error` of a run a graceful shutdown ended: it waited for the open streams, then ended the runs still going. */
export const ENDED_BY_SHUTDOWN = {
  code: 'server_error',
  message: 'The server shut down while this run was active: it let open streams finish for a while, then ended the runs still going. Create a new run to continue.',
} as const;

/**
 * Runs one run in the background, from `queued` to a final status, whether or not anyone
 * streams it: it asks the model for each next step, streams text and tool calls into the run's
 * event log at the configured pace, runs the hosted tools, waits for function outputs, and
 * answers cancellation and expiry.
 *
 * The run's status lives in its own root actor of the `run` statechart (`machines/run.ts`):
 * every status change is the wire event sent to that actor, and one it refuses throws a
 * {@link RunTransitionError}. `executor.run` is the statechart's context.
 *
 * @example
 * ```ts
 * const executor = new RunExecutor({ run, thread, vectorStoreIds: [], scenario: undefined, includeSearchContent: false }, environment);
 * executor.log.subscribe(0, { event: (entry) => write(entry.frame), close: end });
 * ```
 */
export class RunExecutor implements RunHandle {
  readonly id: string;
  readonly steps = new Collection<RunStep>('run step');
  readonly log: RunEventLog;
  #actor: Actor<typeof runMachine>;
  readonly #input: RunExecutorInput;
  readonly #environment: ExecutorEnvironment;
  readonly #stop = new AbortController();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #toolOutputsArrived: (() => void) | undefined;
  #openStep: RunStep | undefined;
  #openMessage: Message | undefined;
  #metadata: Metadata | undefined;
  #usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  /** Set when another server executes this run: this one follows its rows and events. */
  #owner: RunOwner | undefined;
  #followed: Run | undefined;
  // What a live model's backend counted, when it reports usage: then the run's and the steps'
  // usage are these, not the estimates.
  #reportedUsage: Usage | undefined;
  readonly #reportedStepUsage = new Map<string, Usage>();
  #producedOutput = false;
  /** Where this run's execution is traced: its status changes, steps and hosted tools (never its deltas). */
  readonly #trace: RunTelemetry;

  /** Starts `input.run`; or, with `restored`, holds a run read back from storage without driving it. */
  constructor(input: RunExecutorInput, environment: ExecutorEnvironment, restored?: RestoredRunState) {
    this.id = input.run.id;
    this.#input = input;
    this.#environment = environment;
    this.log = restored === undefined ? new RunEventLog() : RunEventLog.restore(restored.events);
    // A restored run is not executed here: only runs this server drives are traced.
    this.#trace = restored === undefined ? (environment.telemetry?.traceRun(input.run) ?? UNTRACED_RUN) : UNTRACED_RUN;
    this.#actor = createActor(runMachine, { input: { run: input.run, lifecycle: 'strict' } });
    this.#actor.start();
    if (restored !== undefined) {
      for (const step of restored.steps) this.steps.set(step.id, step);
      // The statechart accepts any status as the first one it sees: the run's stored status.
      this.#actor.send({ type: `thread.run.${input.run.status}`, data: input.run } as never);
      if (!this.isActive) this.#scheduleCompaction();
      return;
    }
    for (const { event, data } of input.prelude ?? []) this.log.append(event, data);
    this.#emitRun('thread.run.created', {});
    this.#emitRun('thread.run.queued', {});
    void this.#trace.within(() => (input.script !== undefined ? this.#follow(input.script) : input.warmUp === true ? this.#warmUp() : this.#drive()));
  }

  /** The run as it stands: the run statechart's context (with metadata as last modified). */
  get run(): Run {
    if (this.#followed !== undefined) return this.#followed;
    const { run } = this.#actor.getSnapshot().context;
    return this.#metadata === undefined ? run : { ...run, metadata: this.#metadata };
  }

  /**
   * Replaces the run's metadata (`POST …/runs/{id}`): not a status change, so not a statechart
   * event; the next event and every read carry it.
   */
  setMetadata(metadata: Metadata): void {
    this.#metadata = metadata;
    if (this.#owner !== undefined) {
      this.#followed = { ...this.run, metadata };
      this.#owner.setMetadata(metadata);
    }
  }

  /**
   * Makes this (restored, not driven) run one another server executes: cancel, tool outputs
   * and metadata go to `owner`, and {@link follow} keeps the run as the owner wrote it.
   */
  followOwner(owner: RunOwner): void {
    this.#owner = owner;
    this.#followed = this.run;
  }

  /** Whether another server executes this run. */
  get isFollowed(): boolean {
    return this.#owner !== undefined;
  }

  /** The run as its owner last wrote it. */
  follow(run: Run): void {
    if (this.#owner !== undefined) this.#followed = run;
  }

  /**
   * Ends a followed run whose owner is gone (several servers on one database): this executor
   * stops following, takes the run as its owner last wrote it, and ends it as
   * {@link endAfterRestart} does, with {@link ABANDONED_BY_OWNER}. Its events continue the
   * owner's log. Nothing for a run not followed or already final.
   */
  endAbandoned(): void {
    const followed = this.#followed;
    if (this.#owner === undefined || followed === undefined) return;
    this.#owner = undefined;
    this.#followed = undefined;
    this.#metadata = undefined;
    this.#actor.stop();
    this.#actor = createActor(runMachine, { input: { run: followed, lifecycle: 'strict' } });
    this.#actor.start();
    this.#actor.send({ type: `thread.run.${followed.status}`, data: followed } as never);
    this.endAfterRestart(ABANDONED_BY_OWNER);
  }

  /** Whether the run still blocks its thread (queued, in_progress, requires_action, cancelling). */
  get isActive(): boolean {
    return ACTIVE_STATUSES.includes(this.run.status);
  }

  /** The vector stores its file_search searches. */
  get vectorStoreIds(): readonly string[] {
    return this.#input.vectorStoreIds;
  }

  /** Whether step objects this run shows carry file_search result text. */
  get includeSearchContent(): boolean {
    return this.#input.includeSearchContent;
  }

  /**
   * Starts cancelling: the run is `cancelling` at once (the answer of `POST …/cancel`), and
   * `cancelled` a moment later, after the step and message in flight are closed.
   */
  cancel(): Run {
    const { status } = this.run;
    if (status !== 'queued' && status !== 'in_progress' && status !== 'requires_action') {
      throw new ApiError(400, `Cannot cancel run with status '${status}'.`);
    }
    if (this.#owner !== undefined) {
      // The owner answers with the same `cancelling`, then `cancelled`; this server shows it at once.
      this.#owner.cancel();
      this.#followed = { ...this.run, status: 'cancelling', required_action: null };
      return this.run;
    }
    this.#emitRun('thread.run.cancelling', { required_action: null });
    this.#interrupt('cancelled');
    return this.run;
  }

  /**
   * Takes the outputs of the calls the run waits for — all of them, in one request — and
   * resumes the run: the tool step completes with the outputs, and the run is `queued` again.
   */
  submitToolOutputs(outputs: ToolOutputs): Run {
    const run = this.run;
    if (run.status !== 'requires_action' || run.required_action == null || (this.#openStep === undefined && this.#owner === undefined)) {
      throw new ApiError(400, `Runs in status "${run.status}" do not accept tool outputs.`);
    }
    const pending = run.required_action.submit_tool_outputs.tool_calls.map((call) => call.id);
    const byId = new Map<string, string>();
    for (const [index, output] of outputs.entries()) {
      if (output.tool_call_id === undefined) {
        throw new ApiError(400, `Missing required parameter: 'tool_outputs[${index}].tool_call_id'.`, { param: `tool_outputs[${index}].tool_call_id` });
      }
      if (!pending.includes(output.tool_call_id)) {
        throw new ApiError(400, `No tool call found with id '${output.tool_call_id}'.`, { param: `tool_outputs[${index}].tool_call_id` });
      }
      if (byId.has(output.tool_call_id)) {
        throw new ApiError(400, `Duplicate tool output for tool call '${output.tool_call_id}'.`, { param: `tool_outputs[${index}].tool_call_id` });
      }
      byId.set(output.tool_call_id, output.output ?? '');
    }
    const missing = pending.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new ApiError(400, `Expected tool outputs for call_ids [${pending.map((id) => `'${id}'`).join(', ')}], got [${[...byId.keys()].map((id) => `'${id}'`).join(', ')}].`, {
        param: 'tool_outputs',
      });
    }
    if (this.#owner !== undefined || this.#openStep === undefined) {
      // A followed run: its owner completes the step and resumes the run.
      this.#owner?.submitToolOutputs(outputs);
      this.#followed = { ...run, status: 'queued', required_action: null };
      return this.run;
    }

    const step = this.#openStep;
    if (step.step_details.type === 'tool_calls') {
      for (const call of step.step_details.tool_calls) {
        if (call.type === 'function') call.function.output = byId.get(call.id) ?? '';
      }
    }
    clearTimeout(this.#expiry);
    this.#finishStep('thread.run.step.completed', { completed_at: nowSeconds() });
    this.#emitRun('thread.run.queued', { required_action: null });
    this.#toolOutputsArrived?.();
    return this.run;
  }

  /**
   * Ends a restored run that was active when its server stopped: one that was `cancelling` is
   * `cancelled`, any other is `failed` with `lastError` ({@link INTERRUPTED_BY_RESTART}); the
   * step and the message it had open close the same way. Nothing for a run already final.
   */
  endAfterRestart(lastError: { code: 'server_error'; message: string } = INTERRUPTED_BY_RESTART): void {
    if (!this.isActive) return;
    this.#openStep = this.steps.values().find((step) => step.status === 'in_progress');
    this.#openMessage = this.#input.thread.messages.values().find((message) => message.run_id === this.id && message.status === 'in_progress');
    if (this.run.status === 'cancelling') {
      this.#wrapUp('cancelled');
      return;
    }
    const now = nowSeconds();
    this.#finishMessage('thread.message.incomplete', { incomplete_at: now, incomplete_details: { reason: 'run_failed' } });
    this.#finishStep('thread.run.step.failed', { failed_at: now, last_error: { ...lastError } });
    this.#emitRun('thread.run.failed', { failed_at: now, last_error: { ...lastError }, required_action: null });
  }

  /**
   * Ends this run `failed` with {@link ENDED_BY_SHUTDOWN} (a graceful shutdown's bound has
   * passed): the step and message in flight close as for any failure, so streams end with
   * `thread.run.failed` and storage holds a finished run. Nothing for a run not active, or one
   * another server executes.
   */
  endForShutdown(): void {
    if (!this.isActive || this.#owner !== undefined) return;
    if (this.#stop.signal.aborted) {
      // Already interrupted (cancelling): it ends as that.
      return;
    }
    this.#interrupt('drained');
  }

  /** Stops every timer and ends the streams following this run (the server is closing). */
  dispose(): void {
    if (this.isActive) this.#trace.abandon();
    this.#interrupt('shutdown');
    clearTimeout(this.#expiry);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.log.close();
    this.#actor.stop();
  }

  // The run's life, from queued to final. Every wait is a timer this executor owns.
  async #drive(): Promise<void> {
    try {
      await this.#wait(this.#environment.pace.stepDelayMs);
      this.#emitRun('thread.run.in_progress', { started_at: nowSeconds() });
      for (let count = 0; count < MAX_MODEL_STEPS; count += 1) {
        const step = await this.#askModel();
        if (step.type === 'message') {
          if (await this.#writeAnswer(step)) return;
          continue;
        }
        await this.#callTools(step.toolCalls, step.usage);
      }
      this.#failRun(`The model called tools ${MAX_MODEL_STEPS} times without answering.`);
    } catch (error) {
      this.#settle(error);
    }
  }

  // No model, no step, no message: in progress, then completed with zero usage.
  async #warmUp(): Promise<void> {
    try {
      this.#emitRun('thread.run.in_progress', { started_at: nowSeconds() });
      this.#emitRun('thread.run.completed', { completed_at: nowSeconds() });
    } catch (error) {
      this.#settle(error);
    }
  }

  #settle(error: unknown): void {
    try {
      if (error instanceof RunInterrupted) this.#wrapUp(error.reason);
      else if (error instanceof ModelFailure) this.#failRun(error.message, error.code);
      else {
        this.#environment.onInternalError(error);
        this.#failRun('The server had an error while processing the run.');
      }
    } catch (secondError) {
      this.#environment.onInternalError(secondError);
    }
  }

  async #askModel(): Promise<ModelStep> {
    const run = this.run;
    const messages = this.#input.thread.messages.values();
    const request: ModelRequest = {
      run,
      tools: run.tools ?? [],
      messages,
      steps: this.steps.values().filter((step) => step.status === 'completed'),
      answeredToolCalls: this.#input.answeredToolCalls ?? [],
      vectorStoreIds: this.#input.vectorStoreIds,
      codeInterpreterFileIds: this.#input.codeInterpreterFileIds ?? [],
      ...(this.#environment.readFile === undefined ? {} : { readFile: this.#environment.readFile }),
      signal: this.#stop.signal,
    };
    this.#count('prompt', [run.instructions ?? '', ...messages.map(messageText)].join('\n'));
    let step: ModelStep;
    try {
      step = await this.#untilInterrupted(Promise.resolve().then(() => this.#environment.model.nextStep(request)));
    } catch (error) {
      if (error instanceof RunInterrupted) throw error;
      throw modelFailure(error);
    }
    if (step.type === 'tool_calls' && step.toolCalls.length === 0) throw new ModelFailure('The model asked for a tool step without tool calls.');
    return step;
  }

  async #callTools(calls: readonly ModelToolCall[], usage: Usage | undefined): Promise<void> {
    const toolCalls: ServerToolCall[] = [];
    const step = this.#startStep({ type: 'tool_calls', tool_calls: toolCalls });
    if (usage !== undefined) this.#report(step, usage);
    const waitingFor: FunctionToolCall[] = [];
    for (const [index, call] of calls.entries()) {
      await this.#wait(this.#environment.pace.stepDelayMs);
      const context = this.#toolCallContext(step, toolCalls, index);
      switch (call.type) {
        case 'function':
          waitingFor.push(await callFunction(call, context));
          break;
        case 'code_interpreter':
          await this.#hostedTool(context.id, call.type, () => callCodeInterpreter(call, context));
          break;
        case 'file_search':
          await this.#hostedTool(context.id, call.type, () =>
            callFileSearch(call, context, fileSearchRanking(this.run.tools ?? []), (query, ranking) =>
              this.#environment.searchVectorStores(this.#input.vectorStoreIds, query, ranking),
            ),
          );
          break;
      }
    }
    await this.#wait(this.#environment.pace.stepDelayMs);
    if (waitingFor.length === 0) {
      this.#finishStep('thread.run.step.completed', { completed_at: nowSeconds() });
      return;
    }
    const arrived = this.#requireAction(waitingFor);
    // From the clock in ms: whole seconds on both sides would expire up to a second past `expires_at`.
    const expiresInMs = Math.max(0, (this.run.expires_at ?? nowSeconds()) * 1000 - Date.now());
    this.#expiry = setTimeout(() => this.#interrupt('expired'), expiresInMs);
    await this.#untilInterrupted(arrived);
    this.#toolOutputsArrived = undefined;
    await this.#wait(this.#environment.pace.stepDelayMs);
    this.#emitRun('thread.run.in_progress', {});
  }

  // A tool the server runs itself, traced from its start to its result (or what stopped it).
  async #hostedTool<Value>(id: string, type: 'code_interpreter' | 'file_search', work: () => Promise<Value>): Promise<Value> {
    const traced = this.#trace.hostedTool({ id, type });
    try {
      const value = await work();
      traced.end();
      return value;
    } catch (error) {
      traced.end(error);
      throw error;
    }
  }

  // Pauses the run for these calls' outputs; resolves when they arrive.
  #requireAction(waitingFor: readonly FunctionToolCall[]): Promise<void> {
    const arrived = new Promise<void>((resolve) => {
      this.#toolOutputsArrived = resolve;
    });
    this.#emitRun('thread.run.requires_action', {
      required_action: {
        type: 'submit_tool_outputs',
        submit_tool_outputs: {
          tool_calls: waitingFor.map((call) => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } })),
        },
      },
    });
    return arrived;
  }

  // A tool call's slot in the open step, with the run's pace and token count.
  #toolCallContext(step: RunStep, toolCalls: ServerToolCall[], index: number): ToolCallContext {
    return {
      index,
      id: newId('call_'),
      open: (toolCall, first) => {
        toolCalls.push(toolCall);
        this.#stepDelta(step, first);
      },
      delta: (delta) => this.#stepDelta(step, delta),
      fragmentPause: () => this.#wait(this.#deltaDelay()),
      stepPause: () => this.#wait(this.#environment.pace.stepDelayMs),
      countCompletion: (text) => this.#count('completion', text),
    };
  }

  // Writes the model's answer; true when the run ended with it (false: the model goes on).
  async #writeAnswer(answer: Extract<ModelStep, { type: 'message' }>): Promise<boolean> {
    const message = newAssistantMessage(this.run);
    const step = this.#startStep({ type: 'message_creation', message_creation: { message_id: message.id } });
    this.#input.thread.messages.set(message.id, message);
    this.#openMessage = message;
    this.log.append('thread.message.created', message);
    this.log.append('thread.message.in_progress', message);
    const content = { type: 'text' as const, text: { value: '', annotations: [] as ModelCitation[] } };

    const scenario = this.#input.scenario;
    let ending: ModelAnswerEnding;
    if (typeof answer.text === 'string') {
      const pieces = fragmentsOfText(answer.text);
      // A run that fails, expires or runs out of tokens does so halfway through its answer.
      const stopAfter = scenario === 'failed' || scenario === 'incomplete' || scenario === 'expired' ? Math.ceil(pieces.length / 2) : pieces.length;
      for (const piece of pieces.slice(0, stopAfter)) {
        await this.#wait(this.#deltaDelay());
        this.#appendText(message, content, piece, answer.annotations ?? []);
      }
      ending = { ...(answer.usage === undefined ? {} : { usage: answer.usage }), ...(scenario === 'incomplete' ? { incomplete: 'max_tokens' as const } : {}) };
    } else {
      ending = await this.#streamText(message, content, answer.text);
      if (ending.annotations !== undefined && ending.annotations.length > 0) this.#appendAnnotations(message, content, ending.annotations);
    }
    if (ending.usage === undefined) this.#count('completion', content.text.value);
    else this.#report(step, ending.usage);
    await this.#wait(this.#environment.pace.stepDelayMs);
    const now = nowSeconds();
    if (scenario === 'failed') {
      this.#failRun('The scripted scenario "failed" ended this run.');
      return true;
    }
    if (scenario === 'expired') {
      this.#wrapUp('expired');
      return true;
    }
    if (ending.incomplete !== undefined) {
      this.#finishMessage('thread.message.incomplete', { incomplete_at: now, incomplete_details: { reason: ending.incomplete } });
      this.#finishStep('thread.run.step.completed', { completed_at: now });
      this.#emitRun('thread.run.incomplete', { incomplete_details: { reason: 'max_completion_tokens' } });
      return true;
    }
    this.#finishMessage('thread.message.completed', { completed_at: now });
    this.#finishStep('thread.run.step.completed', { completed_at: now });
    if (ending.continues === true) return false;
    this.#emitRun('thread.run.completed', { completed_at: now });
    return true;
  }

  // One delta of answer text; citations ride on the delta that completes their marker.
  #appendText(message: Message, content: AnswerContent, piece: string, annotations: readonly ModelCitation[]): void {
    this.#outputStarted();
    const first = content.text.value === '';
    if (first) message.content.push(content);
    const start = content.text.value.length;
    content.text.value += piece;
    const completed = annotations.filter((annotation) => annotation.end_index > start && annotation.end_index <= content.text.value.length);
    const annotationDeltas = completed.map((annotation) => ({ index: content.text.annotations.length + completed.indexOf(annotation), ...annotation }));
    content.text.annotations.push(...completed);
    const textDelta = first || annotationDeltas.length > 0 ? { value: piece, annotations: annotationDeltas } : { value: piece };
    this.log.append('thread.message.delta', {
      id: message.id,
      object: 'thread.message.delta',
      delta: { content: [{ index: 0, type: 'text', text: textDelta }] },
    });
  }

  // Citations known only once a streamed answer is whole: one last delta carries them.
  #appendAnnotations(message: Message, content: AnswerContent, annotations: readonly ModelCitation[]): void {
    if (content.text.value === '') message.content.push(content);
    const annotationDeltas = annotations.map((annotation, offset) => ({ index: content.text.annotations.length + offset, ...annotation }));
    content.text.annotations.push(...annotations);
    this.log.append('thread.message.delta', {
      id: message.id,
      object: 'thread.message.delta',
      delta: { content: [{ index: 0, type: 'text', text: { value: '', annotations: annotationDeltas } }] },
    });
  }

  // A live model's answer, delta by delta as its backend sends them; a cancel closes the stream.
  async #streamText(message: Message, content: AnswerContent, text: ModelTextStream): Promise<ModelAnswerEnding> {
    try {
      for (;;) {
        let next: IteratorResult<string, ModelAnswerEnding | undefined>;
        try {
          next = await this.#untilInterrupted(text.next());
        } catch (error) {
          if (error instanceof RunInterrupted) throw error;
          throw modelFailure(error);
        }
        if (next.done === true) return next.value ?? {};
        if (next.value !== '') this.#appendText(message, content, next.value, []);
      }
    } catch (error) {
      void text.return(undefined).catch(() => undefined);
      throw error;
    }
  }

  // The backend's own count for a step: the step shows it, the run sums them.
  #report(step: RunStep, usage: Usage): void {
    this.#reportedStepUsage.set(step.id, usage);
    this.#environment.runObserver?.usage(usage);
    const total = this.#reportedUsage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    this.#reportedUsage = {
      prompt_tokens: total.prompt_tokens + usage.prompt_tokens,
      completion_tokens: total.completion_tokens + usage.completion_tokens,
      total_tokens: total.total_tokens + usage.total_tokens,
    };
  }

  // Ends a run the model or the server could not finish: what was in flight closes as failed.
  #failRun(message: string, code: ModelErrorCode = 'server_error'): void {
    const now = nowSeconds();
    const lastError = { code, message };
    this.#finishMessage('thread.message.incomplete', { incomplete_at: now, incomplete_details: { reason: 'run_failed' } });
    this.#finishStep('thread.run.step.failed', { failed_at: now, last_error: lastError });
    if (this.#actor.getSnapshot().can(this.#runEvent('thread.run.failed', {}))) {
      this.#emitRun('thread.run.failed', { failed_at: now, last_error: lastError, required_action: null });
    }
  }

  // Cancellation and expiry close the message and the step in flight, then the run.
  #wrapUp(reason: Interruption): void {
    if (reason === 'shutdown') return;
    if (reason === 'drained') {
      this.#failRun(ENDED_BY_SHUTDOWN.message);
      return;
    }
    const now = nowSeconds();
    if (reason === 'cancelled') {
      this.#finishMessage('thread.message.incomplete', { incomplete_at: now, incomplete_details: { reason: 'run_cancelled' } });
      this.#finishStep('thread.run.step.cancelled', { cancelled_at: now });
      this.#emitRun('thread.run.cancelled', { cancelled_at: now });
    } else {
      this.#finishMessage('thread.message.incomplete', { incomplete_at: now, incomplete_details: { reason: 'run_expired' } });
      this.#finishStep('thread.run.step.expired', { expired_at: now });
      this.#emitRun('thread.run.expired', { required_action: null });
    }
  }

  // The path-following backend: the script's statuses in order, each with the steps it implies
  // (see RunScript). The waits are the run's pace, before each `in_progress` only: what follows
  // `requires_action` happens at once, so outputs a client submits find the run already ended.
  async #follow(script: RunScript): Promise<void> {
    try {
      const { statuses } = script;
      let round = 0;
      await this.#wait(this.#environment.pace.stepDelayMs);
      for (let index = 0; index < statuses.length; index += 1) {
        const status = statuses[index]!;
        const next = statuses[index + 1];
        // `queued` is the submit's; `requires_action` the tool round's.
        if (status === 'queued' || status === 'requires_action') continue;
        if (status !== 'in_progress') {
          this.#endAsScripted(status, script);
          continue;
        }
        if (index > 0) await this.#wait(this.#environment.pace.stepDelayMs);
        this.#emitRun('thread.run.in_progress', this.run.started_at == null ? { started_at: nowSeconds() } : {});
        const calls = this.#scriptedCalls(script, next === 'requires_action' ? round++ : round);
        if (next === 'requires_action') {
          if (calls.length === 0) throw new ModelFailure(`The run script asks for function calls (round ${round}), but the run has no function tool and the script names none.`);
          await this.#scriptedToolRound(calls, statuses[index + 2] === 'queued');
        } else if ((next === 'cancelling' || next === 'cancelled') && calls.length > 0) await this.#cutToolCall(calls[0]!);
        // Without a function to cut off, a cancel cuts the answer off instead.
        else await this.#streamAnswer(script.text ?? (await this.#answerText()), next !== 'completed');
      }
    } catch (error) {
      this.#settle(error);
    }
  }

  async #scriptedToolRound(calls: readonly ScriptedToolCall[], waitForOutputs: boolean): Promise<void> {
    const toolCalls: ServerToolCall[] = [];
    const step = this.#startStep({ type: 'tool_calls', tool_calls: toolCalls });
    const waitingFor: FunctionToolCall[] = [];
    for (const [index, call] of calls.entries()) waitingFor.push(await callFunction(call, this.#toolCallContext(step, toolCalls, index)));
    const arrived = this.#requireAction(waitingFor);
    if (!waitForOutputs) return;
    await this.#untilInterrupted(arrived);
    this.#toolOutputsArrived = undefined;
  }

  // A tool step whose one function call stops halfway through its arguments.
  async #cutToolCall(call: ScriptedToolCall): Promise<void> {
    const toolCalls: ServerToolCall[] = [];
    const step = this.#startStep({ type: 'tool_calls', tool_calls: toolCalls });
    const half = call.arguments.slice(0, Math.ceil(call.arguments.length / 2));
    await callFunction({ name: call.name, arguments: half }, this.#toolCallContext(step, toolCalls, 0));
  }

  #scriptedCalls(script: RunScript, round: number): readonly ScriptedToolCall[] {
    const given = script.toolCalls?.[round];
    if (given !== undefined && given.length > 0) return given;
    const question = latestUserText(this.#input.thread.messages.values());
    const tools = this.run.tools ?? [];
    const named = namedFunctionTools(tools, question);
    const chosen = named.length > 0 ? named : tools.filter((tool) => tool.type === 'function').slice(0, 1);
    return chosen.map((tool) => ({ name: tool.function.name, arguments: JSON.stringify(fillArguments(tool.function.parameters, question)) }));
  }

  // The model's answer when it has one as text; a plain sentence when it would rather call a
  // tool (or streams its answer: a script's answer is cut at the middle of a known text).
  async #answerText(): Promise<string> {
    const step = await this.#askModel();
    return step.type === 'message' && typeof step.text === 'string' ? step.text : 'The scripted run answers without calling a tool.';
  }

  // Opens a message step and streams `text` into it (only its first half when `halfway`),
  // leaving both open for the run's ending to close.
  async #streamAnswer(text: string, halfway: boolean): Promise<void> {
    const message = newAssistantMessage(this.run);
    this.#startStep({ type: 'message_creation', message_creation: { message_id: message.id } });
    this.#input.thread.messages.set(message.id, message);
    this.#openMessage = message;
    this.log.append('thread.message.created', message);
    this.log.append('thread.message.in_progress', message);
    const content = { type: 'text' as const, text: { value: '', annotations: [] as ModelCitation[] } };
    const pieces = fragmentsOfText(text);
    for (const piece of pieces.slice(0, halfway ? Math.ceil(pieces.length / 2) : pieces.length)) {
      await this.#wait(this.#deltaDelay());
      this.#appendText(message, content, piece, []);
    }
    this.#count('completion', content.text.value);
  }

  // A scripted status after `in_progress` (or `requires_action`, `cancelling`): the message and
  // step in flight close the way the run's ending closes them.
  #endAsScripted(status: RunStatus, script: RunScript): void {
    const now = nowSeconds();
    switch (status) {
      case 'cancelling':
        this.#emitRun('thread.run.cancelling', { required_action: null });
        return;
      case 'completed':
        this.#finishMessage('thread.message.completed', { completed_at: now });
        this.#finishStep('thread.run.step.completed', { completed_at: now });
        this.#emitRun('thread.run.completed', { completed_at: now, required_action: null });
        return;
      case 'incomplete':
        this.#finishMessage('thread.message.incomplete', { incomplete_at: now, incomplete_details: { reason: 'max_tokens' } });
        this.#finishStep('thread.run.step.completed', { completed_at: now });
        this.#emitRun('thread.run.incomplete', { incomplete_details: { reason: 'max_completion_tokens' }, required_action: null });
        return;
      case 'failed': {
        const lastError = script.lastError ?? { code: 'server_error' as const, message: 'The run script ended this run as failed.' };
        this.#finishMessage('thread.message.incomplete', { incomplete_at: now, incomplete_details: { reason: 'run_failed' } });
        this.#finishStep('thread.run.step.failed', { failed_at: now, last_error: { code: 'server_error', message: lastError.message } });
        this.#emitRun('thread.run.failed', { failed_at: now, last_error: lastError as Run['last_error'], required_action: null });
        return;
      }
      case 'cancelled':
        this.#finishMessage('thread.message.incomplete', { incomplete_at: now, incomplete_details: { reason: 'run_cancelled' } });
        this.#finishStep('thread.run.step.cancelled', { cancelled_at: now });
        this.#emitRun('thread.run.cancelled', { cancelled_at: now, required_action: null });
        return;
      case 'expired':
        this.#finishMessage('thread.message.incomplete', { incomplete_at: now, incomplete_details: { reason: 'run_expired' } });
        this.#finishStep('thread.run.step.expired', { expired_at: now });
        this.#emitRun(runEventOf('expired'), { required_action: null });
        return;
      default:
        throw new Error(`run script: no ending for status '${status}'`);
    }
  }

  #startStep(details: RunStep['step_details']): RunStep {
    const step = newRunStep(this.run, details);
    this.steps.set(step.id, step);
    this.#openStep = step;
    this.#emitStep('thread.run.step.created', step);
    this.#emitStep('thread.run.step.in_progress', step);
    return step;
  }

  #stepDelta(step: RunStep, toolCall: ToolCallDelta): void {
    this.#outputStarted();
    this.log.append('thread.run.step.delta', {
      id: step.id,
      object: 'thread.run.step.delta',
      delta: { step_details: { type: 'tool_calls', tool_calls: [toolCall] } },
    });
  }

  #finishStep(event: Exclude<RunStepEventName, 'thread.run.step.created' | 'thread.run.step.in_progress' | 'thread.run.step.delta'>, changes: Partial<RunStep>): void {
    const step = this.#openStep;
    if (step === undefined) return;
    this.#openStep = undefined;
    Object.assign(step, changes, { status: event.slice('thread.run.step.'.length), usage: this.#stepUsage(step) });
    this.#emitStep(event, step);
  }

  #finishMessage(event: 'thread.message.completed' | 'thread.message.incomplete', changes: Partial<Message>): void {
    const message = this.#openMessage;
    if (message === undefined) return;
    this.#openMessage = undefined;
    Object.assign(message, changes, { status: event === 'thread.message.completed' ? 'completed' : 'incomplete' });
    this.log.append(event, message);
  }

  #emitStep(event: Exclude<RunStepEventName, 'thread.run.step.delta'>, step: RunStep): void {
    this.log.append(event, presentStep(step, this.#input.includeSearchContent));
    this.#trace.stepEvent(event, step);
  }

  #runEvent(type: RunEventName, changes: Partial<Run>): { type: RunEventName; data: Run; seq: number } {
    const status: RunStatus = type === 'thread.run.created' ? 'queued' : (type.slice('thread.run.'.length) as RunStatus);
    const terminal = (RUN_TERMINAL_STATUSES as readonly string[]).includes(status);
    const data: Run = {
      ...this.run,
      ...changes,
      status,
      // `usage` appears once the run is final; `expires_at` only matters while it can still expire.
      ...(terminal ? { usage: { ...(this.#reportedUsage ?? this.#usage) }, expires_at: status === 'expired' ? (this.run.expires_at ?? null) : null } : {}),
    };
    return { type, data, seq: this.log.length + 1 };
  }

  #outputStarted(): void {
    if (this.#producedOutput) return;
    this.#producedOutput = true;
    this.#environment.runObserver?.firstOutput(this.run);
  }

  // The one way the run's status changes: through the run statechart, then onto the wire.
  #emitRun(type: RunEventName, changes: Partial<Run>): void {
    const event = this.#runEvent(type, changes);
    const snapshot = this.#actor.getSnapshot();
    if (!snapshot.can(event)) throw new RunTransitionError(this.id, String(snapshot.value), type);
    this.#actor.send(event);
    this.log.append(type, event.data, STREAM_ENDING_EVENTS.has(type));
    this.#environment.runObserver?.status(event.data, type);
    this.#trace.runEvent(type, event.data);
    if ((RUN_TERMINAL_STATUSES as readonly string[]).includes(event.data.status)) this.#scheduleCompaction();
  }

  // Nothing re-attaches to a run long over; a server running for days must not keep every
  // delta of every run it ever served.
  #scheduleCompaction(): void {
    const compaction = setTimeout(() => {
      this.#timers.delete(compaction);
      this.log.compact();
    }, this.#environment.eventLogRetentionMs);
    compaction.unref?.();
    this.#timers.add(compaction);
  }

  #count(kind: 'prompt' | 'completion', text: string): void {
    const tokens = estimateTokens(text);
    if (kind === 'prompt') this.#usage.prompt_tokens += tokens;
    else this.#usage.completion_tokens += tokens;
    this.#usage.total_tokens = this.#usage.prompt_tokens + this.#usage.completion_tokens;
  }

  #stepUsage(step: RunStep): Usage {
    const reported = this.#reportedStepUsage.get(step.id);
    if (reported !== undefined) return reported;
    const details = step.step_details;
    const produced =
      details.type === 'message_creation'
        ? (this.#openMessage ?? this.#input.thread.messages.get(details.message_creation.message_id))?.content.map(contentText).join('') ?? ''
        : details.tool_calls.map((call) => JSON.stringify(call)).join('');
    const completion = estimateTokens(produced);
    return { prompt_tokens: this.#usage.prompt_tokens, completion_tokens: completion, total_tokens: this.#usage.prompt_tokens + completion };
  }

  #deltaDelay(): number {
    return this.#input.scenario === 'slow' ? Math.max(SLOW_DELTA_DELAY_MS, this.#environment.pace.deltaDelayMs) : this.#environment.pace.deltaDelayMs;
  }

  #interrupt(reason: Interruption): void {
    // A paused run that is cancelled no longer expires (its timer would hold the process for the rest of the wait).
    clearTimeout(this.#expiry);
    if (!this.#stop.signal.aborted) this.#stop.abort(new RunInterrupted(reason));
  }

  // A pause between two events; rejects with the interruption if the run is stopped meanwhile.
  // A zero pause still yields to the event loop, so a thousand runs take turns.
  #wait(ms: number): Promise<void> {
    return this.#untilInterrupted(
      new Promise<void>((resolve) => {
        if (ms <= 0) {
          setImmediate(resolve);
          return;
        }
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          resolve();
        }, ms);
        this.#timers.add(timer);
      }),
    );
  }

  #untilInterrupted<Value>(work: Promise<Value>): Promise<Value> {
    const signal = this.#stop.signal;
    if (signal.aborted) return Promise.reject(signal.reason as RunInterrupted);
    return new Promise<Value>((resolve, reject) => {
      const onAbort = () => reject(signal.reason as RunInterrupted);
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

type AnswerContent = { type: 'text'; text: { value: string; annotations: ModelCitation[] } };

/** Cuts an answer into word-sized deltas, each word with the spacing after it (a marker stays whole). */
function fragmentsOfText(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
}

function contentText(part: Message['content'][number]): string {
  return part.type === 'text' ? part.text.value : '';
}

function messageText(message: Message): string {
  return message.content.map(contentText).join('\n');
}
