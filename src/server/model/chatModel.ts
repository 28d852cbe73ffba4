import type { Usage } from '../../wire/index.ts';
import { answerWithoutText, EventReader, field, refuseCodeInterpreter, responseFormatOf, text, toolSteps, usageOf, type Json } from './conversation.ts';
import { citeAnswer, FILE_SEARCH_DEFINITION, FILE_SEARCH_FUNCTION, fileSearchesOf, fileSearchOutput, fileSearchQuery, offersFileSearch } from './fileSearchFunction.ts';
import { ModelError, type Model, type ModelAnswerEnding, type ModelRequest, type ModelStep, type ModelTextStream, type ModelToolCall } from './model.ts';
import { chatContent } from './images.ts';
import { streamErrorCode, Upstream, type UpstreamOptions } from './upstream.ts';

// A tool call as its deltas build it up (`choices[0].delta.tool_calls[index]`).
interface CallUnderway {
  name: string;
  arguments: string;
}

// Tool calls streamed after text in one completion: the run's next step, asked for next.
interface Leftover {
  calls: ModelToolCall[];
  usage: Usage | undefined;
}

/**
 * A live model behind the Chat Completions API (`POST {baseURL}/chat/completions`, streamed
 * `chat.completion.chunk`s). Chat keeps no state, so every step sends the whole thread, then
 * the run's tool calls with their results. Function tools come back as `requires_action`;
 * file_search runs in this server, offered as a `file_search` function, and the answer cites
 * what it used. Chat has no code interpreter: a run that offers one fails with `invalid_prompt`,
 * saying so.
 *
 * @example
 * ```ts
 * const server = await createServer({ model: createChatModel({ baseURL: 'http://127.0.0.1:11434/v1' }) });
 * ```
 */
export function createChatModel(options: UpstreamOptions): Model {
  const upstream = new Upstream(options);
  const leftovers = new Map<string, Leftover>();

  return {
    async nextStep(request: ModelRequest): Promise<ModelStep> {
      refuseCodeInterpreter(request, 'Chat Completions');
      const leftover = leftovers.get(request.run.id);
      if (leftover !== undefined) {
        leftovers.delete(request.run.id);
        return { type: 'tool_calls', toolCalls: leftover.calls, ...(leftover.usage === undefined ? {} : { usage: leftover.usage }) };
      }
      const reader = new EventReader(upstream.stream('/chat/completions', requestBody(request), request.signal));
      try {
        return await readStep(request, reader);
      } catch (error) {
        reader.close();
        throw error;
      }
    },
  };

  // Reads chunks until the step is known: text first makes it a message (streamed on from
  // here); tool call deltas first make it a tool step, read to the end of the completion.
  async function readStep(request: ModelRequest, reader: EventReader): Promise<ModelStep> {
    const calls: CallUnderway[] = [];
    let finish: string | undefined;
    let usage: Usage | undefined;
    for (;;) {
      const event = await reader.next();
      if (event === undefined) break;
      const chunk = readChunk(event.data);
      usage = chunk.usage ?? usage;
      if (chunk.content !== '' && calls.length === 0) {
        reader.unread(event);
        return { type: 'message', text: streamMessage(request, reader) };
      }
      addToolCallDeltas(calls, chunk.toolCalls);
      finish = chunk.finish || finish;
    }
    if (calls.length > 0) return { type: 'tool_calls', toolCalls: toModelCalls(request, calls), ...(usage === undefined ? {} : { usage }) };
    return { type: 'message', text: answerWithoutText({ ...(usage === undefined ? {} : { usage }), ...(finish === 'length' ? { incomplete: 'max_tokens' as const } : {}) }) };
  }

  async function* streamMessage(request: ModelRequest, reader: EventReader): ModelTextStream {
    let answer = '';
    const calls: CallUnderway[] = [];
    let finish: string | undefined;
    let usage: Usage | undefined;
    try {
      for (;;) {
        const event = await reader.next();
        if (event === undefined) break;
        const chunk = readChunk(event.data);
        usage = chunk.usage ?? usage;
        if (chunk.content !== '') {
          answer += chunk.content;
          yield chunk.content;
        }
        addToolCallDeltas(calls, chunk.toolCalls);
        finish = chunk.finish || finish;
      }
    } finally {
      reader.close();
    }
    const ending: ModelAnswerEnding = {};
    yield* citeAnswer(answer, request.steps, ending);
    if (finish === 'length') ending.incomplete = 'max_tokens';
    if (calls.length > 0 && ending.incomplete === undefined) {
      // The usage covers the whole completion: it goes with the tool step that ends it.
      leftovers.set(request.run.id, { calls: toModelCalls(request, calls), usage });
      ending.continues = true;
      request.signal.addEventListener('abort', () => leftovers.delete(request.run.id), { once: true });
    } else if (usage !== undefined) ending.usage = usage;
    return ending;
  }
}

