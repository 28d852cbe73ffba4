import { Hono } from 'hono';
import { z } from 'zod';
import type { AssistantTool, ResponseObject } from '../../wire/index.ts';
import { newMessage, newRun } from '../builders.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { RunExecutor } from '../executor/runExecutor.ts';
import { scenarioOf } from '../executor/scenario.ts';
import { newId, nowSeconds } from '../ids.ts';
import type { Assistant } from '../objects.ts';
import { paginate, parseListQuery } from '../pagination.ts';
import type { RunSettingsInput } from '../../wire/requests.ts';
import type { ThreadRecord } from '../store.ts';
import { parseRequest, readJsonBody } from '../validation.ts';
import { ResponseRecord, streamResponseEvents, type StoredInputItem } from './record.ts';
import { CreateResponseRequest, ResponseToolParam, type CreateResponseInput, type InputItemInput } from './requests.ts';
import { createThread } from '../routes/threads.ts';

/** How long `POST …/cancel` waits for the run to wind down before answering. */
const CANCEL_WAIT_MS = 2_000;

const RetrieveQuery = z.looseObject({
  stream: z.enum(['true', 'false']).optional(),
  starting_after: z.string().regex(/^\d+$/, 'expected an integer').transform(Number).optional(),
});

/**
 * `/v1/responses`: create (streamed, background or plain), retrieve (also as a stream replay
 * from `starting_after`), cancel (background responses), and the input items. Each response
 * runs on the server's one run executor and scripted model: a new chain is a new thread and
 * run; function call outputs (`previous_response_id` + `function_call_output`) continue the
 * same run; a new question after a finished response is a new run on the same thread.
 */
export function responseRoutes(context: ServerContext): Hono {
  const { responses } = context;
  return new Hono()
    .post('/', async (c) => {
      const body = await readJsonBody(c, CreateResponseRequest);
      const record = createResponse(context, body);
      responses.set(record.response.id, record);
      if (body.stream === true) return streamResponseEvents(record, -1);
      if (body.background !== true) await record.finished;
      return c.json(record.response);
    })
    .get('/:response_id', (c) => {
      const record = responses.require(c.req.param('response_id'));
      const query = parseRequest(RetrieveQuery, c.req.query());
      if (query.stream === 'true') return streamResponseEvents(record, query.starting_after ?? -1);
      return c.json(record.response);
    })
    .post('/:response_id/cancel', async (c) => {
      const record = responses.require(c.req.param('response_id'));
      if (record.response.background !== true)
        throw new ApiError(400, 'Only responses created with background=true can be cancelled.', { param: 'response_id' });
      if (!record.ended) {
        if (record.executor.isActive) record.executor.cancel();
        await Promise.race([record.finished, new Promise((resolve) => setTimeout(resolve, CANCEL_WAIT_MS).unref())]);
      }
      return c.json(record.response);
    })
    .get('/:response_id/input_items', (c) => {
      const record = responses.require(c.req.param('response_id'));
      return c.json(paginate(record.inputItems, (item) => item.id, parseListQuery(c.req.query())));
    });
}

/** The parts of a request's `input` the server acts on. */
interface ParsedInput {
  stored: StoredInputItem[];
  userTexts: string[];
  assistantTexts: string[];
  instructions: string[];
  outputs: Array<{ tool_call_id: string; output: string }>;
}

