import { RUN_KEY_METADATA, type AssistantRunCreateParams, type RetrievedRun, type RunLocator } from '../../machines/assistantRun.ts';
import type { AssistantsClient } from '../client/AssistantsClient.ts';
import { BadRequestError, InvalidArgumentError, NotFoundError } from '../client/errors.ts';
import type { ResponseCreateParams, ResponseInputItem, ResponseTool } from '../client/resources/responses.ts';
import type { ResponsesWebSocket } from '../client/webSocket/ResponsesWebSocket.ts';
import { startStream } from '../client/streaming.ts';
import { runOfResponse } from '../wire/responses/objects.ts';
import type { ResponseFunctionCall, ResponseObject, Run, RunStatus } from '../wire/index.ts';
import type { RunBackend } from './backend.ts';
import {
  abandonPause,
  continuationOf,
  conversationHistory,
  identityOf,
  previousResponseHistory,
  responseIdOf,
  type ConversationStore,
  type ResponsesHistoryMode,
} from './responsesHistory.ts';

/**
 * What an `assistantId` stands for on the Responses API, which has no assistants: the model,
 * instructions and tools each response of the run is created with. The run's own parameters
 * (`model`, `instructions`, `tools`, …) win over these, as they win over an assistant's.
 */
export interface ResponsesAssistant {
  model: string;
  instructions?: string | null | undefined;
  /** Tools in the Responses shape (`{ type: 'function', name, parameters }`, `file_search` with `vector_store_ids`). */
  tools?: ResponseTool[] | undefined;
  temperature?: number | null | undefined;
  topP?: number | null | undefined;
}

/** The Responses mode of {@link createAssistantRun} (its `responses` option). */
export interface ResponsesRunMode {
  /** The assistants an input's `assistantId` may name, by id (or a function that finds one). */
  assistants: Readonly<Record<string, ResponsesAssistant>> | ((assistantId: string) => ResponsesAssistant | undefined);
  /**
   * How a thread's runs follow one another. `conversation` (the default): a thread is a
   * conversation — created on its first run, or the thread id itself when it is one (`conv_…`)
   * — and every response of its runs names it, so the server keeps the history.
   * `previous_response_id`: no conversation; a thread's next run continues the last response of
   * its last finished run.
   */
  history?: ResponsesHistoryMode | undefined;
  /**
   * Each thread's conversation id (with `previous_response_id`: its last response's id). Default:
   * a `Map` in this process, shared by every `createAssistantRun` given this same mode object.
   */
  conversations?: ConversationStore | undefined;
  /**
   * Create the run's responses over this WebSocket (`client.responses.connect()`) instead of
   * HTTP: each turn of the tool loop a `response.create` message on one connection (docs/responses.md,
   * "WebSocket mode"). Retrieving, cancelling and listing stay HTTP calls.
   */
  socket?: ResponsesWebSocket | undefined;
}

/**
 * The Responses API backend of an `assistantRun`: a run is a chain of responses — the first one
 * created from the run's parameters (continuing the thread's conversation), each next one
 * carrying a pause's `function_call_output` items — and the run's id is the first response's id,
 * as on `client.responses.stream`. docs/workflows.md says what differs from the Assistants API.
 *
 * @internal
 */
