// The server's hooks (./hooks.ts) as OpenTelemetry spans and metrics. Only `assistant-machines/otel`
// loads this file (through createTelemetry().server): the server itself never imports it, so it
// runs without any OpenTelemetry package when nobody asks for telemetry.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type TextMapGetter } from '@opentelemetry/api';
import { errorType, finishReason, runErrorType } from '../../otel/outcome.ts';
import { defined, serverAttributes, spanName, type RunTraceSetup } from '../../otel/runTrace.ts';
import { ATTR, VALUE } from '../../otel/semconv.ts';
import { RUN_TERMINAL_STATUSES, type Run, type RunStep } from '../../wire/index.ts';
import type { RequestHandler, RunTelemetry, ServerTelemetry, UpstreamCallTelemetry, UpstreamTelemetry } from './hooks.ts';

const HEADERS_GETTER: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

const STEP_ENDINGS: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'expired']);

/**
 * The embedded server's telemetry: a SERVER span per request (continuing the caller's trace),
 * an `invoke_agent` span per run it executes (its steps and hosted tools as children, its
 * status changes as events), and a `chat {model}` CLIENT span per call to a live model (which
 * carries `traceparent` on to the model API) with the GenAI client metrics. No content.
 *
 * @example `createServer({ telemetry: createServerTelemetry(setup) })` — use `createTelemetry().server`.
 */
export function createServerTelemetry(setup: RunTraceSetup): ServerTelemetry {
  return {
    traceRequests: (handler) => traceRequests(setup, handler),
    traceRun: (run) => traceRun(setup, run),
    upstream: upstreamTelemetry(setup),
  };
}

