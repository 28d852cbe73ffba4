import { Hono } from 'hono';
import { z } from 'zod';
import type { AssistantTool, ConversationItem, ToolCall } from '../../wire/index.ts';
import { newMessage, newRun } from '../builders.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { RunExecutor } from '../executor/runExecutor.ts';
import { scenarioOf } from '../executor/scenario.ts';
import { pollable } from '../http.ts';
import { newId, nowSeconds } from '../ids.ts';
import type { Assistant } from '../objects.ts';
import { paginate, parseListQuery } from '../pagination.ts';
import type { RunSettingsInput } from '../../wire/requests.ts';
import { Collection, type ThreadRecord } from '../store.ts';
import { parseRequest, readJsonBody } from '../validation.ts';
import { storedItemOf } from '../conversations/items.ts';
import type { ConversationRecord } from '../conversations/record.ts';
import { conversationOfRequest, historyOf, historyOfItems, joinConversation, latestOf } from '../conversations/responses.ts';
import { checkCompactionItems } from '../compaction/content.ts';
import { checkNewIds } from '../conversations/routes.ts';
import { ResponseRecord, streamResponseEvents } from './record.ts';
import { CreateResponseRequest, ResponseToolParam, type CreateResponseInput, type InputItemInput } from './requests.ts';
import { newResponse } from './responseObject.ts';

/** How long `POST …/cancel` waits for the run to wind down before answering. */
const CANCEL_WAIT_MS = 2_000;

const RetrieveQuery = z.looseObject({
  stream: z.enum(['true', 'false']).optional(),
  starting_after: z.string().regex(/^\d+$/, 'expected an integer').transform(Number).optional(),
});

/**
 * `/v1/responses`: create (streamed, background or plain), retrieve (also as a stream replay
 * from `starting_after`), delete, cancel (background responses), and the input items. Each response
 * runs on the server's one run executor and scripted model: a new chain is a new thread and
 * run; function call outputs (`previous_response_id` + `function_call_output`, or the same
 * `conversation`) continue the same run; a new question after a finished response is a new run
 * on the same thread (or, in a conversation, on a new thread holding its messages). A
 * `store: false` response is answered and then forgotten: it cannot be retrieved or continued
 * by id (a conversation still continues its function calls while this server runs).
 */
export function responseRoutes(context: ServerContext): Hono {
  const { responses } = context;
  return new Hono()
    .post('/', async (c) => {
      const body = await readJsonBody(c, CreateResponseRequest);
      if (body.background === true && body.store === false) {
        throw new ApiError(400, 'Background mode requires store=true: a background response is retrieved by its id.', { param: 'store' });
      }
      const record = createResponse(context, body);
      if (body.store === false) keepUnstored(context, record);
      else responses.set(record.response.id, record);
      if (body.stream === true) return streamResponseEvents(record, -1);
      if (body.background !== true) await record.finished;
      return c.json(record.response);
    })
    .get('/:response_id', (c) => {
      const record = responses.require(c.req.param('response_id'));
      const query = parseRequest(RetrieveQuery, c.req.query());
      if (query.stream === 'true') return streamResponseEvents(record, query.starting_after ?? -1);
      return pollable(c, context.pollAfterMs, record.response);
    })
    .delete('/:response_id', async (c) => {
      const record = responses.require(c.req.param('response_id'));
      // A response still running is cancelled first (its open streams end `response.cancelled`):
      // deleted, it could not be read or cancelled any more, yet would run on unseen.
      await windDown(record);
      responses.delete(record.response.id);
      return c.json({ id: record.response.id, object: 'response', deleted: true });
    })
    .post('/:response_id/cancel', async (c) => {
      const record = responses.require(c.req.param('response_id'));
      if (record.response.background !== true)
        throw new ApiError(400, 'Only responses created with background=true can be cancelled.', { param: 'response_id' });
      await windDown(record);
      return c.json(record.response);
    })
    .get('/:response_id/input_items', (c) => {
      const record = responses.require(c.req.param('response_id'));
      return c.json(paginate(record.inputItems, (item) => item.id, parseListQuery(c.req.query())));
    });
}

/** Cancels a response's run if it is still going, and waits (a bounded while) for it to end. */
async function windDown(record: ResponseRecord): Promise<void> {
  if (record.ended) return;
  if (record.executor.isActive) record.executor.cancel();
  await Promise.race([record.finished, new Promise((resolve) => setTimeout(resolve, CANCEL_WAIT_MS).unref())]);
}

