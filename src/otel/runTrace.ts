import { SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Message, RequiredActionFunctionToolCall, ResponseObject, Run, RunStep, ToolCall } from '../wire/index.ts';
import { genAIMessage, inputMessages, type GenAIMessage } from './content.ts';
import type { GenAIInstruments } from './instruments.ts';
import { errorType, finishReason, runErrorType } from './outcome.ts';
import { ATTR, VALUE } from './semconv.ts';

/** What the application knows of a traced run that its lifecycle does not say. */
export interface TraceDetails {
  /** `gen_ai.agent.name` (the span is `invoke_agent {name}`): the assistant's name. */
  agentName?: string | undefined;
  /** `gen_ai.agent.id`, when the run does not say it first (an assistant id). */
  agentId?: string | undefined;
  /** `gen_ai.conversation.id`, when the run does not say it first (a thread or conversation id). */
  conversationId?: string | undefined;
  /** `gen_ai.request.model`, known at the start (the run's own model is used otherwise). */
  model?: string | undefined;
  /** The client's base URL: `server.address` and `server.port`. */
  baseURL?: string | undefined;
  /** With `captureContent`: the run's instructions, as `gen_ai.system_instructions`. */
  instructions?: string | undefined;
  /** With `captureContent`: the messages sent with the run, as `gen_ai.input.messages`. */
  inputMessages?: ReadonlyArray<{ role: string; content: unknown }> | undefined;
}

/** What every traced run shares: where spans and metrics go, and what they may carry. */
export interface RunTraceSetup {
  tracer: Tracer;
  instruments: GenAIInstruments;
  /** Message contents, instructions and tool arguments and results on spans (opt-in). */
  captureContent: boolean;
  /** `gen_ai.provider.name`. */
  providerName: string;
}

/** How a traced run ended. */
export interface RunEnding {
  /** The run as last seen (its status, usage and error). */
  run?: Run | undefined;
  /** A Responses stream's response as last seen. */
  response?: ResponseObject | undefined;
  /** What failed the stream, actor or poll (a run that ended `failed` is not one). */
  error?: unknown;
  /**
   * Whether the operation ended here (default true): its metrics are recorded. False for a
   * durable run's attempt that did not end the run (Restate retries or resumes it elsewhere).
   */
  recordMetrics?: boolean | undefined;
}

/**
 * The spans and metrics of one run, fed by the lifecycle of whatever follows it (a stream's
 * callbacks, an assistantRun actor's progress, a poll's snapshots): an `invoke_agent` span
 * (CLIENT: the agent runs on a remote backend; `chat` for a Responses stream), a child span per
 * run step, an `execute_tool` span per function call run here, and the charts' transitions as
 * span events. Never per delta: deltas only count output chunks, and only when metrics are on.
 */
export class RunTrace {
  readonly span: Span;
  /** The span's context: what requests made for this run carry (`traceparent`). */
  readonly context: Context;
  readonly #setup: RunTraceSetup;
  readonly #details: TraceDetails;
  readonly #startedAt = performance.now();
  readonly #steps = new Map<string, Span>();
  /** Which step span a message belongs to (its `message_creation` step). */
  readonly #messageSteps = new Map<string, Span>();
  readonly #tools = new Map<string, Span>();
  readonly #outputMessages: GenAIMessage[] = [];
  #operation: string = VALUE.invokeAgent;
  #run: Run | undefined;
  #response: ResponseObject | undefined;
  #lastStatus: string | undefined;
  #lastChunkAt: number | undefined;
  #chunks = 0;
  #chunkPending = false;
  #ended = false;
  /** Attributes every transition event gets besides its chart and state (a durable run marks those it replays). */
  transitionAttributes: (() => Attributes | undefined) | undefined;

