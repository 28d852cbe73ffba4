import { z } from 'zod';
import { MetadataParam } from '../../wire/requests.ts';

// `POST /v1/responses`, as far as the embedded server acts on it. The Responses API takes many
// more parameters (reasoning, text format, truncation, …); they are accepted and echoed, not
// acted on, so a client written for the real API runs unchanged.

const InputText = z.looseObject({ type: z.enum(['input_text', 'output_text']), text: z.string() });
const InputPart = z.union([InputText, z.looseObject({ type: z.string() })]);

/** A message of the input: from the user, the developer/system (instructions) or the assistant. */
const InputMessage = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(InputPart)]),
});

/** The output of a function call the client ran, paired by `call_id`. */
const FunctionCallOutput = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.unknown())]),
});

/** Items a client echoes back from an earlier output (function calls, messages, reasoning): accepted, not needed. */
const EchoedItem = z.looseObject({ type: z.string(), id: z.string().optional() });

/** One item of `input`. */
export const InputItemParam = z.union([InputMessage, FunctionCallOutput, EchoedItem]);

const FunctionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a function name is 1 to 64 letters, digits, underscores or dashes'),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const FileSearchTool = z.looseObject({
  type: z.literal('file_search'),
  vector_store_ids: z.array(z.string()).min(1),
  max_num_results: z.number().int().min(1).max(50).optional(),
  ranking_options: z.looseObject({ score_threshold: z.number().min(0).max(1).optional() }).optional(),
});
const CodeInterpreterTool = z.looseObject({ type: z.literal('code_interpreter'), container: z.unknown().optional() });

/** The tools the scripted model can use. */
export const ResponseToolParam = z.discriminatedUnion('type', [FunctionTool, FileSearchTool, CodeInterpreterTool]);

/** `conversation` on a create: the conversation's id, or `{ id }`. */
export const ConversationReference = z.union([z.string().min(1), z.looseObject({ id: z.string().min(1) })]);

/** The body of `POST /v1/responses`. */
export const CreateResponseRequest = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(InputItemParam)]).optional(),
  instructions: z.string().nullish(),
  previous_response_id: z.string().nullish(),
  conversation: ConversationReference.nullish(),
  tools: z.array(z.looseObject({ type: z.string() })).optional(),
  tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.string(), name: z.string().optional() })]).optional(),
  parallel_tool_calls: z.boolean().nullish(),
  background: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullish(),
  store: z.boolean().nullish(),
  include: z.array(z.string()).nullish(),
  metadata: MetadataParam.optional(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  max_output_tokens: z.number().int().min(16).nullish(),
  max_tool_calls: z.number().int().min(1).nullish(),
  // Accepted and echoed, not acted on: the embedded server's models have no use for them.
  prompt: z.looseObject({ id: z.string() }).nullish(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullish(),
  safety_identifier: z.string().max(64).nullish(),
  service_tier: z.string().nullish(),
  reasoning: z.looseObject({}).nullish(),
  text: z.looseObject({}).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  user: z.string().nullish(),
});

export type CreateResponseInput = z.output<typeof CreateResponseRequest>;
export type InputItemInput = z.output<typeof InputItemParam>;
export type ResponseToolInput = z.output<typeof ResponseToolParam>;
