import type { ConversationItem, ConversationObject } from '../../wire/index.ts';
import type { ResponseRecord } from '../responses/record.ts';
import { Collection } from '../store.ts';

/**
 * A conversation of `/v1/conversations`: the object, its items in order, and the newest response
 * created in it — the one a response with function outputs continues, and the one that holds the
 * conversation while it runs (`conversation_locked`).
 */
export interface ConversationRecord {
  conversation: ConversationObject;
  items: Collection<ConversationItem>;
  /** The newest response made in it (a `store: false` one too, in this process only). */
  latest: ResponseRecord | undefined;
  /** The id of the newest stored response made in it: what durable storage keeps of `latest`. */
  latestResponseId: string | undefined;
}

/**
 * A new record for a conversation object, with no items yet.
 *
 * @example `const record = conversationRecord({ id, object: 'conversation', created_at, metadata: {} });`
 */
export function conversationRecord(conversation: ConversationObject): ConversationRecord {
  return { conversation, items: new Collection('item'), latest: undefined, latestResponseId: undefined };
}
