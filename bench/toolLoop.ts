// One agent rollout of N tool calls, as a client of the Responses API makes it: each turn asks a
// question that calls a function, answers the call with its output, and reads the answer; every
// response continues the previous one (`previous_response_id`), so each request carries only its
// new items. The same rollout over HTTP streaming and over WebSocket mode, with our client and
// with the official SDK's. Every answer is checked: a contender that got one wrong fails.
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { AssistantsClient, type ResponseObject } from '../src/index.ts';

/** Who makes the rollout, and how. */
export const TOOL_LOOP_CONTENDERS = ['ours-http', 'ours-ws', 'official-http', 'official-ws'] as const;
export type ToolLoopContender = (typeof TOOL_LOOP_CONTENDERS)[number];

/** What each contender is, in words (for the report). */
export const TOOL_LOOP_LABELS: Readonly<Record<ToolLoopContender, string>> = {
  'ours-http': 'assistant-machines `client.responses.stream` (HTTP + SSE, store: true)',
  'ours-ws': 'assistant-machines `client.responses.connect()` (WebSocket, store: false)',
  'official-http': 'official SDK `responses.create({ stream: true })` (HTTP + SSE, store: true)',
  'official-ws': 'official SDK `ResponsesWS` (WebSocket, store: false)',
};

const TOOL = { type: 'function' as const, name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } };

/** One turn's two requests' bodies after the first: the question, then the call's output. */
interface Turn {
  question: string;
  output: string;
  expected: string;
}

function turnsOf(count: number): Turn[] {
  return Array.from({ length: count }, (_, index) => {
    const output = JSON.stringify({ forecast: index % 2 === 0 ? 'sunny' : 'rainy', turn: index });
    return { question: `What's the weather in Town${String.fromCharCode(65 + (index % 26))}?`, output, expected: `get_weather returned: ${output}` };
  });
}

/** Makes a response from a create body and resolves with it ended; closes its transport. */
interface Transport {
  create(body: Record<string, unknown>): Promise<{ id: string; output: Array<Record<string, unknown>>; text: string }>;
  close(): void;
}

/**
 * Runs one rollout of `calls` tool calls (`2 × calls` responses) against the server at `baseURL`
 * and resolves with its wall time; throws if an answer is not the one expected.
 *
 * @example `const { ms } = await runToolLoop('ours-ws', server.url, 20);`
 */
export async function runToolLoop(contender: ToolLoopContender, baseURL: string, calls: number): Promise<{ ms: number; responses: number }> {
  const started = performance.now();
  const transport = transportOf(contender, baseURL);
  const store = contender.endsWith('-http');
  let previous: string | undefined;
  let responses = 0;
  try {
    for (const turn of turnsOf(calls)) {
      const asked = await transport.create({ model: 'scripted', input: turn.question, tools: [TOOL], store, ...(previous === undefined ? {} : { previous_response_id: previous }) });
      const call = asked.output.find((item) => item['type'] === 'function_call');
      if (call === undefined) throw new Error(`${contender}: "${turn.question}" made no function call`);
      const answered = await transport.create({
        model: 'scripted',
        previous_response_id: asked.id,
        input: [{ type: 'function_call_output', call_id: call['call_id'], output: turn.output }],
        tools: [TOOL],
        store,
      });
      if (answered.text !== turn.expected) throw new Error(`${contender}: expected ${JSON.stringify(turn.expected)}, got ${JSON.stringify(answered.text)}`);
      previous = answered.id;
      responses += 2;
    }
  } finally {
    transport.close();
  }
  return { ms: performance.now() - started, responses };
}

function transportOf(contender: ToolLoopContender, baseURL: string): Transport {
  switch (contender) {
    case 'ours-http': {
      const client = new AssistantsClient({ baseURL, apiKey: 'bench' });
      return { create: async (body) => summary(await client.responses.stream(body as never).finalResponse()), close: () => {} };
    }
    case 'ours-ws': {
      const socket = new AssistantsClient({ baseURL, apiKey: 'bench' }).responses.connect();
      return { create: async (body) => summary(await socket.create(body as never)), close: () => socket.close() };
    }
    case 'official-http': {
      const openai = new OpenAI({ baseURL, apiKey: 'bench' });
      return {
        create: async (body) => {
          let response: OpenAI.Responses.Response | undefined;
          for await (const event of await openai.responses.create({ ...(body as object), stream: true } as OpenAI.Responses.ResponseCreateParamsStreaming)) {
            if (event.type === 'response.completed') response = event.response;
          }
          return summary(response as unknown as ResponseObject);
        },
        close: () => {},
      };
    }
    case 'official-ws': {
      const ws = new ResponsesWS(new OpenAI({ baseURL, apiKey: 'bench' }));
      let waiting: ((response: OpenAI.Responses.Response) => void) | undefined;
      let failed: ((error: Error) => void) | undefined;
      ws.on('response.completed', (event) => waiting?.(event.response));
      ws.on('error', (error) => failed?.(error));
      return {
        create: (body) =>
          new Promise((resolve, reject) => {
            waiting = (response) => resolve(summary(response as unknown as ResponseObject));
            failed = reject;
            ws.send({ type: 'response.create', ...(body as object) } as OpenAI.Responses.ResponsesClientEvent);
          }),
        close: () => ws.close(),
      };
    }
  }
}

function summary(response: ResponseObject) {
  let text = '';
  for (const item of response.output) {
    if (item.type !== 'message') continue;
    for (const part of (item as { content: Array<{ type: string; text?: string }> }).content) if (part.type === 'output_text') text += part.text ?? '';
  }
  return { id: response.id, output: response.output as unknown as Array<Record<string, unknown>>, text };
}
