// The Conversations API objects (`/v1/conversations`), typed from the OpenAPI spec of the OpenAI
// API (`ConversationResource`, `ConversationItem`, `ConversationItemList`,
// `DeletedConversationResource`). A conversation keeps a Responses history server-side: the
// successor of an Assistants thread (docs/responses.md, "Conversations").

/** A conversation: its id, when it was made, and its metadata (its items are listed apart). */
export interface ConversationObject {
  id: string;
  object: 'conversation';
  created_at: number;
  metadata: Record<string, string>;
}

/** The answer of `DELETE /conversations/{id}`. */
export interface ConversationDeletedObject {
  id: string;
  object: 'conversation.deleted';
  deleted: boolean;
}

/**
 * An item of a conversation: the same kinds as a response's `output` (messages of any role,
 * function calls and their outputs, file search and code interpreter calls, …), each with its
 * id; kinds this library does not name keep every field the server sent.
 */
export type ConversationItem = { id: string; type: string } & Record<string, unknown>;

/** A page of a conversation's items (`GET /conversations/{id}/items`, and the answer of `POST …/items`). */
export interface ConversationItemList {
  object: 'list';
  data: ConversationItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** How many items one `POST /conversations` or `POST /conversations/{id}/items` may add. */
export const MAX_ITEMS_PER_CONVERSATION_REQUEST = 20;
