import { z } from 'zod';

// Leniency rule for every wire schema: a field the machines rely on (ids, statuses, type
// discriminators, the values deltas grow) is required; every other field is checked for its
// type when present and may be absent, because compatible servers — and the spec's own SSE
// examples (WIRE-FORMAT.md §7, traps 7–9) — leave out fields the spec marks required.
// Unknown fields always pass through (`looseObject`).

/** `map<string,string> | null`: up to 16 pairs (not enforced on the way in). */
export const MetadataSchema = z.record(z.string(), z.string()).nullable();

/** Validates a usage (unknown fields pass through). */
export const UsageSchema = z.looseObject({
  completion_tokens: z.number(),
  prompt_tokens: z.number(),
  total_tokens: z.number(),
});

/** The error object of the API's error envelope and of the `error` stream event. */
export const ErrorObjectSchema = z.looseObject({
  message: z.string(),
  type: z.string().nullish(),
  code: z.string().nullish(),
  param: z.string().nullish(),
});

/** Validates a function definition (unknown fields pass through). */
export const FunctionDefinitionSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  strict: z.boolean().nullish(),
});

/** Validates a assistant tool (unknown fields pass through). */
export const AssistantToolSchema = z.union([
  z.looseObject({ type: z.literal('code_interpreter') }),
  z.looseObject({
    type: z.literal('file_search'),
    file_search: z
      .looseObject({
        max_num_results: z.number().optional(),
        ranking_options: z
          .looseObject({ ranker: z.string().optional(), score_threshold: z.number() })
          .optional(),
      })
      .optional(),
  }),
  z.looseObject({ type: z.literal('function'), function: FunctionDefinitionSchema }),
]);

/** Validates a thread (unknown fields pass through). */
export const ThreadSchema = z.looseObject({
  id: z.string(),
  object: z.literal('thread'),
  created_at: z.number().optional(),
  tool_resources: z
    .looseObject({
      code_interpreter: z.looseObject({ file_ids: z.array(z.string()).optional() }).optional(),
      file_search: z.looseObject({ vector_store_ids: z.array(z.string()).optional() }).optional(),
    })
    .nullish(),
  metadata: MetadataSchema.optional(),
});

export type Metadata = z.infer<typeof MetadataSchema>;
export type Usage = z.infer<typeof UsageSchema>;
export type ErrorObject = z.infer<typeof ErrorObjectSchema>;
export type AssistantTool = z.infer<typeof AssistantToolSchema>;
export type Thread = z.infer<typeof ThreadSchema>;

/**
 * A discriminated union that also admits variants it does not know, so a server that adds a
 * new content block or tool type does not break older clients. A payload whose `type` is one
 * of `knownTypes` must match its known schema; any other `type` passes through untouched.
 * Typed as the known union, like the official SDK's types: code switching on `type` must
 * keep a default branch.
 */
export function openUnion<Known extends z.ZodType>(
  known: Known,
  knownTypes: readonly string[],
  fallbackShape: z.ZodRawShape = {},
): Known {
  const unknownVariant = z.looseObject({
    ...fallbackShape,
    type: z.string().refine((type) => !knownTypes.includes(type), { message: 'invalid payload for its type' }),
  });
  return z.union([known, unknownVariant]) as unknown as Known;
}
