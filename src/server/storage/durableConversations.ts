import type { ConversationItem, ConversationObject } from '../../wire/index.ts';
import { conversationRecord, type ConversationRecord } from '../conversations/record.ts';
import { DEFAULT_TENANT, type Collection } from '../store.ts';
import { StorageError, type StoredKind, type StoredObject } from './engine.ts';
import type { PersistenceQueue } from './queue.ts';

/**
 * What a `conversation` row holds: the object, and the id of the newest stored response made in
 * it (the one a response with function outputs continues after a restart). Its items are rows of
 * kind `conversation_item` under it, in the order they were added; deleting the conversation
 * deletes them (its `root`).
 */
interface StoredConversation {
  conversation: ConversationObject;
  latestResponseId?: string;
}

/** How the conversations reach durable storage, and how other servers' writes come back to them. */
export interface ConversationsBinding {
  /** A `conversation` or `conversation_item` row another server committed; nothing is written back. */
  applyPut(row: StoredObject): void;
  /** An item another server deleted. */
  applyDelete(kind: StoredKind, parent: string, id: string): void;
  /** A top-level object another server deleted (a conversation, if it is one). */
  applyDeleteRoot(root: string): void;
}

/**
 * Makes `conversations` durable: a conversation is written when created or changed (its
 * metadata, its newest response), each item when added, and deletions as they happen.
 *
 * @example `const binding = bindConversations(context.conversations, queue);`
 */
export function bindConversations(conversations: Collection<ConversationRecord>, queue: PersistenceQueue): ConversationsBinding {
  // Conversations restored or heard from another server are set without being written back.
  let quiet = false;
  const bound = new WeakSet<ConversationRecord>();
  const put = (kind: StoredKind, parent: string, id: string, root: string, data: unknown) => {
    // A conversation's rows carry its tenant (it is their root).
    if (!quiet) queue.enqueue({ type: 'put', kind, parent, id, root, data: JSON.stringify(data), tenant: conversations.ownerOf(root) ?? DEFAULT_TENANT });
  };
  const bind = (record: ConversationRecord, writeItems: boolean) => {
    if (bound.has(record)) return;
    bound.add(record);
    const id = record.conversation.id;
    const putItem = (itemId: string, item: ConversationItem) => put('conversation_item', id, itemId, id, item);
    record.items.observe({
      set: putItem,
      delete: (itemId) => {
        if (!quiet) queue.enqueue({ type: 'delete', kind: 'conversation_item', parent: id, id: itemId });
      },
    });
    if (writeItems) for (const item of record.items.values()) putItem(item.id, item);
  };
  const stored = (record: ConversationRecord): StoredConversation => ({
    conversation: record.conversation,
    ...(record.latestResponseId === undefined ? {} : { latestResponseId: record.latestResponseId }),
  });
  for (const record of conversations.values()) bind(record, false);
  conversations.observe({
    set(id, record) {
      put('conversation', '', id, id, stored(record));
      bind(record, true);
    },
    delete(id) {
      if (!quiet) queue.enqueue({ type: 'deleteRoot', root: id });
    },
  });
  const quietly = (apply: () => void) => {
    quiet = true;
    try {
      apply();
    } finally {
      quiet = false;
    }
  };
  return {
    applyPut(row) {
      quietly(() => {
        if (row.kind === 'conversation') {
          const { conversation, latestResponseId } = parse<StoredConversation>(row);
          const existing = conversations.get(row.id);
          const record = existing ?? conversationRecord(conversation);
          record.conversation = conversation;
          if (latestResponseId !== record.latestResponseId) {
            record.latestResponseId = latestResponseId;
            record.latest = undefined;
          }
          conversations.set(row.id, record, row.tenant);
        } else if (row.kind === 'conversation_item') {
          conversations.get(row.parent)?.items.set(row.id, parse<ConversationItem>(row));
        }
      });
    },
    applyDelete(kind, parent, id) {
      if (kind === 'conversation_item') quietly(() => conversations.get(parent)?.items.delete(id));
    },
    applyDeleteRoot(root) {
      quietly(() => conversations.delete(root));
    },
  };
}

/**
 * Fills `conversations` with the rows of kind `conversation` in `objects` and their items, in
 * creation order.
 *
 * @example `restoreConversations(context.conversations, state.objects);`
 */
export function restoreConversations(conversations: Collection<ConversationRecord>, objects: readonly StoredObject[]): void {
  for (const row of objects) {
    if (row.kind === 'conversation') {
      const { conversation, latestResponseId } = parse<StoredConversation>(row);
      const record = conversationRecord(conversation);
      record.latestResponseId = latestResponseId;
      conversations.set(row.id, record, row.tenant);
    } else if (row.kind === 'conversation_item') {
      // An item's row comes after its conversation's (creation order).
      conversations.get(row.parent)?.items.set(row.id, parse<ConversationItem>(row));
    }
  }
}

function parse<Value>(row: StoredObject): Value {
  try {
    return JSON.parse(row.data) as Value;
  } catch (error) {
    throw new StorageError(`The database row ${row.kind} ${row.id} (under '${row.parent}') is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