export function responsesBackend(client: AssistantsClient, mode: ResponsesRunMode): RunBackend {
  const conversations = mode.conversations ?? defaultConversationsOf(mode);
  const history = (mode.history ?? 'conversation') === 'conversation' ? conversationHistory(client, conversations) : previousResponseHistory(client, conversations);
  const assistantOf = (assistantId: string): ResponsesAssistant => {
    const assistant = typeof mode.assistants === 'function' ? mode.assistants(assistantId) : Object.hasOwn(mode.assistants, assistantId) ? mode.assistants[assistantId] : undefined;
    if (assistant === undefined) {
      throw new InvalidArgumentError(`responses.assistants`, `has no assistant "${assistantId}": on the Responses API an assistantId names one of responses.assistants`);
    }
    return assistant;
  };
  const retrieve = async (locator: RunLocator, signal: AbortSignal): Promise<RetrievedRun> => {
    const runId = locator.runId ?? locator.run?.id;
    // A response cannot be found by its metadata: a create whose answer was lost is created again.
    if (runId === undefined) return answered(null);
    try {
      const response = await client.responses.retrieve(responseIdOf(locator.run, runId), { signal });
      return answered(runOfChain(response, runId));
    } catch (error) {
      if (error instanceof NotFoundError) return answered(null);
      throw error;
    }
  };
  return {
    protocol: 'responses',
    baseURL: client.baseURL,
    async create(input, { signal, idleTimeoutMs, idempotencyKey, inspect }) {
      // A restored create that had seen its run: the chain exists, find where it stands.
      if (input.run !== null) return { found: input.run };
      const settings = responseParams(input.params, assistantOf(input.params.assistantId), input.runKey);
      const body: ResponseCreateParams = {
        ...settings,
        input: inputItems(input.params.additionalMessages ?? []),
        ...(await history.start(input.threadId, signal)),
      };
      return { stream: client.responses.stream(body, { signal, idleTimeoutMs, idempotencyKey, inspect, socket: mode.socket }) };
    },
    async submit(input, { signal, idleTimeoutMs, idempotencyKey, inspect }) {
      const params = input.params === null ? attachedParams(input.run) : responseParams(input.params, assistantOf(input.params.assistantId), null);
      const body: ResponseCreateParams = {
        ...params,
        ...continuationOf(input.run, input.runId),
        input: input.toolOutputs.map((output) => ({ type: 'function_call_output' as const, call_id: output.tool_call_id, output: output.output })),
      };
      // The continuation names the run it goes on with, whichever client started the chain.
      // (Over a socket there is no Idempotency-Key: a message is sent once, and a lost one is not resent once it began.)
      if (mode.socket !== undefined) return mode.socket.openStream(body, { signal, idleTimeoutMs, inspect }, input.runId);
      return startStream(client, { method: 'POST', path: '/responses', body }, { signal, idleTimeoutMs, idempotencyKey, inspect }, { protocol: 'responses', runId: input.runId });
    },
    retrieve,
    async cancel(locator, signal) {
      const runId = locator.runId ?? locator.run?.id;
      if (runId === undefined) return answered(null);
      // A paused run is a finished response waiting for outputs: nothing runs on the server, and
      // not continuing it is the cancel (in a conversation, its calls leave it, see abandonPause).
      if (locator.run?.status === 'requires_action') {
        await abandonPause(client, locator.run, runId, signal);
        return answered(cancelledPause(locator.run));
      }
      try {
        const response = await client.responses.cancel(responseIdOf(locator.run, runId), { signal });
        return answered(runOfChain(response, runId));
      } catch (error) {
        // Not cancellable (not a background response, or finished): where does it stand?
        if (!(error instanceof BadRequestError)) throw error;
        const retrieved = await retrieve({ ...locator, runId }, signal);
        if (retrieved.run?.status !== 'requires_action') return retrieved;
        await abandonPause(client, retrieved.run, runId, signal);
        return { ...retrieved, run: cancelledPause(retrieved.run) };
      }
    },
    messages: (input, signal) => history.messages(input, signal),
    cancelAndForget(_threadId, runId, run) {
      if (run?.status === 'requires_action') abandonPause(client, run, runId, new AbortController().signal).catch(() => {});
      else client.responses.cancel(responseIdOf(run, runId)).catch(() => {});
    },
  };
}

const defaultConversations = new WeakMap<ResponsesRunMode, ConversationStore>();

function defaultConversationsOf(mode: ResponsesRunMode): ConversationStore {
  const known = defaultConversations.get(mode);
  if (known !== undefined) return known;
  const conversations = new Map<string, string>();
  defaultConversations.set(mode, conversations);
  return conversations;
}

// A Responses backend sends no poll hint: the chart's own interval paces its retrieves.
function answered(run: Run | null): RetrievedRun {
  return { run, pollAfterMs: null, receivedAt: Date.now() };
}

/** The run a retrieved response of the chain `runId` stands for (a finished response with function calls is a pause). */
function runOfChain(response: ResponseObject, runId: string): Run {
  const calls = response.output.filter((item): item is ResponseFunctionCall => item.type === 'function_call');
  const status: RunStatus = response.status === 'completed' && calls.length > 0 ? 'requires_action' : response.status;
  return runOfResponse(response, identityOf(response, runId), status, calls);
}

