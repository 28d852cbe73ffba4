import { z } from 'zod';
import { AssistantToolSchema, MetadataSchema, UsageSchema } from './common.ts';

/** Every status a run can have, in lifecycle order. */
export const RUN_STATUSES = [
  'queued',
  'in_progress',
  'requires_action',
  'cancelling',
  'cancelled',
  'failed',
  'completed',
  'incomplete',
  'expired',
] as const;

/** Statuses after which a run never changes again. */
export const RUN_TERMINAL_STATUSES = ['cancelled', 'failed', 'completed', 'incomplete', 'expired'] as const;

/** Validates a run status (unknown fields pass through). */
export const RunStatusSchema = z.enum(RUN_STATUSES);

/** A function call the run waits for (`required_action.submit_tool_outputs.tool_calls[]`). */
export const RequiredActionFunctionToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

/** Validates a required action (unknown fields pass through). */
export const RequiredActionSchema = z.looseObject({
  type: z.literal('submit_tool_outputs'),
  submit_tool_outputs: z.looseObject({ tool_calls: z.array(RequiredActionFunctionToolCallSchema) }),
});

/** Validates a run (unknown fields pass through). */
export const RunSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('thread.run'),
  created_at: z.number().optional(),
  thread_id: z.string(),
  assistant_id: z.string().optional(),
  status: RunStatusSchema,
  required_action: RequiredActionSchema.nullish(),
  last_error: z
    .looseObject({ code: z.string(), message: z.string() })
    .nullish(),
  expires_at: z.number().nullish(),
  started_at: z.number().nullish(),
  cancelled_at: z.number().nullish(),
  failed_at: z.number().nullish(),
  completed_at: z.number().nullish(),
  incomplete_details: z.looseObject({ reason: z.string().optional() }).nullish(),
  model: z.string().optional(),
  instructions: z.string().nullish(),
  tools: z.array(AssistantToolSchema).optional(),
  metadata: MetadataSchema.optional(),
  usage: UsageSchema.nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  max_prompt_tokens: z.number().nullish(),
  max_completion_tokens: z.number().nullish(),
  truncation_strategy: z
    .looseObject({ type: z.string(), last_messages: z.number().nullish() })
    .nullish(),
  tool_choice: z
    .union([z.string(), z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string() }).optional() })])
    .nullish(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: z.unknown().optional(),
});

export type RunStatus = z.infer<typeof RunStatusSchema>;
/** A status after which a run never changes. */
export type RunTerminalStatus = (typeof RUN_TERMINAL_STATUSES)[number];
export type RequiredActionFunctionToolCall = z.infer<typeof RequiredActionFunctionToolCallSchema>;
export type Run = z.infer<typeof RunSchema>;
