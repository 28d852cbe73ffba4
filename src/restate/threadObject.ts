import * as restate from '@restatedev/restate-sdk';
import type { AssistantRunOutput } from '../../machines/assistantRun.ts';
import type { AssistantsClient } from '../client/AssistantsClient.ts';
import type { ResponsesRunMode } from '../workflow/responsesBackend.ts';
import type { ToolFunctions } from '../workflow/tools.ts';
import type { DurableRunEventListener } from './actors.ts';
import { CANCEL_SIGNAL, STATE, toolOutputsSignal, type DurableRunCommand, type DurableRunInput, type DurableRunState } from './protocol.ts';
import { runDurably } from './runDurably.ts';
import { ensurePromiseWithResolvers } from './node20.ts';
import type { DurableRunTelemetrySource } from './telemetry.ts';

/** The default name of the thread object (its path on Restate's ingress: `/assistantThread/<key>/run`). */
export const DEFAULT_THREAD_OBJECT_NAME = 'assistantThread';

/** Options of {@link createAssistantThreadObject}. */
export interface AssistantThreadObjectOptions {
  /** The object's name (default `assistantThread`). */
  name?: string | undefined;
  /** The client every request of every run goes through. */
  client: AssistantsClient;
  /** The function tools, by name: each call runs as a journaled step. Without them, a paused run waits for `send({ type: 'submitToolOutputs' })`. */
  tools?: ToolFunctions | undefined;
  /**
   * Run on the Responses API: the same as `createAssistantRun`'s option (`history` included), except
   * that each key's history is kept in the object's state (its `conversations` store is not used):
   * a key is a conversation — `conv_…` itself, or one made on the key's first run.
   */
  responses?: Omit<ResponsesRunMode, 'conversations'> | undefined;
  /** A stream that receives nothing for this long is treated as broken: the run is re-attached. */
  idleTimeoutMs?: number | undefined;
  /** Every stream event as the worker reads it (live: a replay does not repeat what was read before); one that throws is logged and ignored. */
  onEvent?: ((event: Parameters<DurableRunEventListener>[0], key: string) => void) | undefined;
  /**
   * Traces every run: `createTelemetry()` from `assistant-machines/otel`. Each attempt (each
   * execution of the `run` handler: the first, and one per retry or resumption) is an
   * `invoke_agent` span with an in-process run's attributes, spans for the steps it read and the
   * tools it executed (a tool whose result the journal replays gets none), the chart's transitions
   * as events (those replayed from the journal marked), and its requests carry `traceparent`
   * (give the `client` `fetch: telemetry.fetch()`). The span continues the `traceparent` the
   * invocation reached Restate's ingress with (docs/otel.md, "Durable runs on Restate").
   */
  telemetry?: DurableRunTelemetrySource | undefined;
  /** `gen_ai.agent.name` on each run's span (`invoke_agent {agentName}`), with `telemetry`. */
  agentName?: string | undefined;
  /** Restate's service options (retry policy, retention, timeouts) for the object. */
  options?: restate.ObjectOptions | undefined;
}

/**
 * A Restate virtual object that runs `createAssistantRun`'s chart durably, one object per thread
 * (on the Responses API: per conversation). Its exclusive `run` handler is the run — so one run at
 * a time per key holds across every worker of the cluster, later runs queued by Restate — with
 * every request, tool call and wait a journaled step: a worker that dies mid-run is replaced by
 * another that replays the journal and carries on; creates and submissions carry an
 * Idempotency-Key derived from the invocation, so a replay never makes a second run or a second
 * submission; a deadline is a durable timer. Shared handlers: `send` (`cancel`,
 * `submitToolOutputs`), `state`, and `output` (waits for a run's `{ run, messages }`).
 *
 * @example
 * ```ts
 * import * as restate from '@restatedev/restate-sdk';
 * const thread = createAssistantThreadObject({ client, tools: { get_weather: ({ city }) => ({ city, temp: '22C' }) } });
 * restate.serve({ services: [thread], port: 9080 });
 * // then, from anywhere: POST <ingress>/assistantThread/<threadId>/run { "assistantId": "asst_1", "additionalMessages": [...] }
 * ```
 */
export function createAssistantThreadObject(options: AssistantThreadObjectOptions) {
  const { name = DEFAULT_THREAD_OBJECT_NAME, client, tools, responses, idleTimeoutMs, onEvent, telemetry, agentName, options: objectOptions } = options;
  ensurePromiseWithResolvers();
  return restate.object({
    name,
    ...(objectOptions === undefined ? {} : { options: objectOptions }),
    handlers: {
      /** Runs one run on this thread to its end: `{ run, messages }`, or a terminal error (408 deadline, 409 cancelled before it existed, 500 otherwise). */
      run: async (ctx: restate.ObjectContext, input: DurableRunInput): Promise<AssistantRunOutput> => runDurably(ctx, input, { client, tools, responses, idleTimeoutMs, onEvent, telemetry, objectName: name, agentName }),
      /** Sends the thread's running run a command: `{ type: 'cancel' }` or `{ type: 'submitToolOutputs', toolOutputs }`. */
      send: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext, command: DurableRunCommand): Promise<{ invocationId: string }> => {
        const current = await ctx.get<DurableRunState>(STATE);
        if (current === null || current.ended) throw new restate.TerminalError(`no run is active on ${name}/${ctx.key}`, { errorCode: 404 });
        const target = ctx.invocation(current.invocationId as restate.InvocationId);
        if (command?.type === 'cancel') {
          target.signal(CANCEL_SIGNAL).resolve(true);
        } else if (command?.type === 'submitToolOutputs' && Array.isArray(command.toolOutputs) && command.toolOutputs.length > 0) {
          target.signal(toolOutputsSignal(command.toolOutputs)).resolve(command.toolOutputs);
        } else {
          throw new restate.TerminalError(`send takes { type: 'cancel' } or { type: 'submitToolOutputs', toolOutputs: [...] } (got type ${JSON.stringify(command?.type)})`, { errorCode: 400 });
        }
        return { invocationId: current.invocationId };
      }),
      /** Where the thread's current (or last) run stands; null when it never had one. */
      state: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<DurableRunState | null> => ctx.get<DurableRunState>(STATE)),
      /** Waits for a run's output: the given invocation's, else the current (or last) run's. */
      output: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext, which?: { invocationId?: string }): Promise<AssistantRunOutput> => {
        const invocationId = which?.invocationId ?? (await ctx.get<DurableRunState>(STATE))?.invocationId;
        if (invocationId === undefined) throw new restate.TerminalError(`no run was ever started on ${name}/${ctx.key}`, { errorCode: 404 });
        return ctx.invocation(invocationId as restate.InvocationId).attach<AssistantRunOutput>();
      }),
    },
  });
}

/** The object's definition, for typed clients (`clients.connect(…).objectClient<AssistantThreadObject>({ name }, threadId)`). */
export type AssistantThreadObject = ReturnType<typeof createAssistantThreadObject>;