function cancelledPause(run: Run): Run {
  return { ...run, status: 'cancelled', required_action: null, cancelled_at: Math.floor(Date.now() / 1000) };
}

type ResponseSettings = Omit<ResponseCreateParams, 'input' | 'previous_response_id'>;

/**
 * The settings of every response of a run: the assistant's, overridden by the run's
 * parameters, in the Responses shape. A parameter with no Responses counterpart is refused
 * rather than dropped: the run would not be the one asked for.
 */
export function responseParams(params: AssistantRunCreateParams, assistant: ResponsesAssistant, runKey: string | null): ResponseSettings {
  for (const name of ['maxPromptTokens', 'truncationStrategy'] as const) {
    if (params[name] != null) throw new InvalidArgumentError(`input.${name}`, 'has no counterpart on the Responses API: leave it out in responses mode');
  }
  const instructions = [params.instructions ?? assistant.instructions, params.additionalInstructions].filter((part): part is string => typeof part === 'string' && part !== '');
  const settings: ResponseSettings = { model: params.model ?? assistant.model };
  if (instructions.length > 0) settings.instructions = instructions.join('\n\n');
  const tools = params.tools == null ? assistant.tools : responsesTools(params.tools);
  if (tools !== undefined) settings.tools = tools;
  const temperature = params.temperature ?? assistant.temperature;
  if (temperature != null) settings.temperature = temperature;
  const topP = params.topP ?? assistant.topP;
  if (topP != null) settings.top_p = topP;
  if (params.maxCompletionTokens != null) settings.max_output_tokens = params.maxCompletionTokens;
  if (params.toolChoice != null) settings.tool_choice = toolChoiceOf(params.toolChoice);
  if (params.parallelToolCalls !== undefined) settings.parallel_tool_calls = params.parallelToolCalls;
  if (params.reasoningEffort != null) settings.reasoning = { effort: params.reasoningEffort };
  if (params.responseFormat != null && params.responseFormat !== 'auto') settings.text = { format: textFormatOf(params.responseFormat) };
  if (params.include !== undefined) settings.include = params.include.map(includeOf);
  const metadata = { ...(params.metadata ?? {}), ...(runKey === null ? {} : { [RUN_KEY_METADATA]: runKey }) };
  if (Object.keys(metadata).length > 0) settings.metadata = metadata;
  return settings;
}

/** The settings of a continuation of a run the actor attached to: what the run object kept. */
function attachedParams(run: Run | null): ResponseSettings {
  if (run === null) throw new InvalidArgumentError('input.runId', 'names a run never seen: it cannot be continued on the Responses API');
  if (typeof run.model !== 'string') throw new InvalidArgumentError('input.runId', 'names a run without a model: it cannot be continued on the Responses API');
  const settings: ResponseSettings = { model: run.model, tools: responsesTools(run.tools ?? []) };
  if (typeof run.instructions === 'string') settings.instructions = run.instructions;
  if (run.temperature != null) settings.temperature = run.temperature;
  if (run.top_p != null) settings.top_p = run.top_p;
  return settings;
}

/**
 * Assistants tools in the Responses shape (tools already in that shape pass as they are). A
 * `file_search` tool must name its vector stores: an assistant's `tool_resources` do not exist here.
 */
export function responsesTools(tools: ReadonlyArray<Record<string, unknown>>): ResponseTool[] {
  return tools.map((tool, index) => {
    const where = `input.tools[${index}]`;
    if (tool['type'] === 'function' && typeof tool['function'] === 'object' && tool['function'] !== null) {
      const { name, description, parameters, strict } = tool['function'] as Record<string, unknown>;
      if (typeof name !== 'string') throw new InvalidArgumentError(`${where}.function.name`, 'must be a string');
      return {
        type: 'function' as const,
        name,
        ...(typeof description === 'string' ? { description } : {}),
        ...(typeof parameters === 'object' && parameters !== null ? { parameters: parameters as Record<string, unknown> } : {}),
        ...(typeof strict === 'boolean' ? { strict } : {}),
      };
    }
    if (tool['type'] === 'code_interpreter' && tool['container'] === undefined) return { type: 'code_interpreter', container: { type: 'auto' as const } };
    if (tool['type'] === 'file_search' && !Array.isArray(tool['vector_store_ids'])) {
      throw new InvalidArgumentError(where, 'is a file_search tool without vector_store_ids: on the Responses API give them in the tool ({ type: "file_search", vector_store_ids: [...] })');
    }
    if (typeof tool['type'] !== 'string') throw new InvalidArgumentError(`${where}.type`, 'must be a string');
    return tool as ResponseTool;
  });
}

