import type { FunctionToolCall } from '../../wire/index.ts';
import { fragments, type ToolCallContext } from './toolCall.ts';

/**
 * Streams a function call: its name, then its arguments in fragments. The call's output stays
 * null: the client runs the function and submits the output, which the executor waits for.
 *
 * @example `const call = await callFunction({ name: 'get_weather', arguments: '{"city":"Paris"}' }, context);`
 */
export async function callFunction(call: { name: string; arguments: string }, context: ToolCallContext): Promise<FunctionToolCall> {
  const toolCall: FunctionToolCall = { id: context.id, type: 'function', function: { name: call.name, arguments: '', output: null } };
  context.open(toolCall, { index: context.index, id: context.id, type: 'function', function: { name: call.name, arguments: '', output: null } });
  for (const fragment of fragments(call.arguments)) {
    await context.fragmentPause();
    toolCall.function.arguments += fragment;
    context.delta({ index: context.index, type: 'function', function: { arguments: fragment } });
  }
  context.countCompletion(call.name + call.arguments);
  return toolCall;
}
