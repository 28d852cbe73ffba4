import type { ResponseObject, ResponseUsage, Usage } from '../../wire/index.ts';
import { newId, nowSeconds } from '../ids.ts';
import type { CreateResponseInput } from './requests.ts';

// The Response object as the live API makes it: every key it carries (compared with real
// recordings of the live API in tests/responses-live-keys.test.ts), in its order — the first
// four, then alphabetical, `metadata` last. What the embedded server's models do not use is what
// the live API answers for a model that does not use it either: `null`, `0`, or its default.

/** What a client sent that the server echoes without acting on it, with the live API's defaults. */
type Echoed = Pick<
  CreateResponseInput,
  | 'max_tool_calls'
  | 'prompt'
  | 'prompt_cache_key'
  | 'prompt_cache_retention'
  | 'safety_identifier'
  | 'service_tier'
  | 'top_logprobs'
  | 'reasoning'
  | 'text'
  | 'truncation'
  | 'user'
  | 'store'
>;

/**
 * A new response to a create request, before its first event: `queued` in the background,
 * else `in_progress`; its settings echoed as the live API echoes them (tools with their
 * defaults filled in, see {@link echoedTools}).
 *
 * @example `const response = newResponse(body, conversation?.id);`
 */
export function newResponse(body: CreateResponseInput, conversationId: string | undefined): ResponseObject {
  const background = body.background === true;
  return {
    id: newId('resp_'),
    object: 'response',
    created_at: nowSeconds(),
    status: background ? 'queued' : 'in_progress',
    background,
    completed_at: null,
    conversation: conversationId === undefined ? null : { id: conversationId },
    error: null,
    frequency_penalty: 0,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    model: body.model,
    moderation: null,
    output: [],
    output_text: '',
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    presence_penalty: 0,
    previous_response_id: body.previous_response_id ?? null,
    ...echoedSettings(body),
    temperature: body.temperature ?? 1,
    text: echoedText(body.text),
    tool_choice: body.tool_choice ?? 'auto',
    tool_usage: NO_TOOL_USAGE,
    tools: echoedTools(body.tools ?? []),
    top_logprobs: body.top_logprobs ?? 0,
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? 'disabled',
    usage: null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
}

function echoedSettings(body: Echoed) {
  const reasoning = (body.reasoning ?? {}) as Record<string, unknown>;
  return {
    prompt: body.prompt ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    prompt_cache_retention: body.prompt_cache_retention ?? null,
    reasoning: {
      context: reasoning['context'] ?? null,
      effort: reasoning['effort'] ?? null,
      generate_summary: reasoning['generate_summary'] ?? null,
      mode: reasoning['mode'] ?? 'standard',
      summary: reasoning['summary'] ?? null,
    },
    safety_identifier: body.safety_identifier ?? null,
    // `auto` resolves to the project's tier: `default` unless configured otherwise.
    service_tier: body.service_tier == null || body.service_tier === 'auto' ? 'default' : body.service_tier,
    store: body.store ?? true,
  };
}

function echoedText(text: CreateResponseInput['text']): Record<string, unknown> {
  const sent = (text ?? {}) as Record<string, unknown>;
  return { ...sent, format: sent['format'] ?? { type: 'text' }, verbosity: sent['verbosity'] ?? 'medium' };
}

// The hosted tools a response used; the embedded server's run no image generation or web search.
const NO_TOOL_USAGE = Object.freeze({
  image_gen: {
    input_tokens: 0,
    input_tokens_details: { image_tokens: 0, text_tokens: 0 },
    output_tokens: 0,
    output_tokens_details: { image_tokens: 0, text_tokens: 0 },
    total_tokens: 0,
  },
  web_search: { num_requests: 0 },
});

/** The file_search defaults the live API echoes for options a request leaves out. */
export const FILE_SEARCH_DEFAULTS = { max_num_results: 20, ranker: 'auto', score_threshold: 0 } as const;

/**
 * A request's tools as the live API echoes them on the response: as sent, with what it fills in
 * — a function's `description`, `output_schema` and `parameters` (`null`) and `strict` (`true`), file_search's
 * `filters`, `max_num_results` and `ranking_options`, code_interpreter's `container`.
 *
 * @example `echoedTools([{ type: 'function', name: 'f' }]) // [{ type: 'function', description: null, name: 'f', parameters: null, strict: true }]`
 */
export function echoedTools(tools: ReadonlyArray<{ type: string } & Record<string, unknown>>): unknown[] {
  return tools.map((tool) => {
    switch (tool.type) {
      case 'function':
        return { description: null, name: tool['name'], output_schema: null, parameters: null, ...tool, strict: tool['strict'] ?? true };
      case 'file_search': {
        const ranking = (tool['ranking_options'] ?? {}) as Record<string, unknown>;
        return {
          filters: null,
          max_num_results: FILE_SEARCH_DEFAULTS.max_num_results,
          ...tool,
          ranking_options: { ranker: FILE_SEARCH_DEFAULTS.ranker, score_threshold: FILE_SEARCH_DEFAULTS.score_threshold, ...ranking },
        };
      }
      case 'code_interpreter':
        return { ...tool, container: tool['container'] ?? { type: 'auto' } };
      default:
        return tool;
    }
  });
}

/**
 * A run's usage as a response's: the token counts under their Responses names, with the details
 * the live API always reports (nothing cached, no reasoning tokens on the embedded server).
 *
 * @example `responseUsage({ prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 })`
 */
export function responseUsage(usage: Usage): ResponseUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cache_write_tokens: 0, cached_tokens: 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.total_tokens,
  };
}


const OBFUSCATION_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const OBFUSCATION_BLOCK = 16;

/**
 * The seed of a response's obfuscation: FNV-1a of its id (computed once per response; each
 * delta's padding mixes in its event's number).
 *
 * @example `const seed = obfuscationSeed('resp_abc');`
 */
export function obfuscationSeed(responseId: string): number {
  let state = 0x811c9dc5;
  for (let index = 0; index < responseId.length; index++) state = Math.imul(state ^ responseId.charCodeAt(index), 0x01000193);
  return state;
}

/**
 * The `obfuscation` of a delta event: characters that pad the delta to a multiple of 16
 * characters, as the live API pads its deltas (measured on its recordings: every delta's length
 * plus its obfuscation's is a multiple of 16), so a delta's size says nothing of its text. They
 * are drawn from the response (its {@link obfuscationSeed}) and the event's number rather than at
 * random, so a response streamed again (a replay, another server, after a restart) has the same
 * bytes.
 *
 * @example `obfuscation('Hello', obfuscationSeed('resp_abc'), 7) // 11 letters and digits`
 */
export function obfuscation(delta: string, seed: number, sequence: number): string {
  const length = (OBFUSCATION_BLOCK - (delta.length % OBFUSCATION_BLOCK)) % OBFUSCATION_BLOCK;
  // The number mixed into the seed, then xorshift: cheap, and different for every event.
  let state = Math.imul(seed ^ sequence, 0x01000193) || 1;
  let padding = '';
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    padding += OBFUSCATION_ALPHABET[(state >>> 0) % OBFUSCATION_ALPHABET.length];
  }
  return padding;
}