function traceRequests(setup: RunTraceSetup, handler: RequestHandler): RequestHandler {
  return async (request, env) => {
    const url = new URL(request.url);
    const route = routeOf(url.pathname);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, HEADERS_GETTER);
    const span = setup.tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR.httpRequestMethod]: request.method,
          [ATTR.httpRoute]: route,
          [ATTR.urlPath]: url.pathname,
          [ATTR.urlScheme]: url.protocol.replace(/:$/, ''),
          ...serverAttributes(url.origin),
        },
      },
      parent,
    );
    let response: Response;
    try {
      response = await context.with(trace.setSpan(parent, span), () => handler(request, env));
    } catch (error) {
      span.setAttribute(ATTR.errorType, errorType(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw error;
    }
    span.setAttribute(ATTR.httpResponseStatusCode, response.status);
    // The id the client keeps of this answer (its errors carry it): what joins a report to this span.
    const requestId = response.headers.get('x-request-id');
    if (requestId !== null) span.setAttribute(ATTR.httpResponseRequestId, [requestId]);
    if (response.status >= 500) {
      span.setAttribute(ATTR.errorType, String(response.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    // The request is served once its answer is sent: a stream's when the stream ends.
    const outgoing = (env as { outgoing?: { once(event: 'close', listener: () => void): unknown; closed?: boolean } } | undefined)?.outgoing;
    if (outgoing === undefined || outgoing.closed === true) span.end();
    else outgoing.once('close', () => span.end());
    return response;
  };
}

// The Assistants and Responses paths with their ids as placeholders (`/v1/threads/{thread_id}/runs`):
// a span name must not grow with every id.
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  assistants: '{assistant_id}',
  threads: '{thread_id}',
  runs: '{run_id}',
  steps: '{step_id}',
  messages: '{message_id}',
  files: '{file_id}',
  vector_stores: '{vector_store_id}',
  file_batches: '{batch_id}',
  responses: '{response_id}',
  conversations: '{conversation_id}',
  items: '{item_id}',
};

/**
 * A request path as its route: every id after a collection is that collection's placeholder.
 *
 * @example `routeOf('/v1/threads/thread_1/runs/run_2/steps') // '/v1/threads/{thread_id}/runs/{run_id}/steps'`
 */
export function routeOf(pathname: string): string {
  const segments = pathname.split('/');
  return segments
    .map((segment, index) => {
      const placeholder = index > 0 ? PLACEHOLDERS[segments[index - 1]!] : undefined;
      return placeholder !== undefined && segment !== '' && PLACEHOLDERS[segment] === undefined ? placeholder : segment;
    })
    .join('/');
}

function traceRun(setup: RunTraceSetup, run: Run): RunTelemetry {
  const parent = context.active();
  const span = setup.tracer.startSpan(
    spanName(VALUE.invokeAgent, undefined),
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR.operationName]: VALUE.invokeAgent,
        [ATTR.providerName]: setup.providerName,
        [ATTR.responseId]: run.id,
        ...defined(ATTR.agentId, run.assistant_id),
        ...defined(ATTR.conversationId, run.thread_id),
        ...defined(ATTR.requestModel, run.model),
      },
    },
    parent,
  );
  const within = trace.setSpan(parent, span);
  const steps = new Map<string, Span>();
  let openToolStep: Span | undefined;
  let status: string | undefined;
  let ended = false;
  const end = (attributes: Attributes, failed: boolean) => {
    if (ended) return;
    ended = true;
    for (const step of steps.values()) step.end();
    span.setAttributes(attributes);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  return {
    within: (work) => context.with(within, work),
    runEvent(type, current) {
      if (ended || current.status === status) return;
      status = current.status;
      span.addEvent(`run.${current.status}`, { [ATTR.chart]: 'run', [ATTR.state]: current.status });
      if (!(RUN_TERMINAL_STATUSES as readonly string[]).includes(current.status)) return;
      const failure = runErrorType(current);
      end(
        {
          [ATTR.responseFinishReasons]: [finishReason(current)],
          ...(current.usage == null ? {} : { [ATTR.usageInputTokens]: current.usage.prompt_tokens, [ATTR.usageOutputTokens]: current.usage.completion_tokens }),
          ...(failure === undefined ? {} : { [ATTR.errorType]: failure }),
        },
        failure !== undefined,
      );
    },
    stepEvent(type, step) {
      if (ended) return;
      if (type === 'thread.run.step.created') {
        const stepSpan = setup.tracer.startSpan(
          `run_step ${step.type}`,
          { kind: SpanKind.INTERNAL, attributes: { [ATTR.runStepId]: step.id, [ATTR.runStepType]: step.type, [ATTR.runStepStatus]: step.status } },
          within,
        );
        steps.set(step.id, stepSpan);
        if (step.type === 'tool_calls') openToolStep = stepSpan;
        return;
      }
      const stepSpan = steps.get(step.id);
      if (stepSpan === undefined) return;
      stepSpan.addEvent(`runStep.${step.status}`, { [ATTR.chart]: 'runStep', [ATTR.state]: step.status });
      if (!STEP_ENDINGS.has(step.status)) return;
      endStep(stepSpan, step);
      steps.delete(step.id);
      if (openToolStep === stepSpan) openToolStep = undefined;
    },
    hostedTool({ id, type }) {
      const tool = setup.tracer.startSpan(
        `${VALUE.executeTool} ${type}`,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            [ATTR.operationName]: VALUE.executeTool,
            [ATTR.providerName]: setup.providerName,
            [ATTR.toolName]: type,
            [ATTR.toolCallId]: id,
            [ATTR.toolType]: type === 'file_search' ? 'datastore' : 'extension',
          },
        },
        openToolStep === undefined ? within : trace.setSpan(parent, openToolStep),
      );
      return {
        end(error?: unknown) {
          if (error !== undefined) {
            tool.setAttribute(ATTR.errorType, errorType(error));
            tool.setStatus({ code: SpanStatusCode.ERROR });
          }
          tool.end();
        },
      };
    },
    abandon() {
      end({ [ATTR.errorType]: 'server_shutdown' }, true);
    },
  };
}

