import { z } from 'zod';

// Request bodies, as the spec defines them: every one is `additionalProperties: false`, so an
// unknown field is a 400 ("Unrecognized request argument supplied"), as on the real API.
// One definition for both sides: the embedded server validates with these schemas, and the
// client's parameter types are their inputs (`z.input`, src/client/types.ts), so the two
// cannot drift; tests/client-compat.test.ts checks those types accept what the official SDK's do.

/** `Metadata`: at most 16 pairs, keys ≤ 64 characters, values ≤ 512. */
export const MetadataParam = z
  .record(z.string().max(64), z.string().max(512))
  .refine((metadata) => Object.keys(metadata).length <= 16, { message: 'metadata can have at most 16 keys' })
  .nullable();

const FunctionToolParam = z.strictObject({
  type: z.literal('function'),
  function: z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a function name is 1 to 64 letters, digits, underscores or dashes'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const FileSearchToolParam = z.strictObject({
  type: z.literal('file_search'),
  file_search: z
    .strictObject({
      max_num_results: z.number().int().min(1).max(50).optional(),
      ranking_options: z
        // Any ranker name: a client passes an assistant's tools back, and responses may name
        // rankers newer than ours (the wire schema lets them through).
        .strictObject({ ranker: z.string().optional(), score_threshold: z.number().min(0).max(1) })
        .optional(),
    })
    .optional(),
});

/** One tool definition of an assistant or a run. */
export const ToolParam = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('code_interpreter') }),
  FileSearchToolParam,
  FunctionToolParam,
]);

export const ChunkingStrategyParam = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auto') }),
  z.strictObject({
    type: z.literal('static'),
    static: z
      .strictObject({ max_chunk_size_tokens: z.number().int().min(100).max(4096), chunk_overlap_tokens: z.number().int().min(0) })
      .refine((value) => value.chunk_overlap_tokens <= value.max_chunk_size_tokens / 2, {
        message: 'chunk_overlap_tokens must not exceed half of max_chunk_size_tokens',
      }),
  }),
]);

const CodeInterpreterResources = z.strictObject({ file_ids: z.array(z.string()).max(20).optional() });

/** `tool_resources` of modify requests and create-and-run: existing vector stores only. */
export const ToolResourcesParam = z
  .strictObject({
    code_interpreter: CodeInterpreterResources.optional(),
    file_search: z.strictObject({ vector_store_ids: z.array(z.string()).max(1).optional() }).optional(),
  })
  .nullable();

/** `tool_resources` of create requests: `file_search` may also create its vector store. */
export const CreateToolResourcesParam = z
  .strictObject({
    code_interpreter: CodeInterpreterResources.optional(),
    file_search: z
      .strictObject({
        vector_store_ids: z.array(z.string()).max(1).optional(),
        vector_stores: z
          .array(
            z.strictObject({
              file_ids: z.array(z.string()).optional(),
              chunking_strategy: ChunkingStrategyParam.optional(),
              metadata: MetadataParam.optional(),
            }),
          )
          .max(1)
          .optional(),
      })
      .refine((value) => value.vector_store_ids === undefined || value.vector_stores === undefined, {
        message: 'give either vector_store_ids or vector_stores, not both',
      })
      .optional(),
  })
  .nullable();

export const ResponseFormatParam = z
  .union([
    z.literal('auto'),
    z.strictObject({ type: z.literal('text') }),
    z.strictObject({ type: z.literal('json_object') }),
    z.strictObject({
      type: z.literal('json_schema'),
      json_schema: z.strictObject({
        name: z.string(),
        description: z.string().optional(),
        schema: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      }),
    }),
  ])
  .nullable();

const ReasoningEffortParam = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).nullable();
const Temperature = z.number().min(0).max(2).nullable();
const TopP = z.number().min(0).max(1).nullable();

export const CreateAssistantRequest = z.strictObject({
  model: z.string().min(1),
  name: z.string().max(256).nullable().optional(),
  description: z.string().max(512).nullable().optional(),
  instructions: z.string().max(256_000).nullable().optional(),
  reasoning_effort: ReasoningEffortParam.optional(),
  tools: z.array(ToolParam).max(128).optional(),
  tool_resources: CreateToolResourcesParam.optional(),
  metadata: MetadataParam.optional(),
  temperature: Temperature.optional(),
  top_p: TopP.optional(),
  response_format: ResponseFormatParam.optional(),
});

export const ModifyAssistantRequest = CreateAssistantRequest.partial().extend({ tool_resources: ToolResourcesParam.optional() });

export const MessageContentPart = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string() }),
  z.strictObject({
    type: z.literal('image_file'),
    image_file: z.strictObject({ file_id: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }),
  }),
  z.strictObject({
    type: z.literal('image_url'),
    image_url: z.strictObject({ url: z.url(), detail: z.enum(['auto', 'low', 'high']).optional() }),
  }),
]);

// Both optional: the spec's `required` sits on the array, where it means nothing, and the
// official SDK's types leave them out.
export const AttachmentParam = z.strictObject({
  file_id: z.string().optional(),
  tools: z.array(z.discriminatedUnion('type', [z.strictObject({ type: z.literal('code_interpreter') }), z.strictObject({ type: z.literal('file_search') })])).optional(),
});