/**
 * Keeps a `store: false` response only as long as its run may go on (running, or paused for
 * function outputs a conversation or a WebSocket connection may bring): not retrievable, and
 * dropped from the set once its run is over (checked when the next one arrives, so the set
 * holds the live ones only).
 *
 * @example `if (body.store === false) keepUnstored(context, record);`
 */
export function keepUnstored(context: ServerContext, record: ResponseRecord): void {
  for (const kept of context.unstored) if (kept.ended && !kept.executor.isActive) context.unstored.delete(kept);
  context.unstored.add(record);
}

/** The parts of a request's `input` the server acts on. */
interface ParsedInput {
  /** Every item, as `input_items` lists it and a conversation keeps it. */
  stored: ConversationItem[];
  /** The user and assistant messages' text, in order. */
  messages: Array<{ role: 'user' | 'assistant'; text: string }>;
  instructions: string[];
  /** Every function call output, for the paused run it may answer. */
  outputs: Array<{ tool_call_id: string; output: string }>;
  /** The outputs whose call is not in the input itself: they can only answer a paused run. */
  unpaired: string[];
  /** The calls the input answers itself after its last user message (a stateless client's history). */
  answeredToolCalls: ToolCall[];
}

function parseInput(input: CreateResponseInput['input']): ParsedInput {
  const items: InputItemInput[] = typeof input === 'string' ? [{ role: 'user', content: input }] : (input ?? []);
  const stored = items.map((item) => storedItemOf(item));
  checkCompactionItems(stored, 'input');
  const outputs: ParsedInput['outputs'] = [];
  const unpaired: string[] = [];
  const calls = new Map<string, { name: string; arguments: string; afterLastQuestion: boolean }>();
  const answeredToolCalls: ToolCall[] = [];
  for (const item of stored) {
    if (item.type === 'message' && item['role'] === 'user') for (const call of calls.values()) call.afterLastQuestion = false;
    if (item.type === 'function_call' && typeof item['call_id'] === 'string') {
      calls.set(item['call_id'], { name: String(item['name'] ?? ''), arguments: String(item['arguments'] ?? ''), afterLastQuestion: true });
    }
    if (item.type !== 'function_call_output') continue;
    const { call_id, output } = item as ConversationItem & { call_id: string; output: unknown };
    const text = typeof output === 'string' ? output : JSON.stringify(output);
    outputs.push({ tool_call_id: call_id, output: text });
    const call = calls.get(call_id);
    if (call === undefined) unpaired.push(call_id);
    else if (call.afterLastQuestion) answeredToolCalls.push({ id: call_id, type: 'function', function: { name: call.name, arguments: call.arguments, output: text } });
  }
  // A call the input answered before a later question belongs to an earlier turn.
  const current = answeredToolCalls.filter((call) => calls.get(call.id)?.afterLastQuestion === true);
  return { stored, ...historyOfItems(stored), outputs, unpaired, answeredToolCalls: current };
}

/**
 * A response to a create request, started: a continuation of the run it answers (function
 * outputs for the paused previous response, or the conversation's), else a new run — on the
 * previous response's thread, or on a new one holding the conversation's messages.
 * `cachedPrevious` is the response `previous_response_id` names when the caller found it
 * itself (a WebSocket connection's own cache, which holds `store: false` responses too); else
 * it is looked up among the stored ones.
 *
 * @example `const record = createResponse(context, body);`
 */