  constructor(setup: RunTraceSetup, details: TraceDetails, parent: Context, { streaming }: { streaming: boolean }) {
    this.#setup = setup;
    this.#details = details;
    this.span = setup.tracer.startSpan(spanName(VALUE.invokeAgent, details.agentName), { kind: SpanKind.CLIENT, attributes: this.#startAttributes(streaming) }, parent);
    this.context = trace.setSpan(parent, this.span);
  }

  #startAttributes(streaming: boolean): Attributes {
    const details = this.#details;
    const attributes: Attributes = {
      [ATTR.operationName]: VALUE.invokeAgent,
      [ATTR.providerName]: this.#setup.providerName,
      [ATTR.requestStream]: streaming,
      ...defined(ATTR.agentName, details.agentName),
      ...defined(ATTR.agentId, details.agentId),
      ...defined(ATTR.conversationId, details.conversationId),
      ...defined(ATTR.requestModel, details.model),
      ...serverAttributes(details.baseURL),
    };
    if (this.#setup.captureContent) {
      if (details.instructions !== undefined) attributes[ATTR.systemInstructions] = JSON.stringify([{ type: 'text', content: details.instructions }]);
      if (details.inputMessages !== undefined) attributes[ATTR.inputMessages] = JSON.stringify(inputMessages(details.inputMessages));
    }
    return attributes;
  }

  /**
   * With `captureContent`, what the run was started with, when only its follower knows it (an
   * assistantRun actor's input): `gen_ai.system_instructions` and `gen_ai.input.messages`, unless
   * `details` gave them.
   */
  input(instructions: string | null | undefined, messages: ReadonlyArray<{ role: string; content: unknown }> | null | undefined): void {
    if (!this.#setup.captureContent || this.#ended) return;
    if (this.#details.instructions === undefined && typeof instructions === 'string') {
      this.span.setAttribute(ATTR.systemInstructions, JSON.stringify([{ type: 'text', content: instructions }]));
    }
    if (this.#details.inputMessages === undefined && messages != null) this.span.setAttribute(ATTR.inputMessages, JSON.stringify(inputMessages(messages)));
  }

  /** The run as the run chart holds it: its ids once, and the state it entered (its status) as a transition. */
  run(run: Run, state: string = run.status): void {
    if (this.#ended) return;
    // A Responses stream's run is its response's: the ids are the response's (see `response`).
    if (this.#run === undefined && this.#response === undefined) {
      this.span.setAttributes({
        [ATTR.responseId]: run.id,
        ...defined(ATTR.agentId, this.#details.agentId ?? run.assistant_id),
        ...defined(ATTR.conversationId, this.#details.conversationId ?? run.thread_id),
        ...defined(ATTR.requestModel, this.#details.model ?? run.model),
      });
    }
    this.#run = run;
    if (state !== this.#lastStatus) {
      this.#lastStatus = state;
      this.transition('run', state);
    }
  }

  /** A Responses stream's response: the operation is `chat` (an inference, not an agent), its ids are the response's. */
  response(response: ResponseObject): void {
    if (this.#ended) return;
    if (this.#response === undefined) {
      this.#operation = VALUE.chat;
      const model = this.#details.model ?? response.model;
      this.span.updateName(spanName(VALUE.chat, model));
      this.span.setAttributes({
        [ATTR.operationName]: VALUE.chat,
        [ATTR.responseId]: response.id,
        ...defined(ATTR.requestModel, model),
        ...defined(ATTR.conversationId, this.#details.conversationId ?? response.conversation?.id),
      });
    }
    this.#response = response;
  }

  /** A step began: its span, a child of the run's. */
  stepCreated(step: RunStep): void {
    if (this.#ended || this.#steps.has(step.id)) return;
    const span = this.#setup.tracer.startSpan(
      `run_step ${step.type}`,
      { kind: SpanKind.INTERNAL, attributes: { [ATTR.runStepId]: step.id, [ATTR.runStepType]: step.type, [ATTR.runStepStatus]: step.status } },
      this.context,
    );
    this.#steps.set(step.id, span);
    if (step.step_details.type === 'message_creation') this.#messageSteps.set(step.step_details.message_creation.message_id, span);
    span.addEvent(`runStep.${step.status}`, { [ATTR.chart]: 'runStep', [ATTR.state]: step.status });
  }

  /** A step ended: its status, usage and error on its span, which ends. */
  stepDone(step: RunStep): void {
    const span = this.#steps.get(step.id);
    if (span === undefined) return;
    this.#steps.delete(step.id);
    span.addEvent(`runStep.${step.status}`, { [ATTR.chart]: 'runStep', [ATTR.state]: step.status });
    span.setAttribute(ATTR.runStepStatus, step.status);
    if (step.usage != null) span.setAttributes({ [ATTR.usageInputTokens]: step.usage.prompt_tokens, [ATTR.usageOutputTokens]: step.usage.completion_tokens });
    if (step.status === 'failed') {
      span.setAttribute(ATTR.errorType, step.last_error?.code ?? VALUE.otherError);
      span.setStatus({ code: SpanStatusCode.ERROR, ...(step.last_error?.message === undefined ? {} : { message: step.last_error.message }) });
    }
    span.end();
  }

  /** A message's transition, as an event of its step's span (the run's when its step is unknown). */
  message(message: Message, state: string): void {
    if (this.#ended) return;
    const span = this.#messageSteps.get(message.id) ?? this.span;
    span.addEvent(`message.${state}`, { [ATTR.chart]: 'message', [ATTR.state]: state, [ATTR.messageId]: message.id });
    if (state !== 'created' && state !== 'in_progress' && message.role === 'assistant' && this.#setup.captureContent) {
      this.#outputMessages.push(genAIMessage(message, state === 'completed' ? 'stop' : 'length'));
    }
  }

  /** A tool call the stream carried (one the backend runs, or a function for the client), as an event of its step's span. */
  toolCall(stepId: string | undefined, toolCall: ToolCall, state: string): void {
    if (this.#ended) return;
    const span = (stepId === undefined ? undefined : this.#steps.get(stepId)) ?? this.span;
    span.addEvent(`toolCall.${state}`, {
      [ATTR.chart]: 'toolCall',
      [ATTR.state]: state,
      [ATTR.toolType]: toolCall.type === 'function' ? 'function' : toolCall.type === 'file_search' ? 'datastore' : 'extension',
      [ATTR.toolName]: toolCall.type === 'function' ? toolCall.function.name : toolCall.type,
      ...defined(ATTR.toolCallId, toolCall.id),
    });
  }

  /** A function call this process runs: its `execute_tool` span starts (a child of the run's); its context, to run the tool in. */
  toolStarted(toolCall: RequiredActionFunctionToolCall): Context | undefined {
    if (this.#ended || this.#tools.has(toolCall.id)) return undefined;
    const span = startToolSpan(this.#setup, toolCall, this.context);
    this.#tools.set(toolCall.id, span);
    return trace.setSpan(this.context, span);
  }

  /** …and ends, with its result (content) or what it threw. */
  toolEnded(toolCall: RequiredActionFunctionToolCall, output: string, error?: unknown): void {
    const span = this.#tools.get(toolCall.id);
    if (span === undefined) return;
    this.#tools.delete(toolCall.id);
    endToolSpan(this.#setup, span, output, error);
  }

  /** A transition of one of the charts, as an event of the run's span. */
  transition(chart: string, state: string, attributes: Attributes = {}): void {
    if (this.#ended) return;
    this.span.addEvent(`${chart}.${state}`, { [ATTR.chart]: chart, [ATTR.state]: state, ...this.transitionAttributes?.(), ...attributes });
  }

  /**
   * An output delta arrived. Deltas that arrive in one read of the stream are one chunk: the
   * chunk is timed once the read's deltas are delivered (they are, synchronously, before the
   * next read), so this costs a flag test per delta and a histogram record per chunk.
   */
  chunk(): void {
    if (this.#chunkPending || this.#ended) return;
    this.#chunkPending = true;
    queueMicrotask(this.#closeChunk);
  }

  readonly #closeChunk = () => {
    if (!this.#chunkPending) return;
    this.#chunkPending = false;
    const now = performance.now();
    const { instruments } = this.#setup;
    if (this.#lastChunkAt === undefined) {
      const seconds = (now - this.#startedAt) / 1000;
      this.span.setAttribute(ATTR.responseTimeToFirstChunk, seconds);
      instruments.timeToFirstChunk.record(seconds, this.#metricAttributes());
    } else {
      instruments.timePerOutputChunk.record((now - this.#lastChunkAt) / 1000, this.#metricAttributes());
    }
    this.#lastChunkAt = now;
    this.#chunks += 1;
  };

  /** Whether the span has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Whether deltas are worth counting: only the metrics use them. */
  get timesChunks(): boolean {
    return this.#setup.instruments.live;
  }

  /** Ends the run's span (and any step or tool span still open) with the outcome, and records the metrics. Once. */
  end({ run = this.#run, response = this.#response, error, recordMetrics = true }: RunEnding = {}): void {
    if (this.#ended) return;
    this.#closeChunk();
    if (response !== undefined) this.response(response);
    else if (run !== undefined && run !== this.#run) this.run(run);
    this.#ended = true;
    const usage = response?.usage != null ? { input: response.usage.input_tokens, output: response.usage.output_tokens } : run?.usage != null ? { input: run.usage.prompt_tokens, output: run.usage.completion_tokens } : undefined;
    const ended = response ?? run;
    const failure = error !== undefined ? errorType(error) : ended === undefined ? undefined : runErrorType(ended);
    const attributes: Attributes = {};
    if (ended !== undefined) attributes[ATTR.responseFinishReasons] = [finishReason(ended)];
    if (response !== undefined) attributes[ATTR.responseModel] = response.model;
    if (usage !== undefined) Object.assign(attributes, { [ATTR.usageInputTokens]: usage.input, [ATTR.usageOutputTokens]: usage.output });
    if (this.#chunks > 0) attributes[ATTR.outputChunks] = this.#chunks;
    if (failure !== undefined) attributes[ATTR.errorType] = failure;
    if (this.#setup.captureContent && this.#outputMessages.length > 0) attributes[ATTR.outputMessages] = JSON.stringify(this.#outputMessages);
    this.span.setAttributes(attributes);
    if (failure !== undefined) {
      const message = error instanceof Error ? error.message : (response?.error?.message ?? run?.last_error?.message);
      this.span.setStatus({ code: SpanStatusCode.ERROR, ...(message === undefined ? {} : { message }) });
    }
    const now = performance.now();
    for (const span of this.#steps.values()) span.end();
    for (const span of this.#tools.values()) endToolSpan(this.#setup, span, '', new Error('the run ended before the tool did'));
    this.#steps.clear();
    this.#tools.clear();
    this.span.end();
    if (!recordMetrics) return;

    const metricAttributes = { ...this.#metricAttributes(), ...(failure === undefined ? {} : { [ATTR.errorType]: failure }) };
    this.#setup.instruments.operationDuration.record((now - this.#startedAt) / 1000, metricAttributes);
    if (usage !== undefined) {
      this.#setup.instruments.tokenUsage.record(usage.input, { ...metricAttributes, [ATTR.tokenType]: VALUE.input });
      this.#setup.instruments.tokenUsage.record(usage.output, { ...metricAttributes, [ATTR.tokenType]: VALUE.output });
    }
  }

  #metricAttributes(): Attributes {
    const model = this.#details.model ?? this.#response?.model ?? this.#run?.model;
    return {
      [ATTR.operationName]: this.#operation,
      [ATTR.providerName]: this.#setup.providerName,
      ...defined(ATTR.requestModel, model),
      ...(this.#response === undefined ? {} : { [ATTR.responseModel]: this.#response.model }),
      ...serverAttributes(this.#details.baseURL),
    };
  }
}

/**
 * An `execute_tool {name}` span for a function call run here: INTERNAL, with the call's id, and
 * its arguments only with `captureContent`.
 *
 * @example `const span = startToolSpan(setup, toolCall, trace.setSpan(context.active(), runSpan));`
 */
export function startToolSpan(setup: RunTraceSetup, toolCall: RequiredActionFunctionToolCall, parent: Context): Span {
  const attributes: Attributes = {
    [ATTR.operationName]: VALUE.executeTool,
    [ATTR.providerName]: setup.providerName,
    [ATTR.toolName]: toolCall.function.name,
    [ATTR.toolCallId]: toolCall.id,
    [ATTR.toolType]: 'function',
  };
  if (setup.captureContent) attributes[ATTR.toolCallArguments] = toolCall.function.arguments;
  return setup.tracer.startSpan(`${VALUE.executeTool} ${toolCall.function.name}`, { kind: SpanKind.INTERNAL, attributes }, parent);
}

/**
 * Ends an `execute_tool` span: its result with `captureContent`; what the tool threw as
 * `error.type`, an exception event and the error status.
 *
 * @example `endToolSpan(setup, span, output, thrown);`
 */
export function endToolSpan(setup: RunTraceSetup, span: Span, output: string, error?: unknown): void {
  if (setup.captureContent && error === undefined) span.setAttribute(ATTR.toolCallResult, output);
  if (error !== undefined) {
    span.setAttribute(ATTR.errorType, errorType(error));
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** `{operation} {name}`, or the operation alone when nothing names it (the conventions' span name). */
export function spanName(operation: string, name: string | undefined): string {
  return name === undefined || name === '' ? operation : `${operation} ${name}`;
}

/** `server.address` and `server.port` of a base URL (the scheme's default port when none is written). */
export function serverAttributes(baseURL: string | undefined): Attributes {
  if (baseURL === undefined) return {};
  try {
    const url = new URL(baseURL);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return { [ATTR.serverAddress]: url.hostname.replace(/^\[|\]$/g, ''), [ATTR.serverPort]: port };
  } catch {
    return {};
  }
}

/** `{ [name]: value }`, or nothing for a missing or empty value (an attribute is never empty). */
export function defined(name: string, value: string | undefined | null): Attributes {
  return value === undefined || value === null || value === '' ? {} : { [name]: value };
}
