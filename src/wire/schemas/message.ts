import { z } from 'zod';
import { MetadataSchema, openUnion } from './common.ts';

/** Every status a message can have. */
export const MESSAGE_STATUSES = ['in_progress', 'incomplete', 'completed'] as const;
/** Validates a message status (unknown fields pass through). */
export const MessageStatusSchema = z.enum(MESSAGE_STATUSES);

/** Validates a file citation annotation (unknown fields pass through). */
export const FileCitationAnnotationSchema = z.looseObject({
  type: z.literal('file_citation'),
  text: z.string(),
  file_citation: z.looseObject({ file_id: z.string(), quote: z.string().optional() }),
  start_index: z.number(),
  end_index: z.number(),
});

/** Validates a file path annotation (unknown fields pass through). */
export const FilePathAnnotationSchema = z.looseObject({
  type: z.literal('file_path'),
  text: z.string(),
  file_path: z.looseObject({ file_id: z.string() }),
  start_index: z.number(),
  end_index: z.number(),
});

/** Validates a annotation (unknown fields pass through). */
export const AnnotationSchema = openUnion(
  z.discriminatedUnion('type', [FileCitationAnnotationSchema, FilePathAnnotationSchema]),
  ['file_citation', 'file_path'],
);

/** Validates a text (unknown fields pass through). */
export const TextSchema = z.looseObject({ value: z.string(), annotations: z.array(AnnotationSchema) });
/** Validates a image file (unknown fields pass through). */
export const ImageFileSchema = z.looseObject({ file_id: z.string(), detail: z.string().optional() });
/** Validates a image URL (unknown fields pass through). */
export const ImageURLSchema = z.looseObject({ url: z.string(), detail: z.string().optional() });

/** Validates a text content block (unknown fields pass through). */
export const TextContentBlockSchema = z.looseObject({ type: z.literal('text'), text: TextSchema });
/** Validates a image file content block (unknown fields pass through). */
export const ImageFileContentBlockSchema = z.looseObject({ type: z.literal('image_file'), image_file: ImageFileSchema });
/** Validates a image URL content block (unknown fields pass through). */
export const ImageURLContentBlockSchema = z.looseObject({ type: z.literal('image_url'), image_url: ImageURLSchema });
/** Validates a refusal content block (unknown fields pass through). */
export const RefusalContentBlockSchema = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const CONTENT_TYPES = ['text', 'image_file', 'image_url', 'refusal'];

/** Validates a message content (unknown fields pass through). */
export const MessageContentSchema = openUnion(
  z.discriminatedUnion('type', [
    TextContentBlockSchema,
    ImageFileContentBlockSchema,
    ImageURLContentBlockSchema,
    RefusalContentBlockSchema,
  ]),
  CONTENT_TYPES,
);

/** Validates a message (unknown fields pass through). */
export const MessageSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('thread.message'),
  created_at: z.number().optional(),
  thread_id: z.string().optional(),
  status: MessageStatusSchema,
  incomplete_details: z.looseObject({ reason: z.string() }).nullish(),
  completed_at: z.number().nullish(),
  incomplete_at: z.number().nullish(),
  role: z.enum(['user', 'assistant']),
  content: z.array(MessageContentSchema),
  assistant_id: z.string().nullish(),
  run_id: z.string().nullish(),
  attachments: z
    .array(z.looseObject({ file_id: z.string().optional(), tools: z.array(z.looseObject({ type: z.string() })).optional() }))
    .nullish(),
  metadata: MetadataSchema.optional(),
});

// Deltas (`thread.message.delta`).

const index = z.number();

/** Validates a file citation delta annotation (unknown fields pass through). */
export const FileCitationDeltaAnnotationSchema = z.looseObject({
  index,
  type: z.literal('file_citation'),
  text: z.string().optional(),
  file_citation: z.looseObject({ file_id: z.string().optional(), quote: z.string().optional() }).optional(),
  start_index: z.number().optional(),
  end_index: z.number().optional(),
});

/** Validates a file path delta annotation (unknown fields pass through). */
export const FilePathDeltaAnnotationSchema = z.looseObject({
  index,
  type: z.literal('file_path'),
  text: z.string().optional(),
  file_path: z.looseObject({ file_id: z.string().optional() }).optional(),
  start_index: z.number().optional(),
  end_index: z.number().optional(),
});

/** Validates a annotation delta (unknown fields pass through). */
export const AnnotationDeltaSchema = openUnion(
  z.discriminatedUnion('type', [FileCitationDeltaAnnotationSchema, FilePathDeltaAnnotationSchema]),
  ['file_citation', 'file_path'],
  { index },
);

/** Validates a text delta (unknown fields pass through). */
export const TextDeltaSchema = z.looseObject({
  value: z.string().optional(),
  annotations: z.array(AnnotationDeltaSchema).optional(),
});

/** Validates a text delta block (unknown fields pass through). */
export const TextDeltaBlockSchema = z.looseObject({ index, type: z.literal('text'), text: TextDeltaSchema.optional() });
/** Validates a image file delta block (unknown fields pass through). */
export const ImageFileDeltaBlockSchema = z.looseObject({
  index,
  type: z.literal('image_file'),
  image_file: z.looseObject({ file_id: z.string().optional(), detail: z.string().optional() }).optional(),
});
/** Validates a image URL delta block (unknown fields pass through). */
export const ImageURLDeltaBlockSchema = z.looseObject({
  index,
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().optional(), detail: z.string().optional() }).optional(),
});
/** Validates a refusal delta block (unknown fields pass through). */
export const RefusalDeltaBlockSchema = z.looseObject({ index, type: z.literal('refusal'), refusal: z.string().optional() });

/** Validates a message content delta (unknown fields pass through). */
export const MessageContentDeltaSchema = openUnion(
  z.discriminatedUnion('type', [
    TextDeltaBlockSchema,
    ImageFileDeltaBlockSchema,
    ImageURLDeltaBlockSchema,
    RefusalDeltaBlockSchema,
  ]),
  CONTENT_TYPES,
  { index },
);

/** Validates a message delta event (unknown fields pass through). */
export const MessageDeltaEventSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('thread.message.delta'),
  delta: z.looseObject({
    role: z.enum(['user', 'assistant']).optional(),
    content: z.array(MessageContentDeltaSchema).optional(),
  }),
});

export type MessageStatus = z.infer<typeof MessageStatusSchema>;
export type Annotation = z.infer<typeof AnnotationSchema>;
export type Text = z.infer<typeof TextSchema>;
export type ImageFile = z.infer<typeof ImageFileSchema>;
export type MessageContent = z.infer<typeof MessageContentSchema>;
export type Message = z.infer<typeof MessageSchema>;
export type AnnotationDelta = z.infer<typeof AnnotationDeltaSchema>;
export type TextDelta = z.infer<typeof TextDeltaSchema>;
export type MessageContentDelta = z.infer<typeof MessageContentDeltaSchema>;
export type MessageDeltaEvent = z.infer<typeof MessageDeltaEventSchema>;
/** The `delta` of a `thread.message.delta` event. */
export type MessageDelta = MessageDeltaEvent['delta'];