/** A run's `additional_messages` as Responses input items. */
export function inputItems(messages: ReadonlyArray<Record<string, unknown>>): ResponseInputItem[] {
  return messages.map((message, index) => {
    const where = `input.additionalMessages[${index}]`;
    const { role, content, attachments } = message;
    if (role !== 'user' && role !== 'assistant') throw new InvalidArgumentError(`${where}.role`, `must be "user" or "assistant" (got ${JSON.stringify(role)})`);
    if (Array.isArray(attachments) && attachments.length > 0) {
      throw new InvalidArgumentError(`${where}.attachments`, 'has no counterpart on the Responses API: give a file_search tool with vector_store_ids instead');
    }
    if (typeof content === 'string') return { role, content };
    if (!Array.isArray(content)) throw new InvalidArgumentError(`${where}.content`, 'must be a string or an array of content parts');
    return { role, content: content.map((part, partIndex) => inputPart(part, role, `${where}.content[${partIndex}]`)) } as ResponseInputItem;
  });
}

function inputPart(part: unknown, role: 'user' | 'assistant', where: string): Record<string, unknown> {
  const { type } = (part ?? {}) as { type?: unknown };
  if (type === 'text') {
    const { text } = part as { text?: unknown };
    if (typeof text !== 'string') throw new InvalidArgumentError(`${where}.text`, 'must be a string');
    return { type: role === 'assistant' ? 'output_text' : 'input_text', text };
  }
  if (type === 'image_url') {
    const { image_url: image } = part as { image_url?: { url?: unknown; detail?: unknown } };
    if (typeof image?.url !== 'string') throw new InvalidArgumentError(`${where}.image_url.url`, 'must be a string');
    return { type: 'input_image', image_url: image.url, detail: image.detail ?? 'auto' };
  }
  if (type === 'image_file') {
    const { image_file: image } = part as { image_file?: { file_id?: unknown; detail?: unknown } };
    if (typeof image?.file_id !== 'string') throw new InvalidArgumentError(`${where}.image_file.file_id`, 'must be a string');
    return { type: 'input_image', file_id: image.file_id, detail: image.detail ?? 'auto' };
  }
  throw new InvalidArgumentError(`${where}.type`, `must be "text", "image_url" or "image_file" (got ${JSON.stringify(type)})`);
}

function toolChoiceOf(choice: string | Record<string, unknown>): NonNullable<ResponseCreateParams['tool_choice']> {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  const name = typeof choice === 'object' ? (choice['function'] as { name?: unknown } | undefined)?.name : undefined;
  if (typeof choice === 'object' && choice['type'] === 'function' && typeof name === 'string') return { type: 'function', name };
  throw new InvalidArgumentError('input.toolChoice', `must be "auto", "none", "required" or { type: "function", function: { name } } (got ${JSON.stringify(choice)})`);
}

function textFormatOf(format: unknown): Record<string, unknown> {
  const { type, json_schema: schema } = (format ?? {}) as { type?: unknown; json_schema?: Record<string, unknown> };
  if (type === 'text' || type === 'json_object') return { type };
  if (type === 'json_schema' && typeof schema === 'object' && schema !== null) return { type, ...schema };
  throw new InvalidArgumentError('input.responseFormat', `must be "auto", { type: "text" }, { type: "json_object" } or { type: "json_schema", json_schema } (got ${JSON.stringify(format)})`);
}

function includeOf(value: string): string {
  if (value === 'step_details.tool_calls[*].file_search.results[*].content') return 'file_search_call.results';
  throw new InvalidArgumentError('input.include', `has no Responses counterpart for ${JSON.stringify(value)}`);
}
