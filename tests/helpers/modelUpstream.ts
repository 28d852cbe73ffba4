import type { ServerResponse } from 'node:http';
import { fillArguments, namedFunctionTools } from '../../src/server/model/functionTools.ts';
import type { AssistantTool } from '../../src/wire/index.ts';
import { apiError, startLoopback, type Loopback, type SeenRequest } from './loopback.ts';

/** A failure the next requests get instead of an answer. */
export interface Fault {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** A model API in front of (or instead of) a backend: it records requests and can fail the next ones. */
export interface ModelUpstream extends Loopback {
  /** The next `times` requests get `fault` (a 429, a 500 …). */
  failNext(times: number, fault: Fault): void;
  /** The parsed JSON bodies of the requests, in order. */
  bodies(): Array<Record<string, unknown>>;
  /** Every request that was answered with a fault. */
  readonly faulted: SeenRequest[];
  /** Every request whose client hung up before the answer ended. */
  readonly abandoned: SeenRequest[];
}

function withFaults(start: (respond: (request: SeenRequest, response: ServerResponse) => Promise<void>) => Promise<Loopback>, answer: (request: SeenRequest, response: ServerResponse) => Promise<void>): Promise<ModelUpstream> {
  const faults: Fault[] = [];
  const faulted: SeenRequest[] = [];
  const abandoned: SeenRequest[] = [];
  return start(async (request, response) => {
    response.on('close', () => {
      if (!response.writableFinished) abandoned.push(request);
    });
    const fault = faults.shift();
    if (fault !== undefined) {
      faulted.push(request);
      apiError(response, fault.status, fault.message, {}, fault.headers ?? {});
      return;
    }
    await answer(request, response);
  }).then((loopback) => ({
    ...loopback,
    faulted,
    abandoned,
    failNext(times, fault) {
      for (let count = 0; count < times; count += 1) faults.push(fault);
    },
    bodies: () => loopback.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>),
  }));
}

/**
 * A loopback proxy to a Responses API (our embedded server's `/v1/responses`) that records
 * each request and can fail the next ones; `rewrite` changes a request body on its way.
 */
export function startResponsesProxy(targetBaseURL: string, rewrite: (body: Record<string, unknown>) => Record<string, unknown> = (body) => body): Promise<ModelUpstream> {
  return withFaults(startLoopback, async (request, response) => {
    const body = JSON.stringify(rewrite(JSON.parse(request.body) as Record<string, unknown>));
    const path = request.url.replace(/^\/v1/, '');
    const upstream = await fetch(`${targetBaseURL}${path}`, { method: request.method, headers: { 'content-type': 'application/json' }, body });
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    const reader = upstream.body?.getReader();
    for (;;) {
      const read = await reader?.read();
      if (read === undefined || read.done) break;
      response.write(read.value);
    }
    response.end();
  });
}

/** Options of {@link startChatCompletions}. */
export interface ChatCompletionsOptions {
  /** A pause before each chunk (for cancel tests); default none. */
  chunkDelayMs?: number;
}

interface ChatMessage {
  role: string;
  content?: string | null;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } }>;
  tool_choice?: unknown;
  max_completion_tokens?: number;
}

/**
 * A small Chat Completions API on loopback that streams `chat.completion.chunk`s the way the
 * real one does, deciding like the scripted model: a function whose meaningful word the last
 * user message names is called (arguments from the message, streamed as tool_calls deltas);
 * a message saying "first" gets a line of text before the calls; tool results are answered by quoting them (a file_search passage with its marker); anything
 * else is echoed. `max_completion_tokens` counts words and ends with `finish_reason: length`.
 * The last chunk carries `usage` (words as tokens).
 */
export function startChatCompletions(options: ChatCompletionsOptions = {}): Promise<ModelUpstream> {
  return withFaults(startLoopback, async (request, response) => {
    if (!request.url.endsWith('/chat/completions')) return apiError(response, 404, `No route ${request.url}`);
    const body = JSON.parse(request.body) as ChatRequest;
    const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = async (delta: Record<string, unknown>, finish: string | null = null) => {
      if (options.chunkDelayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.chunkDelayMs));
      if (response.destroyed) throw new Error('the client went away');
      response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    };
    const promptTokens = words(body.messages.map((message) => message.content ?? '').join(' ')).length;
    const plan = decide(body);
    let completionTokens = 0;
    let finish = 'stop';
    await send({ role: 'assistant', content: '' });
    if (plan.type === 'text') {
      const pieces = plan.text.match(/\s*\S+\s*/g) ?? [];
      const limit = body.max_completion_tokens ?? Number.POSITIVE_INFINITY;
      for (const piece of pieces) {
        if (completionTokens >= limit) {
          finish = 'length';
          break;
        }
        completionTokens += 1;
        await send({ content: piece });
      }
    } else {
      if (plan.preface !== undefined) await send({ content: plan.preface });
      for (const [index, call] of plan.calls.entries()) {
        await send({ tool_calls: [{ index, id: `call_${index}${id.slice(-6)}`, type: 'function', function: { name: call.name, arguments: '' } }] });
        for (const piece of call.arguments.match(/.{1,8}/gs) ?? []) await send({ tool_calls: [{ index, function: { arguments: piece } }] });
        completionTokens += words(call.arguments).length + 1;
      }
      finish = 'tool_calls';
    }
    await send({}, finish);
    response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: body.model, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } })}\n\n`);
    response.end('data: [DONE]\n\n');
  });
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '');
}

function decide(body: ChatRequest): { type: 'text'; text: string } | { type: 'calls'; preface?: string; calls: Array<{ name: string; arguments: string }> } {
  const last = body.messages.at(-1);
  const lastOf = (role: string) => [...body.messages].reverse().find((message) => message.role === role);
  if (last?.role === 'tool') {
    const assistant = lastOf('assistant');
    const results = body.messages.slice(assistant === undefined ? 0 : body.messages.lastIndexOf(assistant) + 1);
    const calls = assistant?.tool_calls ?? [];
    const quoted = results.map((result) => {
      const name = calls.find((call) => call.id === result.tool_call_id)?.function.name ?? 'the tool';
      const content = result.content ?? '';
      return name === 'file_search' ? `The files say: ${content.split('\n\n')[0] ?? ''}` : `${name} returned: ${content}`;
    });
    return { type: 'text', text: quoted.join('\n') };
  }
  const question = lastOf('user')?.content ?? '';
  if (body.tool_choice !== 'none' && body.tools !== undefined) {
    const tools = body.tools.map((tool) => ({ type: 'function', function: tool.function }) as AssistantTool);
    const named = namedFunctionTools(tools, question);
    if (named.length > 0) {
      return {
        type: 'calls',
        // "… first" makes the model say something before it calls: text, then tool_calls deltas.
        ...(/\bfirst\b/i.test(question) ? { preface: 'Let me look that up.' } : {}),
        calls: named.map((tool) => ({ name: tool.function.name, arguments: JSON.stringify(fillArguments(tool.function.parameters, question)) })),
      };
    }
  }
  const system = body.messages.find((message) => message.role === 'system')?.content;
  return { type: 'text', text: `You said: "${question}".${system ? ` My instructions: ${system}` : ''}` };
}
