import OpenAI from 'openai';
import { createServer, type AssistantsServer, type ServerOptions } from '../../src/server/index.ts';

/** A server for one test file, its SDK client, and the server bugs it reported. */
export interface TestServer {
  server: AssistantsServer;
  openai: OpenAI;
  /** Internal errors the server reported (a refused status change, a throw): must stay empty. */
  internalErrors: unknown[];
  /** `fetch` against the server with the headers the SDK sends. */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Fast by default: no pauses, polling every 5 ms. */
export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const internalErrors: unknown[] = [];
  const server = await createServer({
    pace: { deltaDelayMs: 0, stepDelayMs: 0 },
    pollAfterMs: 5,
    onInternalError: (error) => internalErrors.push(error),
    ...options,
  });
  const openai = new OpenAI({ baseURL: server.url, apiKey: 'test-key', maxRetries: 0 });
  return {
    server,
    openai,
    internalErrors,
    request: (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json', 'openai-beta': 'assistants=v2', ...(init.headers as Record<string, string> | undefined) },
      }),
    close: () => server.close(),
  };
}

/** A function tool with the given string parameters, all required. */
export function functionTool(name: string, ...parameters: string[]) {
  return {
    type: 'function' as const,
    function: {
      name,
      parameters: { type: 'object', properties: Object.fromEntries(parameters.map((parameter) => [parameter, { type: 'string' }])), required: parameters },
    },
  };
}
