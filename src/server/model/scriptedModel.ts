import type { AssistantTool, Message, ToolCall } from '../../wire/index.ts';
import { bestPassage } from '../search.ts';
import { findArithmeticExpression } from './expressions.ts';
import { fillArguments, namedFunctionTools, type FunctionTool } from './functionTools.ts';
import type { Model, ModelCitation, ModelRequest, ModelStep, ModelToolCall } from './model.ts';

/**
 * The default model: deterministic rules instead of a language model, so tests and demos get
 * the same run every time, with every kind of step a real run has.
 *
 * For the latest user message it plans the tool calls, then takes them one step at a time:
 * 1. **function tools** whose name's meaningful word the message contains are called, with
 *    arguments filled from the message ("What's the weather in Paris?" with `get_weather(city)`
 *    → `get_weather({"city":"Paris"})`); several named tools are called in parallel in one step
 *    (one per step when `parallel_tool_calls` is false);
 * 2. with **code_interpreter**, an arithmetic expression in the message is computed in Python
 *    (`print(2**10 + 3*7)`);
 * 3. with **file_search** and a vector store attached, the message is searched for — when no
 *    other tool applies, or when the message asks about the documents ("what does the handbook
 *    say…", see {@link mentionsDocuments}).
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
    const made = [
      ...(request.answeredToolCalls ?? []),
      ...request.steps.flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : [])),
    ];
    const pending = plannedToolCalls(request, question).filter((call) => !made.some((done) => sameCall(call, done)));
    if (pending.length > 0) return { type: 'tool_calls', toolCalls: nextToolStep(request, pending) };
    return made.length === 0 ? { type: 'message', text: plainAnswer(question) } : answerFromToolCalls(made, question);
  },
};

// Every call the message asks for, in the order they are made: functions, code, search.
function plannedToolCalls(request: ModelRequest, question: string): ModelToolCall[] {
  if (request.run.tool_choice === 'none') return [];
  const calls = forcedFunctions(request.tools, request.run.tool_choice, question).map((tool) => functionCall(tool, question));
  const has = (type: AssistantTool['type']) => request.tools.some((tool) => tool.type === type);
  const expression = has('code_interpreter') ? findArithmeticExpression(question) : undefined;
  if (expression !== undefined) calls.push({ type: 'code_interpreter', input: `print(${expression})` });
  if (has('file_search') && request.vectorStoreIds.length > 0 && (calls.length === 0 || mentionsDocuments(question))) {
    calls.push({ type: 'file_search', query: question });
  }
  return calls;
}

// The functions still to call go together in one step (parallel calls), unless the run says
// otherwise; a hosted tool gets a step of its own, as the API streams them.
function nextToolStep(request: ModelRequest, pending: readonly ModelToolCall[]): ModelToolCall[] {
  const [first] = pending;
  if (first?.type !== 'function' || request.run.parallel_tool_calls === false) return pending.slice(0, 1);
  const end = pending.findIndex((call) => call.type !== 'function');
  return pending.slice(0, end === -1 ? pending.length : end);
}

// Whether a planned call was already made in this run (a function by name, a hosted tool by kind).
function sameCall(planned: ModelToolCall, made: ToolCall): boolean {
  return planned.type === 'function' ? made.type === 'function' && made.function.name === planned.name : made.type === planned.type;
}

// Nouns that point at the attached documents rather than at a function or a computation.
const DOCUMENT_WORDS = /\b(?:files?|documents?|docs?|handbooks?|manuals?|guides?|polic(?:y|ies)|notes?|attachments?)\b/i;

/**
 * Whether a message asks about the attached documents ("what does the handbook say…"): then
 * file_search runs even when a function or the code interpreter is called too.
 *
 * @example `mentionsDocuments('What does the travel policy say about hotels?') // true`
 */
export function mentionsDocuments(text: string): boolean {
  return DOCUMENT_WORDS.test(text);
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

/** How much of a question the scripted model's plain answer repeats. */
export const MAX_ECHO_CHARACTERS = 200;

function plainAnswer(question: string): string {
  if (question === '') return 'I am the scripted model of assistant-machines, and your message has no text for me to answer.';
  // A huge message must not become a huge answer: the echo is cut (10 MiB of question made
  // 73 MB of deltas before it was).
  const echoed = question.length > MAX_ECHO_CHARACTERS ? `${question.slice(0, MAX_ECHO_CHARACTERS)}…` : question;
  return `You said: "${echoed}". I am the scripted model of assistant-machines: name a function tool and I call it, give me arithmetic and I compute it with the code interpreter, attach files and I quote them with file search.`;
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