function endStep(span: Span, step: RunStep): void {
  span.setAttribute(ATTR.runStepStatus, step.status);
  if (step.usage != null) span.setAttributes({ [ATTR.usageInputTokens]: step.usage.prompt_tokens, [ATTR.usageOutputTokens]: step.usage.completion_tokens });
  if (step.status === 'failed') {
    span.setAttribute(ATTR.errorType, step.last_error?.code ?? VALUE.otherError);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function upstreamTelemetry(setup: RunTraceSetup): UpstreamTelemetry {
  return {
    call({ baseURL, path, body }): UpstreamCallTelemetry {
      const requestModel = typeof (body as { model?: unknown })?.model === 'string' ? (body as { model: string }).model : undefined;
      const base: Attributes = {
        [ATTR.operationName]: VALUE.chat,
        [ATTR.providerName]: setup.providerName,
        ...defined(ATTR.requestModel, requestModel),
        ...serverAttributes(baseURL),
      };
      const parent = context.active();
      const span = setup.tracer.startSpan(spanName(VALUE.chat, requestModel), { kind: SpanKind.CLIENT, attributes: { ...base, [ATTR.requestStream]: true, [ATTR.urlPath]: path } }, parent);
      const startedAt = performance.now();
      const answer = new UpstreamAnswer();
      let lastChunkAt: number | undefined;
      let ended = false;
      return {
        headers() {
          const carrier: Record<string, string> = {};
          propagation.inject(trace.setSpan(parent, span), carrier);
          return carrier;
        },
        event(event) {
          if (ended) return;
          const output = answer.read(event.data);
          // The model may stop reading once the answer says it is over: that is the call's end.
          if (answer.over) this.end();
          if (!output) return;
          const now = performance.now();
          if (lastChunkAt === undefined) {
            span.setAttribute(ATTR.responseTimeToFirstChunk, (now - startedAt) / 1000);
            setup.instruments.timeToFirstChunk.record((now - startedAt) / 1000, base);
          } else setup.instruments.timePerOutputChunk.record((now - lastChunkAt) / 1000, base);
          lastChunkAt = now;
        },
        end(error) {
          if (ended) return;
          ended = true;
          const failure = error === undefined ? undefined : errorType(error);
          const attributes: Attributes = { ...answer.attributes(), ...(failure === undefined ? {} : { [ATTR.errorType]: failure }) };
          span.setAttributes(attributes);
          if (failure !== undefined) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
          const metricAttributes = { ...base, ...defined(ATTR.responseModel, answer.model), ...(failure === undefined ? {} : { [ATTR.errorType]: failure }) };
          setup.instruments.operationDuration.record((performance.now() - startedAt) / 1000, metricAttributes);
          if (answer.usage !== undefined) {
            setup.instruments.tokenUsage.record(answer.usage.input, { ...metricAttributes, [ATTR.tokenType]: VALUE.input });
            setup.instruments.tokenUsage.record(answer.usage.output, { ...metricAttributes, [ATTR.tokenType]: VALUE.output });
          }
        },
      };
    },
  };
}

/**
 * What the events of a model's streamed answer say about it, in either protocol the live model
 * speaks: the response's id and model, its usage and why it stopped (Responses: the
 * `response.*` lifecycle events; Chat Completions: the chunks' `id`, `model`, `usage`,
 * `finish_reason`). Nothing of the content is kept.
 */
class UpstreamAnswer {
  id: string | undefined;
  model: string | undefined;
  usage: { input: number; output: number } | undefined;
  finishReasons: string[] = [];
  /** A Responses answer's last event (`response.completed`, `.incomplete`, `.failed`) was read. */
  over = false;

  /** Reads one event; true when it carried output (a chunk of text or arguments). */
  read(data: unknown): boolean {
    if (typeof data !== 'object' || data === null) return false;
    const event = data as Record<string, unknown>;
    if (typeof event['type'] === 'string') return this.#readResponses(event);
    return this.#readChat(event);
  }

  #readResponses(event: Record<string, unknown>): boolean {
    const type = event['type'] as string;
    const response = event['response'] as { id?: unknown; model?: unknown; status?: unknown; usage?: { input_tokens?: unknown; output_tokens?: unknown } | null; incomplete_details?: { reason?: string } | null } | undefined;
    if (response !== undefined) {
      if (typeof response.id === 'string') this.id = response.id;
      if (typeof response.model === 'string') this.model = response.model;
      this.#noteUsage(response.usage?.input_tokens, response.usage?.output_tokens);
      if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
        this.over = true;
        this.finishReasons = [typeof response.status === 'string' ? finishReason({ status: response.status, incomplete_details: response.incomplete_details }) : 'unknown'];
      }
    }
    return type.endsWith('.delta');
  }

  #readChat(event: Record<string, unknown>): boolean {
    if (typeof event['id'] === 'string') this.id = event['id'];
    if (typeof event['model'] === 'string') this.model = event['model'];
    const usage = event['usage'] as { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined;
    this.#noteUsage(usage?.prompt_tokens, usage?.completion_tokens);
    let output = false;
    for (const choice of (event['choices'] as Array<{ delta?: { content?: unknown; tool_calls?: unknown }; finish_reason?: unknown }> | undefined) ?? []) {
      if (typeof choice.finish_reason === 'string') this.finishReasons.push(choice.finish_reason);
      if ((typeof choice.delta?.content === 'string' && choice.delta.content !== '') || choice.delta?.tool_calls !== undefined) output = true;
    }
    return output;
  }

  #noteUsage(input: unknown, output: unknown): void {
    if (typeof input === 'number' && typeof output === 'number') this.usage = { input, output };
  }

  attributes(): Attributes {
    return {
      ...defined(ATTR.responseId, this.id),
      ...defined(ATTR.responseModel, this.model),
      ...(this.finishReasons.length === 0 ? {} : { [ATTR.responseFinishReasons]: this.finishReasons }),
      ...(this.usage === undefined ? {} : { [ATTR.usageInputTokens]: this.usage.input, [ATTR.usageOutputTokens]: this.usage.output }),
    };
  }
}
