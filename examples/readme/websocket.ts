// docs/responses.md, "WebSocket mode": a tool loop on one connection, each turn only its new
// items, the chain kept by the connection (store: false).
import type { ResponseFunctionCall } from '../../src/index.ts';
import type { Setup } from './setup.ts';

export async function main({ client }: Pick<Setup, 'client'>) {
  // #region readme
  const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
  const socket = client.responses.connect(); // one connection to wss://…/v1/responses
  let response = await socket.stream({ model: 'scripted', input: "What's the weather in Paris?", tools, store: false }).finalResponse();
  while (response.output.some((item) => item.type === 'function_call')) {
    const calls = response.output.filter((item): item is ResponseFunctionCall => item.type === 'function_call');
    const input = calls.map((call) => ({ type: 'function_call_output' as const, call_id: call.call_id, output: '{"forecast":"sunny"}' }));
    // Only the new items: the connection keeps the chain (store: false included).
    response = await socket.stream({ model: 'scripted', previous_response_id: response.id, input, tools, store: false }).finalResponse();
  }
  socket.close();
  console.log(response.output_text); // get_weather returned: {"forecast":"sunny"}
  // #endregion
  return response;
}