export const CreateMessageRequest = z.strictObject({
  role: z.enum(['user', 'assistant']),
  // The API refuses an empty message, as text or as parts.
  content: z.union([z.string().min(1), z.array(MessageContentPart).min(1)]),
  attachments: z.array(AttachmentParam).nullable().optional(),
  metadata: MetadataParam.optional(),
});

export const ModifyMetadataRequest = z.strictObject({ metadata: MetadataParam.optional() });

export const CreateThreadRequest = z.strictObject({
  messages: z.array(CreateMessageRequest).optional(),
  tool_resources: CreateToolResourcesParam.optional(),
  metadata: MetadataParam.optional(),
});

export const ModifyThreadRequest = z.strictObject({
  tool_resources: ToolResourcesParam.optional(),
  metadata: MetadataParam.optional(),
});

export const TruncationStrategyParam = z
  .strictObject({ type: z.enum(['auto', 'last_messages']), last_messages: z.number().int().min(1).nullable().optional() })
  .nullable();

export const ToolChoiceParam = z
  .union([
    z.enum(['none', 'auto', 'required']),
    z.strictObject({
      type: z.enum(['function', 'code_interpreter', 'file_search']),
      function: z.strictObject({ name: z.string() }).optional(),
    }),
  ])
  .nullable();

// The fields a run shares between create-run and create-thread-and-run.
const RunSettings = {
  assistant_id: z.string().min(1),
  model: z.string().nullable().optional(),
  instructions: z.string().nullable().optional(),
  tools: z.array(ToolParam).max(20).nullable().optional(),
  metadata: MetadataParam.optional(),
  temperature: Temperature.optional(),
  top_p: TopP.optional(),
  stream: z.boolean().nullable().optional(),
  max_prompt_tokens: z.number().int().min(256).nullable().optional(),
  max_completion_tokens: z.number().int().min(256).nullable().optional(),
  truncation_strategy: TruncationStrategyParam.optional(),
  tool_choice: ToolChoiceParam.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: ResponseFormatParam.optional(),
};

export const CreateRunRequest = z.strictObject({
  ...RunSettings,
  reasoning_effort: ReasoningEffortParam.optional(),
  additional_instructions: z.string().nullable().optional(),
  additional_messages: z.array(CreateMessageRequest).nullable().optional(),
});

export const CreateThreadAndRunRequest = z.strictObject({
  ...RunSettings,
  thread: CreateThreadRequest.optional(),
  tool_resources: ToolResourcesParam.optional(),
});

export const SubmitToolOutputsRequest = z.strictObject({
  tool_outputs: z.array(z.strictObject({ tool_call_id: z.string().optional(), output: z.string().optional() })),
  stream: z.boolean().nullable().optional(),
});

const ExpiresAfterParam = z.strictObject({ anchor: z.literal('last_active_at'), days: z.number().int().min(1).max(365) });

export const FileAttributesParam = z
  .record(z.string().max(64), z.union([z.string().max(512), z.number(), z.boolean()]))
  .refine((attributes) => Object.keys(attributes).length <= 16, { message: 'attributes can have at most 16 keys' })
  .nullable();

export const CreateVectorStoreRequest = z.strictObject({
  file_ids: z.array(z.string()).max(500).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  expires_after: ExpiresAfterParam.optional(),
  chunking_strategy: ChunkingStrategyParam.optional(),
  metadata: MetadataParam.optional(),
});

export const UpdateVectorStoreRequest = z.strictObject({
  name: z.string().nullable().optional(),
  expires_after: ExpiresAfterParam.nullable().optional(),
  metadata: MetadataParam.optional(),
});

export const CreateVectorStoreFileRequest = z.strictObject({
  file_id: z.string().min(1),
  chunking_strategy: ChunkingStrategyParam.optional(),
  attributes: FileAttributesParam.optional(),
});

export const UpdateVectorStoreFileRequest = z.strictObject({ attributes: FileAttributesParam });

export const CreateFileBatchRequest = z
  .strictObject({
    file_ids: z.array(z.string()).min(1).max(2000).optional(),
    files: z.array(CreateVectorStoreFileRequest).min(1).max(2000).optional(),
    chunking_strategy: ChunkingStrategyParam.optional(),
    attributes: FileAttributesParam.optional(),
  })
  .refine((body) => (body.file_ids === undefined) !== (body.files === undefined), {
    message: 'give exactly one of file_ids and files',
    path: ['file_ids'],
  });

/** The upload purposes `POST /files` accepts. */
export const UploadPurpose = z.enum(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']);

export type ToolParamInput = z.output<typeof ToolParam>;
export type CreateMessageInput = z.output<typeof CreateMessageRequest>;
export type CreateThreadInput = z.output<typeof CreateThreadRequest>;
export type CreateToolResourcesInput = z.output<typeof CreateToolResourcesParam>;
export type ChunkingStrategyInput = z.output<typeof ChunkingStrategyParam>;
export type RunSettingsInput = z.output<typeof CreateRunRequest> | z.output<typeof CreateThreadAndRunRequest>;
