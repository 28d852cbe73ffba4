import { z } from 'zod';
import { MetadataSchema, openUnion, UsageSchema } from './common.ts';

/** Every status a run step can have. */
export const RUN_STEP_STATUSES = ['in_progress', 'cancelled', 'failed', 'completed', 'expired'] as const;
/** Validates a run step status (unknown fields pass through). */
export const RunStepStatusSchema = z.enum(RUN_STEP_STATUSES);

// `index` is any number here: bounds are checked by the accumulator, which reports them as
// `invalid-index` with the exact path.
const index = z.number();

// Tool calls as they appear in a step snapshot. `index` is not in the spec's snapshot
// objects, but accumulation keeps the delta's `index` (as the official SDK does).

/** Validates a code interpreter output (unknown fields pass through). */
export const CodeInterpreterOutputSchema = openUnion(
  z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('logs'), logs: z.string() }),
    z.looseObject({ type: z.literal('image'), image: z.looseObject({ file_id: z.string() }) }),
  ]),
  ['logs', 'image'],
);

/** Validates a code interpreter tool call (unknown fields pass through). */
export const CodeInterpreterToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('code_interpreter'),
  code_interpreter: z.looseObject({
    input: z.string(),
    outputs: z.array(CodeInterpreterOutputSchema),
  }),
});

/** Validates a file search result (unknown fields pass through). */
export const FileSearchResultSchema = z.looseObject({
  file_id: z.string(),
  file_name: z.string().optional(),
  score: z.number().optional(),
  content: z.array(z.looseObject({ type: z.string().optional(), text: z.string().optional() })).optional(),
});

/** Validates a file search tool call (unknown fields pass through). */
export const FileSearchToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('file_search'),
  file_search: z.looseObject({
    ranking_options: z.looseObject({ ranker: z.string(), score_threshold: z.number() }).optional(),
    results: z.array(FileSearchResultSchema).optional(),
  }),
});

/** Validates a function tool call (unknown fields pass through). */
export const FunctionToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string(),
    arguments: z.string(),
    output: z.string().nullable(),
  }),
});

const TOOL_TYPES = ['code_interpreter', 'file_search', 'function'];

/** Validates a tool call (unknown fields pass through). */
export const ToolCallSchema = openUnion(
  z.discriminatedUnion('type', [CodeInterpreterToolCallSchema, FileSearchToolCallSchema, FunctionToolCallSchema]),
  TOOL_TYPES,
  { id: z.string() },
);

/** Validates a message creation step details (unknown fields pass through). */
export const MessageCreationStepDetailsSchema = z.looseObject({
  type: z.literal('message_creation'),
  message_creation: z.looseObject({ message_id: z.string() }),
});

/** Validates a tool calls step details (unknown fields pass through). */
export const ToolCallsStepDetailsSchema = z.looseObject({
  type: z.literal('tool_calls'),
  tool_calls: z.array(ToolCallSchema),
});

/** Validates a step details (unknown fields pass through). */
export const StepDetailsSchema = z.discriminatedUnion('type', [
  MessageCreationStepDetailsSchema,
  ToolCallsStepDetailsSchema,
]);

/** Validates a run step (unknown fields pass through). */
export const RunStepSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('thread.run.step'),
  created_at: z.number().optional(),
  assistant_id: z.string().optional(),
  thread_id: z.string().optional(),
  run_id: z.string(),
  type: z.enum(['message_creation', 'tool_calls']),
  status: RunStepStatusSchema,
  step_details: StepDetailsSchema,
  last_error: z.looseObject({ code: z.string(), message: z.string() }).nullish(),
  expired_at: z.number().nullish(),
  cancelled_at: z.number().nullish(),
  failed_at: z.number().nullish(),
  completed_at: z.number().nullish(),
  metadata: MetadataSchema.optional(),
  usage: UsageSchema.nullish(),
});


// Deltas (`thread.run.step.delta`).

/** Validates a code interpreter output delta (unknown fields pass through). */
export const CodeInterpreterOutputDeltaSchema = openUnion(
  z.discriminatedUnion('type', [
    z.looseObject({ index, type: z.literal('logs'), logs: z.string().optional() }),
    z.looseObject({
      index,
      type: z.literal('image'),
      image: z.looseObject({ file_id: z.string().optional() }).optional(),
    }),
  ]),
  ['logs', 'image'],
  { index },
);

/** Validates a code interpreter tool call delta (unknown fields pass through). */
export const CodeInterpreterToolCallDeltaSchema = z.looseObject({
  index,
  type: z.literal('code_interpreter'),
  id: z.string().optional(),
  code_interpreter: z
    .looseObject({
      input: z.string().optional(),
      outputs: z.array(CodeInterpreterOutputDeltaSchema).optional(),
    })
    .optional(),
});

/** Validates a file search tool call delta (unknown fields pass through). */
export const FileSearchToolCallDeltaSchema = z.looseObject({
  index,
  type: z.literal('file_search'),
  id: z.string().optional(),
  // A free-form map in the spec, and the one required payload of any tool-call delta.
  file_search: z.record(z.string(), z.unknown()),
});

/** Validates a function tool call delta (unknown fields pass through). */
export const FunctionToolCallDeltaSchema = z.looseObject({
  index,
  type: z.literal('function'),
  id: z.string().optional(),
  function: z
    .looseObject({
      name: z.string().optional(),
      arguments: z.string().optional(),
      output: z.string().nullish(),
    })
    .optional(),
});

/** Validates a tool call delta (unknown fields pass through). */
export const ToolCallDeltaSchema = openUnion(
  z.discriminatedUnion('type', [
    CodeInterpreterToolCallDeltaSchema,
    FileSearchToolCallDeltaSchema,
    FunctionToolCallDeltaSchema,
  ]),
  TOOL_TYPES,
  { index, id: z.string().optional() },
);

/** Validates a run step delta (unknown fields pass through). */
export const RunStepDeltaSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('thread.run.step.delta'),
  delta: z.looseObject({
    step_details: z
      .discriminatedUnion('type', [
        z.looseObject({
          type: z.literal('message_creation'),
          message_creation: z.looseObject({ message_id: z.string().optional() }).optional(),
        }),
        z.looseObject({ type: z.literal('tool_calls'), tool_calls: z.array(ToolCallDeltaSchema).optional() }),
      ])
      .optional(),
  }),
});

export type RunStepStatus = z.infer<typeof RunStepStatusSchema>;
export type CodeInterpreterOutput = z.infer<typeof CodeInterpreterOutputSchema>;
export type CodeInterpreterToolCall = z.infer<typeof CodeInterpreterToolCallSchema>;
export type FileSearchToolCall = z.infer<typeof FileSearchToolCallSchema>;
export type FunctionToolCall = z.infer<typeof FunctionToolCallSchema>;
export type ToolCall = z.infer<typeof ToolCallSchema>;
export type StepDetails = z.infer<typeof StepDetailsSchema>;
export type RunStep = z.infer<typeof RunStepSchema>;
export type ToolCallDelta = z.infer<typeof ToolCallDeltaSchema>;
export type RunStepDeltaEvent = z.infer<typeof RunStepDeltaSchema>;
/** The `delta` of a `thread.run.step.delta` event. */
export type RunStepDelta = RunStepDeltaEvent['delta'];
