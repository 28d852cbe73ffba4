import type { AssistantTool, Message, ToolCall } from '../../wire/index.ts';
import { bestPassage } from '../search.ts';
import { findArithmeticExpression } from './expressions.ts';
import { fillArguments, namedFunctionTools, type FunctionTool } from './functionTools.ts';
import type { Model, ModelCitation, ModelRequest, ModelStep, ModelToolCall } from './model.ts';

/**
 * The default model: deterministic rules instead of a language model, so tests and demos get
 * the same run every time, with every kind of step a real run has.
 *
 * For the latest user message, once per run:
 * 1. **function tools** whose name's meaningful word the message contains are called, with
 *    arguments filled from the message ("What's the weather in Paris?" with `get_weather(city)`
 *    → `get_weather({"city":"Paris"})`); several named tools are called in parallel in one step
 *    (one per step when `parallel_tool_calls` is false);
 * 2. else, with **code_interpreter**, an arithmetic expression in the message is computed in
 *    Python (`print(2**10 + 3*7)`);
 * 3. else, with **file_search** and a vector store attached, the message is searched for.
 *
 * Then it answers, quoting what the tools returned: function outputs verbatim, the computed
 * value, the best matching passage with a `file_citation`. Without tools it answers in plain
 * text. `tool_choice` is honoured: `none` never calls, `required` and a named function force a call.
 *
 * @example
 * ```ts
 * const server = await createServer({ model: scriptedModel }); // the default anyway
 * ```
 */
export const scriptedModel: Model = {
  nextStep(request: ModelRequest): ModelStep {
    const question = latestUserText(request.messages);
    const toolCalls = request.steps.flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : []));
    if (toolCalls.length === 0) {
      const calls = chooseToolCalls(request, question);
      if (calls.length > 0) return { type: 'tool_calls', toolCalls: calls };
      return { type: 'message', text: plainAnswer(question) };
    }
    const pending = remainingFunctionCalls(request, question, toolCalls);
    if (pending.length > 0) return { type: 'tool_calls', toolCalls: pending };
    return answerFromToolCalls(toolCalls, question);
  },
};

function chooseToolCalls(request: ModelRequest, question: string): ModelToolCall[] {
  const toolChoice = request.run.tool_choice;
  if (toolChoice === 'none') return [];
  const functions = forcedFunctions(request.tools, toolChoice, question);
  if (functions.length > 0) {
    const calls = functions.map((tool) => functionCall(tool, question));
    return request.run.parallel_tool_calls === false ? calls.slice(0, 1) : calls;
  }
  const has = (type: AssistantTool['type']) => request.tools.some((tool) => tool.type === type);
  const expression = has('code_interpreter') ? findArithmeticExpression(question) : undefined;
  if (expression !== undefined) return [{ type: 'code_interpreter', input: `print(${expression})` }];
  if (has('file_search') && request.vectorStoreIds.length > 0) return [{ type: 'file_search', query: question }];
  return [];
}

// The functions to call: the one `tool_choice` names, else those the message names, else —
// when a call is `required` — the first function there is.
function forcedFunctions(tools: readonly AssistantTool[], toolChoice: unknown, question: string): FunctionTool[] {
  const functions = tools.filter((tool): tool is FunctionTool => tool.type === 'function');
  if (isNamedFunctionChoice(toolChoice)) return functions.filter((tool) => tool.function.name === toolChoice.function.name);
  const named = namedFunctionTools(tools, question);
  if (named.length > 0) return named;
  return toolChoice === 'required' ? functions.slice(0, 1) : [];
}

function isNamedFunctionChoice(value: unknown): value is { type: 'function'; function: { name: string } } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'function';
}

// With parallel_tool_calls false, the named functions are called one step at a time.
function remainingFunctionCalls(request: ModelRequest, question: string, done: readonly ToolCall[]): ModelToolCall[] {
  if (request.run.parallel_tool_calls !== false || request.run.tool_choice === 'none') return [];
  const called = new Set(done.flatMap((call) => (call.type === 'function' ? [call.function.name] : [])));
  const next = forcedFunctions(request.tools, request.run.tool_choice, question).find((tool) => !called.has(tool.function.name));
  return next === undefined ? [] : [functionCall(next, question)];
}

function functionCall(tool: FunctionTool, question: string): ModelToolCall {
  return { type: 'function', name: tool.function.name, arguments: JSON.stringify(fillArguments(tool.function.parameters, question)) };
}

function answerFromToolCalls(toolCalls: readonly ToolCall[], question: string): ModelStep {
  let text = '';
  const append = (part: string) => {
    text += text === '' ? part : `\n\n${part}`;
  };
  const annotations: ModelCitation[] = [];
  const functions = toolCalls.filter((call) => call.type === 'function');
  if (functions.length === 1) append(`${functions[0]!.function.name} returned: ${functions[0]!.function.output ?? ''}`);
  else if (functions.length > 1) {
    append(['The tools returned:', ...functions.map((call) => `- ${call.function.name}: ${call.function.output ?? ''}`)].join('\n'));
  }
  for (const call of toolCalls) {
    if (call.type === 'code_interpreter') append(describeComputation(call));
    if (call.type !== 'file_search') continue;
    const [best] = call.file_search.results ?? [];
    const passage = best?.content?.map((part) => part.text ?? '').join('') ?? '';
    if (best === undefined || passage === '') {
      append(`I searched the attached files for "${question}" and found nothing about it.`);
      continue;
    }
    append(`According to ${best.file_name ?? best.file_id}: "${bestPassage(question, passage)}"`);
    const marker = `【${annotations.length}:0†source】`;
    annotations.push({
      type: 'file_citation',
      text: marker,
      start_index: text.length,
      end_index: text.length + marker.length,
      file_citation: { file_id: best.file_id },
    });
    text += marker;
  }
  return { type: 'message', text, annotations };
}

function describeComputation(call: Extract<ToolCall, { type: 'code_interpreter' }>): string {
  const expression = /^print\((.*)\)$/.exec(call.code_interpreter.input.trim())?.[1] ?? call.code_interpreter.input;
  const logs = call.code_interpreter.outputs.map((output) => (output.type === 'logs' ? output.logs : '')).join('\n');
  return /^\w+Error: /.test(logs) ? `Computing ${expression} raised ${logs}.` : `The result of ${expression} is ${logs}.`;
}

function plainAnswer(question: string): string {
  if (question === '') return 'I am the scripted model of assistant-machines, and your message has no text for me to answer.';
  return `You said: "${question}". I am the scripted model of assistant-machines: name a function tool and I call it, give me arithmetic and I compute it with the code interpreter, attach files and I quote them with file search.`;
}

/** The text of the newest user message (its text parts joined), or ''. */
export function latestUserText(messages: readonly Message[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.role !== 'user') continue;
    return message.content
      .map((part) => (part.type === 'text' ? part.text.value : ''))
      .filter((text) => text !== '')
      .join('\n');
  }
  return '';
}
