import type { RunStep, ToolCall, Usage } from '../../wire/index.ts';
import { answerableCalls, answerWithoutText, EventReader, field, responseFormatOf, text, toolSteps, usageOf, type Json } from './conversation.ts';
import { citeAnswer, FILE_SEARCH_DEFINITION, FILE_SEARCH_FUNCTION, fileSearchesOf, fileSearchOutput, fileSearchQuery, offersFileSearch } from './fileSearchFunction.ts';
import { ModelError, type Model, type ModelAnswerEnding, type ModelRequest, type ModelStep, type ModelTextStream, type ModelToolCall } from './model.ts';
import { responsesContent } from './images.ts';
import { streamErrorCode, Upstream, type UpstreamOptions } from './upstream.ts';

/** Options of {@link createResponsesModel}. */
export interface ResponsesModelOptions extends UpstreamOptions {
  /**
   * Whether the backend keeps responses (`store`). Default true: a run's later requests chain
   * with `previous_response_id` and send only the new tool outputs. False: every request sends
   * the whole thread and the run's tool calls so far, with `store: false`.
   */
  store?: boolean | undefined;
}

// What the model remembers of a run between two of its steps.
interface RunSession {
  /** The last upstream response of the run. */
  responseId: string | undefined;
  /** The upstream `call_id`s of the last tool step's functions and file searches, in order. */
  callIds: string[];
  /** An upstream response still streaming: the next step continues reading it. */
  reader: EventReader | undefined;
}

/**
 * A live model behind the Responses API (`POST {baseURL}/responses`, streamed): each run step
 * is read from an upstream response as it streams. Function tools are offered as functions and
 * come back as `requires_action`; their outputs continue the upstream response chain
 * (`previous_response_id`, or the whole thread again when `store` is false). file_search runs
 * in this server over its vector stores, offered to the model as a `file_search` function; the
 * answer cites what it used. code_interpreter is the backend's own: its code and logs become
 * the run's code_interpreter step.
 *
 * @example
 * ```ts
 * const server = await createServer({ model: createResponsesModel({ baseURL: 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY }) });
 * ```
 */
