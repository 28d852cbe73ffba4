import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MessageSchema } from '../../wire/schemas/message.ts';
import { ThreadSchema } from '../../wire/schemas/common.ts';
import type { StorageEngine, StorageOp } from './engine.ts';
import type { StorageOptions } from './open.ts';
import { DEFAULT_TENANT } from '../store.ts';

/**
 * An export file is malformed: names the file, where in it (a JSON path such as
 * `messages.thread_abc[0].data[2].role`), and what is wrong. Nothing is imported.
 */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${file}: ${path}: ${problem}`);
  }
}

const seconds = z.number().int().nonnegative();
const ThreadItem = ThreadSchema.extend({ created_at: seconds });
const MessageItem = MessageSchema.extend({ created_at: seconds });
const page = <Item extends z.ZodType>(item: Item) => z.looseObject({ object: z.literal('list'), data: z.array(item), has_more: z.boolean() });

/**
 * The export format (docs/server.md): the pages the official SDK's list calls return, as they
 * came. `order` is the order the pages were listed in (the API's default, `desc`, newest first).
 */
const ExportFile = z.strictObject({
  order: z.enum(['asc', 'desc']).optional(),
  threads: z.array(page(ThreadItem)),
  messages: z.record(z.string(), z.array(page(MessageItem))).optional(),
});

/** What one import loaded. */
export interface ImportSummary {
  threads: number;
  messages: number;
}

type ExportedThread = z.infer<typeof ThreadItem>;
type ExportedMessage = z.infer<typeof MessageItem>;

/**
 * Reads export files and checks all of them, then writes their threads and messages (ids and
 * `created_at` kept, oldest first) to the database the options name, in one transaction, as
 * objects of `tenant` (default `default`, the tenant of a server without keys). Importing the
 * same ids again replaces them.
 *
 * @example `await importThreads(['export.json'], { dataDir: './data' }, 'acme');`
 */
export async function importThreads(files: readonly string[], target: StorageOptions, tenant: string = DEFAULT_TENANT): Promise<ImportSummary> {
  const threads: ExportedThread[] = [];
  const messages: ExportedMessage[] = [];
  for (const file of files) {
    const parsed = await readExport(file);
    threads.push(...parsed.threads);
    messages.push(...parsed.messages);
  }
  const ops: StorageOp[] = [];
  for (const thread of threads) {
    const stored = { ...thread, tool_resources: thread.tool_resources ?? {}, metadata: thread.metadata ?? {} };
    ops.push({ type: 'put', kind: 'thread', parent: '', id: thread.id, root: thread.id, data: JSON.stringify(stored), tenant });
  }
  for (const message of messages) {
    const threadId = message.thread_id!;
    const stored = {
      incomplete_details: null,
      completed_at: null,
      incomplete_at: null,
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: {},
      ...message,
    };
    ops.push({ type: 'put', kind: 'message', parent: threadId, id: message.id, root: threadId, data: JSON.stringify(stored), tenant });
  }
  const engine = await openEngine(target);
  try {
    await engine.migrate();
    await engine.write(ops);
  } finally {
    await engine.close();
  }
  return { threads: threads.length, messages: messages.length };
}

async function readExport(file: string): Promise<{ threads: ExportedThread[]; messages: ExportedMessage[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ImportError(file, '$', `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ImportError(file, '$', `not JSON: ${(error as Error).message}`);
  }
  const result = ExportFile.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ImportError(file, jsonPath(issue.path), issue.message);
  }
  const inOrder = <Item extends { created_at: number }>(pages: ReadonlyArray<{ data: Item[] }>): Item[] => {
    const items = pages.flatMap((listed) => listed.data);
    // Oldest first, as they are stored; pages listed newest first are turned around.
    return result.data.order === 'asc' ? items : items.reverse();
  };
  const threads = inOrder(result.data.threads);
  const threadIds = new Set<string>();
  for (const [index, thread] of threads.entries()) {
    if (threadIds.has(thread.id)) throw new ImportError(file, `threads (thread ${index + 1} of ${threads.length})`, `thread ${thread.id} appears twice`);
    threadIds.add(thread.id);
  }
  const messages: ExportedMessage[] = [];
  for (const [threadId, pages] of Object.entries(result.data.messages ?? {})) {
    if (!threadIds.has(threadId)) throw new ImportError(file, jsonPath(['messages', threadId]), `messages of thread ${threadId}, which is not among the file's threads`);
    const seen = new Set<string>();
    for (const [pageIndex, listed] of pages.entries()) {
      for (const [index, message] of listed.data.entries()) {
        const where = jsonPath(['messages', threadId, pageIndex, 'data', index]);
        if (message.thread_id !== undefined && message.thread_id !== threadId) throw new ImportError(file, `${where}.thread_id`, `message ${message.id} names thread ${message.thread_id}, not ${threadId}`);
        if (seen.has(message.id)) throw new ImportError(file, `${where}.id`, `message ${message.id} appears twice`);
        seen.add(message.id);
      }
    }
    messages.push(...inOrder(pages).map((message) => ({ ...message, thread_id: threadId })));
  }
  return { threads, messages };
}

function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text === '' ? '$' : text;
}

async function openEngine(target: StorageOptions): Promise<StorageEngine> {
  if (target.dataDir !== undefined) return (await import('./sqlite.ts')).openSqlite(target.dataDir);
  if (target.databaseUrl !== undefined) return (await import('./postgres.ts')).openPostgres(target.databaseUrl);
  throw new ImportError('(command line)', '$', 'give --data-dir or --database-url: where to import to');
}
