import { createHash } from 'node:crypto';
import { BadRequestError, NotFoundError, type AssistantsClient } from '../../client/index.ts';
import { MAX_ITEMS_PER_CONVERSATION_REQUEST, type Thread } from '../../wire/index.ts';
import { THREAD_METADATA_KEY } from '../../workflow/index.ts';
import { MigrationError } from './errors.ts';
import type { MigrationJournal } from './journal.ts';
import type { NotCarried, ThreadReport } from './report.ts';
import type { PlannedItem } from './threadItems.ts';

/** How many metadata keys a conversation takes (the API's limit); one names the source thread. */
const MAX_METADATA_KEYS = 16;
const PAGE = 100;

/** Where a thread is copied, and how. */
export interface CopyOptions {
  target: AssistantsClient;
  journal: MigrationJournal;
  /** The source's and target's base URLs: with the thread's id, they make the creation's Idempotency-Key. */
  from: string;
  to: string;
  /** Read the target, change nothing. */
  dryRun: boolean;
  /** Told how many items each batch added. */
  onItems?: ((added: number) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Copies a thread's items to its conversation, so that a run cut anywhere finishes on the next:
 * the conversation is the one the journal names, else it is created — with an `Idempotency-Key`
 * made from the source, the target and the thread, so a creation whose answer was lost gives back
 * the same conversation when asked again — and its metadata names the thread
 * ({@link THREAD_METADATA_KEY}). What the conversation already holds is read from it (the target
 * is the truth, not the journal): the thread's items it lacks are added in order, 20 a request.
 * Every item's id comes from the source, so a batch that landed while its answer was lost is
 * refused as `duplicate_item` when sent again, and the copy reads the conversation again instead.
 *
 * @example `const report = await copyThread(thread, items, { target, journal, from, to, dryRun: false });`
 */
export async function copyThread(thread: Thread, items: readonly PlannedItem[], options: CopyOptions): Promise<{ report: ThreadReport; notCarried: NotCarried[] }> {
  const { target, journal, dryRun, signal } = options;
  const notCarried: NotCarried[] = [];
  const metadata = conversationMetadata(thread, notCarried);
  let conversationId = await knownConversation(target, journal, thread.id, signal);
  const report = (status: ThreadReport['status'], added: number): { report: ThreadReport; notCarried: NotCarried[] } => ({
    report: { thread_id: thread.id, conversation_id: conversationId, items: items.length, added, status },
    notCarried,
  });
  if (conversationId === undefined) {
    if (dryRun) return report('planned', items.length);
    const idempotencyKey = `assistant-machines-migrate-${createHash('sha256').update(`${options.from}\n${options.to}\n${thread.id}`).digest('hex')}`;
    conversationId = (await target.conversations.create({ metadata }, { idempotencyKey, signal })).id;
    await journal.record(thread.id, conversationId);
  }
  let added = 0;
  let missingBefore = Number.POSITIVE_INFINITY;
  for (;;) {
    const missing = itemsMissing(items, await itemIdsOf(target, conversationId, signal), thread.id, conversationId);
    if (dryRun) return report(missing.length === 0 ? 'up_to_date' : 'planned', missing.length);
    if (missing.length === 0) return report(added === 0 ? 'up_to_date' : 'copied', added);
    // Each pass must get further: a refusal the conversation's items do not explain is not ours to retry.
    if (missing.length >= missingBefore) throw new MigrationError('conversation-diverged', `${conversationId} refuses ${thread.id}'s items as duplicates it does not list`);
    missingBefore = missing.length;
    try {
      for (let start = 0; start < missing.length; start += MAX_ITEMS_PER_CONVERSATION_REQUEST) {
        const batch = missing.slice(start, start + MAX_ITEMS_PER_CONVERSATION_REQUEST);
        await target.conversations.items.create(conversationId, { items: batch }, { signal });
        added += batch.length;
        options.onItems?.(batch.length);
      }
    } catch (error) {
      // A batch that landed before its answer was lost: read what the conversation holds now.
      if (!(error instanceof BadRequestError && error.code === 'duplicate_item')) throw error;
    }
  }
}

// The conversation the journal says the thread became, checked: gone (deleted on the target) is
// forgotten; another thread's is a mismatch the user must look at.
async function knownConversation(target: AssistantsClient, journal: MigrationJournal, threadId: string, signal?: AbortSignal): Promise<string | undefined> {
  const conversationId = journal.conversationOf(threadId);
  if (conversationId === undefined) return undefined;
  try {
    const conversation = await target.conversations.retrieve(conversationId, { signal });
    const named = conversation.metadata[THREAD_METADATA_KEY];
    if (named !== threadId) {
      throw new MigrationError(
        'mapping-mismatch',
        `the journal ${journal.path} maps ${threadId} to ${conversationId}, whose metadata names ${named === undefined ? 'no thread' : named}: remove that line from the journal, or the conversation`,
      );
    }
    return conversationId;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    await journal.record(threadId, undefined);
    return undefined;
  }
}

// The thread's metadata, and the key that names the thread; keys past the API's 16 are left out.
function conversationMetadata(thread: Thread, notCarried: NotCarried[]): Record<string, string> {
  const own = Object.entries(thread.metadata ?? {}).filter(([key]) => key !== THREAD_METADATA_KEY);
  const kept = own.slice(0, MAX_METADATA_KEYS - 1);
  const dropped = own.slice(MAX_METADATA_KEYS - 1).map(([key]) => key);
  if (dropped.length > 0) {
    notCarried.push({ thread_id: thread.id, what: `thread metadata ${dropped.join(', ')}`, why: `a conversation takes ${MAX_METADATA_KEYS} metadata keys, and one names the source thread` });
  }
  const resources = thread.tool_resources ?? {};
  for (const id of resources.file_search?.vector_store_ids ?? []) {
    notCarried.push({ thread_id: thread.id, what: `thread vector store ${id}`, why: 'a conversation has no tool resources: give file_search the store in each request (the assistant’s configuration file)' });
  }
  for (const id of resources.code_interpreter?.file_ids ?? []) {
    notCarried.push({ thread_id: thread.id, what: `thread code interpreter file ${id}`, why: 'a conversation has no tool resources: give the code interpreter its files in each request' });
  }
  return { [THREAD_METADATA_KEY]: thread.id.slice(0, 512), ...Object.fromEntries(kept) };
}

async function itemIdsOf(target: AssistantsClient, conversationId: string, signal?: AbortSignal): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const item of target.conversations.items.list(conversationId, { order: 'asc', limit: PAGE }, { signal })) ids.add(item.id);
  return ids;
}

// The thread's items the conversation lacks. Copies append in order, a batch all or nothing, so
// a conversation holds a prefix of them; anything else means it was changed since, and is left be.
function itemsMissing(items: readonly PlannedItem[], held: ReadonlySet<string>, threadId: string, conversationId: string): PlannedItem[] {
  let prefix = 0;
  while (prefix < items.length && held.has(items[prefix]!.id)) prefix += 1;
  const stray = items.slice(prefix).find((item) => held.has(item.id));
  if (stray !== undefined) {
    throw new MigrationError(
      'conversation-diverged',
      `${conversationId} holds ${stray.id} of ${threadId} but not ${items[prefix]!.id} before it (items deleted since?): left as it is`,
    );
  }
  return items.slice(prefix);
}