export function createResponse(context: ServerContext, body: CreateResponseInput, cachedPrevious?: ResponseRecord, { generate = true }: { generate?: boolean } = {}): ResponseRecord {
  const conversation = conversationOfRequest(context, body);
  const input = parseInput(body.input);
  // Refused before anything starts: an item is in a conversation once.
  if (conversation !== undefined) checkNewIds(conversation, input.stored, 'input');
  const stored = body.store !== false;
  const obfuscate = body.stream_options?.include_obfuscation !== false;
  const response = newResponse(body, conversation?.conversation.id);
  const query = input.messages.filter((message) => message.role === 'user').at(-1)?.text ?? '';
  const previous = conversation === undefined ? (cachedPrevious ?? previousOf(context, body)) : latestOf(context, conversation);
  const scenario = scenarioOf(body.metadata ?? undefined);
  const started = (record: ResponseRecord) => {
    if (conversation !== undefined) joinConversation(context, conversation, record, input.stored);
    return record;
  };

  // A conversation whose paused calls were deleted from it (nothing to answer any more) has
  // abandoned that run: it is cancelled, and the conversation goes on.
  if (conversation !== undefined && previous !== undefined && input.outputs.length === 0 && isAbandonedPause(previous, conversation)) {
    previous.executor.cancel();
  }
  // Function outputs continue the run the previous response paused.
  if (previous !== undefined && previous.executor.run.status === 'requires_action') {
    // Answering its calls resumes the model: not something a warm-up can do.
    if (!generate) throw new ApiError(400, `A warm-up (generate: false) cannot answer function calls: response '${previous.response.id}' waits for their outputs; send them in a request that generates.`, { param: 'generate' });
    const pending = previous.executor.run.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id) ?? [];
    const missing = pending.filter((id) => !input.outputs.some((output) => output.tool_call_id === id));
    if (missing.length > 0) throw new ApiError(400, `No tool output found for function call ${missing[0]}.`, { param: 'input' });
    const from = previous.executor.log.length;
    for (const message of input.messages) addMessage(previous.thread, message.role, message.text);
    previous.executor.submitToolOutputs(input.outputs);
    context.unstored.delete(previous);
    return started(new ResponseRecord({ response, inputItems: input.stored, thread: previous.thread, executor: previous.executor, from, query, obfuscate }));
  }
  if (input.unpaired.length > 0) {
    const callId = input.unpaired[0]!;
    const made = previous?.response.output.some((item) => item.type === 'function_call' && (item as { call_id?: unknown }).call_id === callId);
    if (made === true && previous !== undefined) {
      // The previous response made the call, but its run is over (expired, or ended by a restart).
      const { status, last_error: error } = previous.executor.run;
      throw new ApiError(
        400,
        `Function call ${callId} can no longer be answered: the run that made it ended ${status}${error == null ? '' : ` (${error.message})`}. Ask again in a new response.`,
        { param: 'input' },
      );
    }
    throw new ApiError(400, `No tool call found for function call output with call_id ${callId}.`, { param: 'input' });
  }
  if (previous?.executor.isActive === true && conversation === undefined) {
    throw new ApiError(400, `Previous response with id '${previous.response.id}' is still in progress.`, { param: 'previous_response_id' });
  }
  const reused = conversation === undefined ? previous?.thread : undefined;
  const thread = reused ?? responseThread(context, stored);
  const history = conversation === undefined ? { messages: [], instructions: [] } : historyOf(conversation);
  for (const message of [...history.messages, ...input.messages]) addMessage(thread, message.role, message.text);
  const { tools, vectorStoreIds } = assistantTools(context, body.tools ?? []);
  const instructions = [body.instructions ?? '', ...history.instructions, ...input.instructions].filter((part) => part !== '').join('\n\n');
  const settings = {
    assistant_id: '',
    model: body.model,
    instructions,
    tools,
    metadata: body.metadata ?? {},
    ...(body.temperature == null ? {} : { temperature: body.temperature }),
    ...(body.top_p == null ? {} : { top_p: body.top_p }),
    tool_choice: toolChoice(body.tool_choice),
    ...(body.parallel_tool_calls == null ? {} : { parallel_tool_calls: body.parallel_tool_calls }),
  } as RunSettingsInput;
  const run = newRun(settings, anonymousAssistant(body.model), thread.thread.id);
  const { answeredToolCalls } = input;
  const executor = new RunExecutor({ run, thread, vectorStoreIds, scenario, includeSearchContent: true, answeredToolCalls, warmUp: !generate }, context.environment);
  thread.runs.set(run.id, executor);
  return started(new ResponseRecord({ response, inputItems: input.stored, thread, executor, from: 0, query, obfuscate }));
}

// A paused run none of whose calls is still in the conversation.
function isAbandonedPause(previous: ResponseRecord, conversation: ConversationRecord): boolean {
  if (previous.executor.run.status !== 'requires_action') return false;
  const pending = new Set(previous.executor.run.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id));
  return !conversation.items.values().some((item) => item.type === 'function_call' && pending.has(item['call_id'] as string));
}

