import type { Message } from '../../wire/index.ts';
import type { CreateMessageInput } from '../../wire/requests.ts';
import type { ServerContext } from '../context.ts';
import type { RunExecutor } from '../executor/runExecutor.ts';
import type { Assistant } from '../objects.ts';
import type { ThreadRecord } from '../store.ts';
import { createVectorStore } from '../toolResources.ts';

/** How long a thread's vector store made for attachments lives without activity, as the API sets it. */
export const THREAD_VECTOR_STORE_EXPIRY = { anchor: 'last_active_at', days: 7 } as const;

/**
 * Checks that every file a new message names — its attachments and `image_file` parts — exists
 * (for the caller's tenant): the API's 404 otherwise, before anything is created.
 *
 * @example `for (const input of body.messages ?? []) checkMessageFiles(context, input);`
 */
export function checkMessageFiles(context: ServerContext, input: CreateMessageInput): void {
  for (const attachment of input.attachments ?? []) if (attachment.file_id !== undefined) context.store.files.require(attachment.file_id);
  if (typeof input.content === 'string') return;
  for (const part of input.content) if (part.type === 'image_file') context.store.files.require(part.image_file.file_id);
}

/**
 * Makes a message's `file_search` attachments searchable in its thread, as the API does: the
 * files go into the thread's vector store — created when the thread has none (expiring 7 days
 * after its last activity) and named in the thread's `tool_resources.file_search` — and are
 * indexed in the background, so the thread's next run searches them. `code_interpreter`
 * attachments need nothing here: each run hands them to its model ({@link codeInterpreterFileIds}).
 *
 * @example `attachFiles(context, record, message);`
 */
export function attachFiles(context: ServerContext, record: ThreadRecord<RunExecutor>, message: Message): void {
  const fileIds = (message.attachments ?? []).filter((attachment) => attachment.tools?.some((tool) => tool.type === 'file_search')).flatMap((attachment) => attachment.file_id ?? []);
  if (fileIds.length === 0) return;
  const existing = record.thread.tool_resources?.file_search?.vector_store_ids?.[0];
  let vectorStore = existing === undefined ? undefined : context.store.vectorStores.get(existing);
  if (vectorStore === undefined) {
    vectorStore = createVectorStore(context, { name: '', metadata: {}, expires_after: THREAD_VECTOR_STORE_EXPIRY });
    record.thread.tool_resources = { ...record.thread.tool_resources, file_search: { vector_store_ids: [vectorStore.store.id] } };
    context.store.threads.set(record.thread.id, record);
  }
  for (const fileId of new Set(fileIds)) {
    const file = context.store.files.get(fileId);
    if (file !== undefined && vectorStore.files.get(fileId) === undefined) context.indexer.attach(vectorStore, file, {});
  }
}

/**
 * The files a run's code interpreter gets: the assistant's and the thread's
 * `tool_resources.code_interpreter.file_ids`, then every file attached to a message of the
 * thread for `code_interpreter`, each once.
 *
 * @example `const fileIds = codeInterpreterFileIds(assistant, record);`
 */
export function codeInterpreterFileIds(assistant: Assistant | undefined, record: ThreadRecord<RunExecutor>): string[] {
  const attached = record.messages
    .values()
    .flatMap((message) => (message.attachments ?? []).filter((attachment) => attachment.tools?.some((tool) => tool.type === 'code_interpreter')).flatMap((attachment) => attachment.file_id ?? []));
  return [...new Set([...(assistant?.tool_resources?.code_interpreter?.file_ids ?? []), ...(record.thread.tool_resources?.code_interpreter?.file_ids ?? []), ...attached])];
}