export function createResponsesModel(options: ResponsesModelOptions): Model {
  const upstream = new Upstream(options);
  const store = options.store ?? true;
  const sessions = new Map<string, RunSession>();
  // This server's files as the backend knows them (uploaded once each, for its code interpreter).
  const uploaded = new Map<string, Promise<string>>();

  return {
    async nextStep(request: ModelRequest): Promise<ModelStep> {
      const runId = request.run.id;
      let session = sessions.get(runId);
      if (session === undefined) {
        session = { responseId: undefined, callIds: [], reader: undefined };
        sessions.set(runId, session);
        request.signal.addEventListener('abort', () => forget(runId), { once: true });
      }
      if (session.reader === undefined) {
        const containerFiles = await uploadCodeInterpreterFiles(request);
        session.reader = new EventReader(upstream.stream('/responses', requestBody(request, session, store, containerFiles), request.signal));
      }
      try {
        return await readStep(request, session);
      } catch (error) {
        forget(runId);
        throw error;
      }
    },
  };

  // The run's code interpreter files (attachments, tool_resources), uploaded to the backend so
  // its container has them: their ids there, in order. A file that is gone is left out.
  async function uploadCodeInterpreterFiles(request: ModelRequest): Promise<string[]> {
    if (!request.tools.some((tool) => tool.type === 'code_interpreter')) return [];
    const ids: string[] = [];
    for (const fileId of request.codeInterpreterFileIds ?? []) {
      let id = uploaded.get(fileId);
      if (id === undefined) {
        const file = request.readFile?.(fileId);
        if (file === undefined) continue;
        id = upstream.upload(file.filename, file.bytes, 'user_data', request.signal);
        uploaded.set(fileId, id);
        // A failed upload is tried again by the next run.
        id.catch(() => uploaded.delete(fileId));
      }
      ids.push(await id);
    }
    return ids;
  }

  function forget(runId: string): void {
    sessions.get(runId)?.reader?.close();
    sessions.delete(runId);
  }

  // Reads the upstream answer until the run's next step is known: a message (streamed on from
  // here), a code interpreter call the backend ran, or the function calls of the response.
  async function readStep(request: ModelRequest, session: RunSession): Promise<ModelStep> {
    const reader = session.reader!;
    const calls: ModelToolCall[] = [];
    const callIds: string[] = [];
    const toolStep = (usage?: Usage): ModelStep => {
      session.callIds = callIds;
      return { type: 'tool_calls', toolCalls: calls, ...(usage === undefined ? {} : { usage }) };
    };
    for (;;) {
      const event = await reader.next();
      if (event === undefined) throw new ModelError('server_error', `The model API's stream ended before its response did.`);
      const { data } = event;
      const type = text(data, 'type') || event.event;
      const item = field(data, 'item');
      switch (type) {
        case 'response.created':
          session.responseId = text(field(data, 'response'), 'id') || session.responseId;
          break;
        case 'response.output_item.added':
          if (field(item, 'type') !== 'message') break;
          if (calls.length > 0) {
            reader.unread(event);
            return toolStep();
          }
          return { type: 'message', text: streamMessage(request, session, text(item, 'id')) };
        case 'response.output_item.done':
          if (field(item, 'type') === 'function_call') {
            const name = text(item, 'name');
            const args = text(item, 'arguments');
            calls.push(name === FILE_SEARCH_FUNCTION && offersFileSearch(request) ? { type: 'file_search', query: fileSearchQuery(args) } : { type: 'function', name, arguments: args });
            callIds.push(text(item, 'call_id'));
          } else if (field(item, 'type') === 'code_interpreter_call') {
            if (calls.length > 0) {
              reader.unread(event);
              return toolStep();
            }
            return { type: 'tool_calls', toolCalls: [{ type: 'code_interpreter', input: text(item, 'code'), logs: logsOf(item) }] };
          }
          break;
        case 'response.completed':
        case 'response.incomplete': {
          session.reader = undefined;
          const usage = usageOf(field(field(data, 'response'), 'usage'));
          if (calls.length > 0) return toolStep(usage);
          // A response with nothing left to say (all its output was earlier steps): an empty answer ends the run.
          const incomplete = type === 'response.incomplete';
          return { type: 'message', text: answerWithoutText({ ...(usage === undefined ? {} : { usage }), ...(incomplete ? { incomplete: 'max_tokens' as const } : {}) }) };
        }
        default:
          failOn(type, data);
      }
    }
  }

  // The text of one upstream message, delta by delta; then how the response goes on or ends.
  async function* streamMessage(request: ModelRequest, session: RunSession, itemId: string): ModelTextStream {
    const reader = session.reader!;
    let answer = '';
    let continuing = false;
    try {
      for (;;) {
        const event = await reader.next();
        if (event === undefined) throw new ModelError('server_error', `The model API's stream ended in the middle of a message.`);
        const type = text(event.data, 'type') || event.event;
        if (type === 'response.output_text.delta' && text(event.data, 'item_id') === itemId) {
          const delta = text(event.data, 'delta');
          answer += delta;
          if (delta !== '') yield delta;
        } else if (type === 'response.output_item.done' && field(field(event.data, 'item'), 'type') === 'message') break;
        else failOn(type, event.data);
      }
      const ending: ModelAnswerEnding = {};
      yield* citeAnswer(answer, request.steps, ending);
      for (;;) {
        const event = await reader.next();
        if (event === undefined) throw new ModelError('server_error', `The model API's stream ended before its response did.`);
        const type = text(event.data, 'type') || event.event;
        if (type === 'response.output_item.added') {
          // More output follows this message (tool calls): the run goes on with it.
          reader.unread(event);
          continuing = true;
          return { ...ending, continues: true };
        }
        if (type === 'response.completed' || type === 'response.incomplete') {
          session.reader = undefined;
          const usage = usageOf(field(field(event.data, 'response'), 'usage'));
          if (usage !== undefined) ending.usage = usage;
          if (type === 'response.incomplete') ending.incomplete = 'max_tokens';
          // Function calls made before this message still wait for their outputs to go upstream.
          else if (session.callIds.length > 0) {
            continuing = true;
            ending.continues = true;
          }
          return ending;
        }
        failOn(type, event.data);
      }
    } finally {
      // Ended, failed or cancelled: nothing of this run is read again.
      if (!continuing) forget(request.run.id);
    }
  }
}

// An upstream failure in the stream becomes the run's failure, with the code it names.
function failOn(type: string | undefined, data: unknown): void {
  if (type === 'response.failed') {
    const error = field(field(data, 'response'), 'error');
    throw new ModelError(streamErrorCode(field(error, 'code')), `The model API failed the response: ${text(error, 'message') || 'no reason given'}`);
  }
  if (type === 'error') {
    const error = field(data, 'error') ?? data;
    throw new ModelError(streamErrorCode(field(error, 'code')), `The model API reported an error: ${text(error, 'message') || 'no reason given'}`);
  }
}

function logsOf(item: unknown): string {
  const outputs = field(item, 'outputs');
  if (!Array.isArray(outputs)) return '';
  return outputs
    .map((output) => (field(output, 'type') === 'logs' ? text(output, 'logs') : ''))
    .filter((logs) => logs !== '')
    .join('\n');
}