// The response `previous_response_id` names, if the request names one.
function previousOf(context: ServerContext, body: CreateResponseInput): ResponseRecord | undefined {
  return body.previous_response_id == null ? undefined : requirePreviousResponse(context, body.previous_response_id);
}

/**
 * The stored response `previous_response_id` names: a 400 `previous_response_not_found` when
 * this server has none by that id (a `store: false` response is never kept), as the API answers.
 *
 * @example `const previous = requirePreviousResponse(context, body.previous_response_id);`
 */
export function requirePreviousResponse(context: ServerContext, id: string): ResponseRecord {
  const previous = context.responses.get(id);
  if (previous === undefined) throw previousResponseNotFound(id);
  return previous;
}

/**
 * The error for a `previous_response_id` the server does not have, as the API words it.
 *
 * @example `throw previousResponseNotFound('resp_gone');`
 */
export function previousResponseNotFound(id: string): ApiError {
  return new ApiError(400, `Previous response with id '${id}' not found.`, { param: 'previous_response_id', code: 'previous_response_not_found' });
}

/**
 * A new thread to run a response on. It is no client's thread (`GET /threads` leaves it out),
 * and for a `store: false` response it is not in the store at all: nothing of it is kept.
 */
function responseThread(context: ServerContext, stored: boolean): ThreadRecord<RunExecutor> {
  const record: ThreadRecord<RunExecutor> = {
    thread: { id: newId('thread_'), object: 'thread', created_at: nowSeconds(), tool_resources: {}, metadata: {} },
    messages: new Collection('message'),
    runs: new Collection('run'),
    backsResponses: true,
  };
  return stored ? context.store.threads.set(record.thread.id, record) : record;
}

function addMessage(thread: ThreadRecord<RunExecutor>, role: 'user' | 'assistant', text: string): void {
  const message = newMessage(thread.thread.id, { role, content: text });
  thread.messages.set(message.id, message);
}

// The Responses tools as the run executor's Assistants tools; file_search names its vector stores.
function assistantTools(context: ServerContext, tools: ReadonlyArray<{ type: string }>): { tools: AssistantTool[]; vectorStoreIds: string[] } {
  const mapped: AssistantTool[] = [];
  const vectorStoreIds: string[] = [];
  for (const [index, raw] of tools.entries()) {
    const parsed = ResponseToolParam.safeParse(raw);
    if (!parsed.success) {
      const known = ['function', 'file_search', 'code_interpreter'].includes(raw.type);
      throw new ApiError(
        400,
        known
          ? `Invalid tool definition at tools[${index}]: ${parsed.error.issues[0]!.message}.`
          : `The embedded server does not support tools of type '${raw.type}'.`,
        {
          param: `tools[${index}]`,
        },
      );
    }
    const tool = parsed.data;
    if (tool.type === 'function') {
      mapped.push({
        type: 'function',
        function: {
          name: tool.name,
          ...(tool.description == null ? {} : { description: tool.description }),
          ...(tool.parameters == null ? {} : { parameters: tool.parameters }),
          ...(tool.strict == null ? {} : { strict: tool.strict }),
        },
      });
    } else if (tool.type === 'file_search') {
      for (const id of tool.vector_store_ids) context.store.vectorStores.require(id);
      vectorStoreIds.push(...tool.vector_store_ids);
      const threshold = tool.ranking_options?.score_threshold;
      mapped.push({
        type: 'file_search',
        file_search: {
          ...(tool.max_num_results === undefined ? {} : { max_num_results: tool.max_num_results }),
          ...(threshold === undefined ? {} : { ranking_options: { score_threshold: threshold } }),
        },
      });
    } else mapped.push({ type: 'code_interpreter' });
  }
  return { tools: mapped, vectorStoreIds: [...new Set(vectorStoreIds)] };
}

function toolChoice(choice: CreateResponseInput['tool_choice']): RunSettingsInput['tool_choice'] {
  if (choice === undefined) return 'auto';
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && typeof choice.name === 'string') return { type: 'function', function: { name: choice.name } };
  return 'auto';
}

// The executor needs an assistant for a run's defaults; a response has none of its own.
function anonymousAssistant(model: string): Assistant {
  return {
    id: '',
    object: 'assistant',
    created_at: nowSeconds(),
    name: null,
    description: null,
    model,
    instructions: null,
    tools: [],
    tool_resources: null,
    metadata: {},
    temperature: null,
    top_p: null,
    response_format: 'auto',
  };
}