function parseInput(input: CreateResponseInput['input']): ParsedInput {
  const items: InputItemInput[] = typeof input === 'string' ? [{ role: 'user', content: input }] : (input ?? []);
  const parsed: ParsedInput = { stored: [], userTexts: [], assistantTexts: [], instructions: [], outputs: [] };
  for (const item of items) {
    if ('role' in item && typeof item.role === 'string') {
      const message = item as { role: string; content: string | Array<{ type: string; text?: unknown }> };
      const parts = typeof message.content === 'string' ? [{ type: 'input_text', text: message.content }] : message.content;
      const text = parts.map((part) => (typeof part.text === 'string' ? part.text : '')).join('\n');
      if (message.role === 'user') parsed.userTexts.push(text);
      else if (message.role === 'assistant') parsed.assistantTexts.push(text);
      else parsed.instructions.push(text);
      parsed.stored.push({ id: newId('msg_'), type: 'message', role: message.role, status: 'completed', content: parts });
    } else if (item.type === 'function_call_output') {
      const { call_id, output } = item as { call_id: string; output: unknown };
      parsed.outputs.push({ tool_call_id: call_id, output: typeof output === 'string' ? output : JSON.stringify(output) });
      parsed.stored.push({ id: newId('fco_'), type: 'function_call_output', call_id, output, status: 'completed' });
    } else {
      parsed.stored.push({
        ...(item as Record<string, unknown>),
        id: typeof item.id === 'string' ? item.id : newId('item_'),
        type: item.type ?? 'item',
      });
    }
  }
  return parsed;
}

function createResponse(context: ServerContext, body: CreateResponseInput): ResponseRecord {
  const input = parseInput(body.input);
  const scenario = scenarioOf(body.metadata ?? undefined);
  const response = newResponse(body);
  const query = input.userTexts.at(-1) ?? '';
  const previous = body.previous_response_id == null ? undefined : context.responses.get(body.previous_response_id);
  if (body.previous_response_id != null && previous === undefined) {
    throw new ApiError(404, `Previous response with id '${body.previous_response_id}' not found.`, { param: 'previous_response_id' });
  }

  // Function outputs continue the run the previous response paused.
  if (previous !== undefined && previous.executor.run.status === 'requires_action') {
    const pending = previous.executor.run.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id) ?? [];
    const missing = pending.filter((id) => !input.outputs.some((output) => output.tool_call_id === id));
    if (missing.length > 0) throw new ApiError(400, `No tool output found for function call ${missing[0]}.`, { param: 'input' });
    const from = previous.executor.log.length;
    for (const text of input.userTexts) addMessage(previous.thread, 'user', text);
    previous.executor.submitToolOutputs(input.outputs);
    return new ResponseRecord({ response, inputItems: input.stored, thread: previous.thread, executor: previous.executor, from, query });
  }
  if (input.outputs.length > 0) {
    throw new ApiError(400, `No tool call found for function call output with call_id ${input.outputs[0]!.tool_call_id}.`, { param: 'input' });
  }
  if (previous?.executor.isActive === true) {
    throw new ApiError(400, `Previous response with id '${previous.response.id}' is still in progress.`, { param: 'previous_response_id' });
  }
  const thread = previous?.thread ?? createThread(context, {});
  for (const text of input.assistantTexts) addMessage(thread, 'assistant', text);
  for (const text of input.userTexts) addMessage(thread, 'user', text);
  const { tools, vectorStoreIds } = assistantTools(context, body.tools ?? []);
  const instructions = [body.instructions ?? '', ...input.instructions].filter((part) => part !== '').join('\n\n');
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
  const executor = new RunExecutor({ run, thread, vectorStoreIds, scenario, includeSearchContent: true }, context.environment);
  thread.runs.set(run.id, executor);
  return new ResponseRecord({ response, inputItems: input.stored, thread, executor, from: 0, query });
}

function addMessage(thread: ThreadRecord<RunExecutor>, role: 'user' | 'assistant', text: string): void {
  const message = newMessage(thread.thread.id, { role, content: text });
  thread.messages.set(message.id, message);
}

function newResponse(body: CreateResponseInput): ResponseObject {
  const background = body.background === true;
  return {
    id: newId('resp_'),
    object: 'response',
    created_at: nowSeconds(),
    status: background ? 'queued' : 'in_progress',
    background,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output: [],
    output_text: '',
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    temperature: body.temperature ?? 1,
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    usage: null,
    metadata: body.metadata ?? {},
    ...{ reasoning: { effort: null, summary: null }, store: true, text: { format: { type: 'text' } }, truncation: 'disabled', user: null },
  };
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