// The body of one upstream request: the run's settings, its tools, and the input — the new tool
// outputs on a chained response, else the whole thread and the run's tool calls so far.
function requestBody(request: ModelRequest, session: RunSession, store: boolean, containerFiles: readonly string[]): Json {
  const { run } = request;
  const last = toolSteps(request).at(-1);
  const chained = store && session.responseId !== undefined && last !== undefined && session.callIds.length > 0;
  const input = chained ? toolOutputs(request, last, session.callIds) : wholeInput(request);
  const format = responseFormatOf(run.response_format);
  const body: Json = {
    model: run.model,
    input,
    stream: true,
    store,
    tools: tools(request, containerFiles),
    tool_choice: toolChoice(run.tool_choice),
    ...(chained ? { previous_response_id: session.responseId } : {}),
    ...(run.instructions ? { instructions: run.instructions } : {}),
    ...(run.temperature == null ? {} : { temperature: run.temperature }),
    ...(run.top_p == null ? {} : { top_p: run.top_p }),
    ...(run.parallel_tool_calls === undefined ? {} : { parallel_tool_calls: run.parallel_tool_calls }),
    ...(run.max_completion_tokens == null ? {} : { max_output_tokens: run.max_completion_tokens }),
    ...(format === undefined ? {} : { text: { format: responsesFormat(format) } }),
  };
  session.callIds = [];
  return body;
}

function tools(request: ModelRequest, containerFiles: readonly string[]): Json[] {
  const offered: Json[] = [];
  for (const tool of request.tools) {
    if (tool.type === 'function') {
      const { name, description, parameters, strict } = tool.function;
      offered.push({ type: 'function', name, ...(description ? { description } : {}), parameters: parameters ?? { type: 'object', properties: {} }, strict: strict ?? false });
    } else if (tool.type === 'code_interpreter') {
      offered.push({ type: 'code_interpreter', container: { type: 'auto', ...(containerFiles.length === 0 ? {} : { file_ids: [...containerFiles] }) } });
    }
  }
  if (offersFileSearch(request)) offered.push({ type: 'function', ...FILE_SEARCH_DEFINITION, strict: false });
  return offered;
}

function toolChoice(choice: unknown): unknown {
  if (choice == null) return 'auto';
  if (typeof choice === 'string') return choice;
  const type = field(choice, 'type');
  if (type === 'function') return { type: 'function', name: text(field(choice, 'function'), 'name') };
  if (type === 'file_search') return { type: 'function', name: FILE_SEARCH_FUNCTION };
  if (type === 'code_interpreter') return { type: 'code_interpreter' };
  return 'auto';
}

// Responses puts a JSON schema's name and schema at the top of `text.format`; Chat nests them.
function responsesFormat(format: Json): Json {
  const schema = field(format, 'json_schema');
  return format['type'] === 'json_schema' && typeof schema === 'object' && schema !== null ? { type: 'json_schema', ...(schema as Json) } : format;
}

// The outputs of the last tool step, paired with the upstream calls by order.
function toolOutputs(request: ModelRequest, step: RunStep, callIds: readonly string[]): Json[] {
  const searches = fileSearchesOf(request.steps);
  return answerableCalls(step).flatMap((call, index) => {
    const callId = callIds[index];
    return callId === undefined ? [] : [{ type: 'function_call_output', call_id: callId, output: outputOf(call, searches.findIndex((search) => search.id === call.id), searches) }];
  });
}

function outputOf(call: ToolCall, searchIndex: number, searches: ReturnType<typeof fileSearchesOf>): string {
  if (call.type === 'function') return call.function.output ?? '';
  return call.type === 'file_search' && searchIndex >= 0 ? fileSearchOutput(searches[searchIndex]!, searchIndex) : '';
}

// The thread as input items, then this run's tool calls with their results (our call ids).
function wholeInput(request: ModelRequest): Json[] {
  const items: Json[] = [];
  for (const message of request.messages) {
    const content = responsesContent(message, request.readFile);
    if (content !== undefined) items.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content });
  }
  const searches = fileSearchesOf(request.steps);
  for (const step of toolSteps(request)) {
    for (const call of step.step_details.tool_calls) {
      if (call.type === 'code_interpreter') {
        const logs = call.code_interpreter.outputs.map((output) => (output.type === 'logs' ? output.logs : '')).join('\n');
        items.push({ role: 'assistant', content: `I ran this code:\n${call.code_interpreter.input}\nIts output:\n${logs}` });
        continue;
      }
      const name = call.type === 'function' ? call.function.name : FILE_SEARCH_FUNCTION;
      const args = call.type === 'function' ? call.function.arguments : '{}';
      items.push({ type: 'function_call', call_id: call.id, name, arguments: args });
      items.push({ type: 'function_call_output', call_id: call.id, output: outputOf(call, searches.findIndex((search) => search.id === call.id), searches) });
    }
  }
  return items;
}
