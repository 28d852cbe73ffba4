import type { AssistantTool } from '../../wire/index.ts';

/** A function tool definition (`{ type: 'function', function: { name, parameters } }`). */
export type FunctionTool = Extract<AssistantTool, { type: 'function' }>;

// Words of a tool name that say what it does rather than what it is about.
const GENERIC_WORDS = new Set(
  (
    'get set fetch find lookup look up search query retrieve read list create make add update delete remove call run do ' +
    'check compute calculate send post put current latest info information data details detail by for the a an of to from in on with'
  ).split(' '),
);

/**
 * The words of a function name that say what it is about: `get_current_weather` → `weather`,
 * `lookupStockPrice` → `stock`, `price`. Generic verbs and fillers are dropped unless nothing
 * else is left.
 *
 * @example `meaningfulWords('get_weather') // ['weather']`
 */
export function meaningfulWords(name: string): string[] {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  const meaningful = words.filter((word) => !GENERIC_WORDS.has(word));
  return (meaningful.length > 0 ? meaningful : words).map(singular);
}

/**
 * The function tools a message names: those with a meaningful word in the message (plurals
 * and possessives count: "weather's", "prices").
 *
 * @example `namedFunctionTools(tools, "What's the weather in Paris?") // [get_weather]`
 */
export function namedFunctionTools(tools: readonly AssistantTool[], text: string): FunctionTool[] {
  const words = new Set((text.toLowerCase().match(/[a-z0-9]+/g) ?? []).map(singular));
  return tools.filter((tool): tool is FunctionTool => tool.type === 'function' && meaningfulWords(tool.function.name).some((word) => words.has(word)));
}

function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

interface PropertySchema {
  type?: unknown;
  enum?: unknown;
}

// Capitalised words that start a question rather than name something.
const SENTENCE_OPENERS = new Set(
  "What What's Whats How Is Are Was Tell Please Can Could Would Will Do Does Did Give Show Get Find Look I I'm Hi Hello Hey Which Where When Who Why Should Compute Calculate Check Search The A An And Or In At For Of On To From".split(
    ' ',
  ),
);
const PREPOSITION_PHRASE = /\b(?:in|at|for|of|near|from|to|about|on)\s+([\p{L}\p{N}][\p{L}\p{N}'-]*(?:\s+[\p{L}\p{N}][\p{L}\p{N}'-]*){0,2})/giu;

/**
 * Arguments for a function, filled from the user's message by the parameters' JSON schema:
 * an enum takes the value the message mentions; a number, the first number; a string, a
 * quoted phrase, else a proper name ("Paris", "New York"), else the words after a preposition.
 * Required parameters always get a value (the enum's first, 0, false, the whole message);
 * optional ones only when the message supplies one.
 *
 * @example `fillArguments({ type: 'object', properties: { city: { type: 'string' } } }, "What's the weather in Paris?") // { city: 'Paris' }`
 */
export function fillArguments(parameters: Record<string, unknown> | undefined, text: string): Record<string, unknown> {
  const properties = isRecord(parameters?.['properties']) ? parameters['properties'] : {};
  const required = new Set(Array.isArray(parameters?.['required']) ? parameters['required'].filter((name) => typeof name === 'string') : []);
  const filled: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    const value = valueFor(isRecord(schema) ? schema : {}, text, required.has(name));
    if (value !== undefined) filled[name] = value;
  }
  return filled;
}

function valueFor(schema: PropertySchema, text: string, required: boolean): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const mentioned = schema.enum.find((option) => typeof option === 'string' && new RegExp(`\\b${escapeRegExp(option)}\\b`, 'i').test(text));
    return mentioned ?? (required ? schema.enum[0] : undefined);
  }
  switch (schema.type) {
    case 'number':
    case 'integer': {
      const number = /-?\d+(?:\.\d+)?/.exec(text)?.[0];
      if (number !== undefined) return schema.type === 'integer' ? Math.trunc(Number(number)) : Number(number);
      return required ? 0 : undefined;
    }
    case 'boolean':
      return required ? false : undefined;
    case 'array':
      return required ? [] : undefined;
    case 'object':
      return required ? {} : undefined;
    default: {
      const found = quotedPhrase(text) ?? properName(text) ?? prepositionPhrase(text);
      return found ?? (required ? text.trim() : undefined);
    }
  }
}

function quotedPhrase(text: string): string | undefined {
  return /"([^"]+)"|“([^”]+)”|'([^']{2,})'(?!\w)/.exec(text)?.slice(1).find((group) => group !== undefined);
}

// A run of capitalised words ("New York"). A sentence's first word is capitalised anyway, so
// a run that starts a sentence counts only from its second word, or as a last resort.
function properName(text: string): string | undefined {
  let sentenceStart: string | undefined;
  for (const match of text.matchAll(/\p{Lu}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)*/gu)) {
    const words = match[0].split(/\s+/);
    const startsSentence = /(?:^|[.!?]\s*)$/.test(text.slice(0, match.index));
    if (startsSentence) {
      const first = words.shift()!;
      if (!SENTENCE_OPENERS.has(first)) sentenceStart ??= [first, ...words].join(' ');
    }
    while (words.length > 0 && SENTENCE_OPENERS.has(words[0]!)) words.shift();
    if (words.length > 0) return words.join(' ').replace(/'s$/, '');
  }
  return sentenceStart?.replace(/'s$/, '');
}

function prepositionPhrase(text: string): string | undefined {
  let last: string | undefined;
  for (const match of text.matchAll(PREPOSITION_PHRASE)) last = match[1];
  return last;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