// What one Chat Completions chunk carries: the step reader and the message stream read the same.
function readChunk(chunk: unknown): { usage: Usage | undefined; content: string; toolCalls: unknown; finish: string } {
  failOn(chunk);
  const choice = firstChoice(chunk);
  const delta = field(choice, 'delta');
  return { usage: usageOf(field(chunk, 'usage')), content: text(delta, 'content'), toolCalls: field(delta, 'tool_calls'), finish: text(choice, 'finish_reason') };
}

function firstChoice(chunk: unknown): unknown {
  const choices = field(chunk, 'choices');
  return Array.isArray(choices) ? choices[0] : undefined;
}

// A chunk that carries an `error` (some servers report a failure mid-stream that way).
function failOn(chunk: unknown): void {
  const error = field(chunk, 'error');
  if (error === undefined || error === null) return;
  throw new ModelError(streamErrorCode(field(error, 'code')), `The model API reported an error: ${text(error, 'message') || 'no reason given'}`);
}

function addToolCallDeltas(calls: CallUnderway[], deltas: unknown): void {
  if (!Array.isArray(deltas)) return;
  for (const delta of deltas) {
    const index = field(delta, 'index');
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > calls.length) {
      throw new ModelError('server_error', `The model API sent a tool call delta with index ${String(index)} after ${calls.length} calls.`);
    }
    const call = calls[index] ?? { name: '', arguments: '' };
    calls[index] = call;
    const fn = field(delta, 'function');
    call.name += text(fn, 'name');
    call.arguments += text(fn, 'arguments');
  }
}

function toModelCalls(request: ModelRequest, calls: readonly CallUnderway[]): ModelToolCall[] {
  return calls.map((call) =>
    call.name === FILE_SEARCH_FUNCTION && offersFileSearch(request)
      ? { type: 'file_search', query: fileSearchQuery(call.arguments) }
      : { type: 'function', name: call.name, arguments: call.arguments },
  );
}

// The whole conversation: instructions, the thread, then this run's tool calls and results.
function requestBody(request: ModelRequest): Json {
  const { run } = request;
  const messages: Json[] = [];
  if (run.instructions) messages.push({ role: 'system', content: run.instructions });
  for (const message of request.messages) {
    const content = chatContent(message, request.readFile);
    if (content !== undefined) messages.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content });
  }
  const searches = fileSearchesOf(request.steps);
  for (const step of toolSteps(request)) {
    const calls = step.step_details.tool_calls.filter((call) => call.type === 'function' || call.type === 'file_search');
    if (calls.length === 0) continue;
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: calls.map((call) => ({
        id: call.id,
        type: 'function',
        function: call.type === 'function' ? { name: call.function.name, arguments: call.function.arguments } : { name: FILE_SEARCH_FUNCTION, arguments: '{}' },
      })),
    });
    for (const call of calls) {
      const searchIndex = searches.findIndex((search) => search.id === call.id);
      const content = call.type === 'function' ? (call.function.output ?? '') : searchIndex >= 0 ? fileSearchOutput(searches[searchIndex]!, searchIndex) : '';
      messages.push({ role: 'tool', tool_call_id: call.id, content });
    }
  }
  const tools: Json[] = request.tools.flatMap((tool) => (tool.type === 'function' ? [{ type: 'function', function: { parameters: { type: 'object', properties: {} }, ...tool.function } }] : []));
  if (offersFileSearch(request)) tools.push({ type: 'function', function: FILE_SEARCH_DEFINITION });
  const format = responseFormatOf(run.response_format);
  return {
    model: run.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    ...(tools.length > 0 ? { tools, tool_choice: toolChoice(run.tool_choice) } : {}),
    ...(tools.length > 0 && run.parallel_tool_calls !== undefined ? { parallel_tool_calls: run.parallel_tool_calls } : {}),
    ...(run.temperature == null ? {} : { temperature: run.temperature }),
    ...(run.top_p == null ? {} : { top_p: run.top_p }),
    ...(run.max_completion_tokens == null ? {} : { max_completion_tokens: run.max_completion_tokens }),
    ...(format === undefined ? {} : { response_format: format }),
  };
}

function toolChoice(choice: unknown): unknown {
  if (choice == null) return 'auto';
  if (typeof choice === 'string') return choice;
  const type = field(choice, 'type');
  if (type === 'function') return { type: 'function', function: { name: text(field(choice, 'function'), 'name') } };
  if (type === 'file_search') return { type: 'function', function: { name: FILE_SEARCH_FUNCTION } };
  return 'auto';
}
