import type { ConversationDeletedObject, ConversationItem, ConversationItemList, ConversationObject } from '../../wire/index.ts';
import type { AssistantsClient } from '../AssistantsClient.ts';
import type { PagePromise } from '../pagination.ts';
import { path, type RequestOptions } from '../request.ts';
import type { ResponseInputItem } from './responses.ts';
import { APIResource } from './resource.ts';

/** What `include` may ask the item endpoints to show (file search results, code interpreter outputs, …). */
export type ConversationIncludable =
  | 'file_search_call.results'
  | 'web_search_call.results'
  | 'web_search_call.action.sources'
  | 'message.input_image.image_url'
  | 'computer_call_output.output.image_url'
  | 'code_interpreter_call.outputs'
  | 'reasoning.encrypted_content'
  | 'message.output_text.logprobs';

/** The body of `conversations.create`. */
export interface ConversationCreateParams {
  /** Up to 20 items the conversation starts with (more are a 400: add them with `items.create`). */
  items?: ResponseInputItem[] | null;
  metadata?: Record<string, string> | null;
}

/** The body of `conversations.update`: the new metadata (it replaces the old). */
export interface ConversationUpdateParams {
  metadata: Record<string, string> | null;
}

/** The body and query of `conversations.items.create`. */
export interface ConversationItemCreateParams {
  /** Up to 20 items, added in order. */
  items: ResponseInputItem[];
  include?: ConversationIncludable[];
}

/** The query of `conversations.items.list`. */
export interface ConversationItemListParams {
  /** 1–100, default 20. */
  limit?: number;
  /** Default `desc`: newest first. */
  order?: 'asc' | 'desc';
  /** An item id: list the items after it. */
  after?: string;
  include?: ConversationIncludable[];
}

/** The parameters of `conversations.items.retrieve`. */
export interface ConversationItemRetrieveParams {
  conversation_id: string;
  include?: ConversationIncludable[];
}

/** The parameters of `conversations.items.delete`. */
export interface ConversationItemDeleteParams {
  conversation_id: string;
}

/** `client.conversations.items`: a conversation's items, in the official SDK's layout. */
export class ConversationItems extends APIResource {
  /**
   * Adds up to 20 items to a conversation, in order; answers with them as a list.
   *
   * @example `const { data } = await client.conversations.items.create(conversationId, { items: [{ role: 'user', content: 'Hi' }] });`
   */
  async create(conversationId: string, params: ConversationItemCreateParams, options?: RequestOptions): Promise<ConversationItemList> {
    const { include, ...body } = params;
    return this._client.request({ method: 'POST', path: path`/conversations/${conversationId}/items`, query: { include }, body }, options);
  }

  /**
   * Lists a conversation's items, newest first unless `order: 'asc'`; iterate for every page.
   *
   * @example `for await (const item of client.conversations.items.list(conversationId, { order: 'asc' })) console.log(item.type);`
   */
  list(conversationId: string, query: ConversationItemListParams = {}, options?: RequestOptions): PagePromise<ConversationItem> {
    return this._client.requestList(() => ({ method: 'GET', path: path`/conversations/${conversationId}/items`, query: { ...query } }), options);
  }

  /** Retrieves one item. @example `const item = await client.conversations.items.retrieve(itemId, { conversation_id });` */
  async retrieve(itemId: string, params: ConversationItemRetrieveParams, options?: RequestOptions): Promise<ConversationItem> {
    const { conversation_id, ...query } = params;
    return this._client.request({ method: 'GET', path: path`/conversations/${conversation_id}/items/${itemId}`, query }, options);
  }

  /** Deletes one item; answers with the conversation. @example `await client.conversations.items.delete(itemId, { conversation_id });` */
  async delete(itemId: string, params: ConversationItemDeleteParams, options?: RequestOptions): Promise<ConversationObject> {
    return this._client.request({ method: 'DELETE', path: path`/conversations/${params.conversation_id}/items/${itemId}` }, options);
  }
}

/**
 * `client.conversations`: the Conversations API in the official SDK's layout — where a
 * Responses history is kept server-side, the successor of an Assistants thread. Pass a
 * conversation's id as `conversation` to `client.responses.create` or `.stream`: its items are
 * the input's prefix, and the response's input and output are added to it (docs/responses.md).
 *
 * @example
 * ```ts
 * const conversation = await client.conversations.create({ items: [{ role: 'user', content: 'Hi' }] });
 * const response = await client.responses.create({ model: 'gpt-4.1', conversation: conversation.id, input: 'And?' });
 * ```
 */
export class Conversations extends APIResource {
  readonly items: ConversationItems;

  constructor(client: AssistantsClient) {
    super(client);
    this.items = new ConversationItems(client);
  }

  /** Creates a conversation, with up to 20 items. @example `const conversation = await client.conversations.create({ metadata: { user: 'u_1' } });` */
  async create(body: ConversationCreateParams | null = {}, options?: RequestOptions): Promise<ConversationObject> {
    return this._client.request({ method: 'POST', path: '/conversations', body: body ?? {} }, options);
  }

  /** Retrieves a conversation. @example `const conversation = await client.conversations.retrieve(conversationId);` */
  async retrieve(conversationId: string, options?: RequestOptions): Promise<ConversationObject> {
    return this._client.request({ method: 'GET', path: path`/conversations/${conversationId}` }, options);
  }

  /** Replaces a conversation's metadata. @example `await client.conversations.update(conversationId, { metadata: { topic: 'billing' } });` */
  async update(conversationId: string, body: ConversationUpdateParams, options?: RequestOptions): Promise<ConversationObject> {
    return this._client.request({ method: 'POST', path: path`/conversations/${conversationId}`, body }, options);
  }

  /** Deletes a conversation. @example `const { deleted } = await client.conversations.delete(conversationId);` */
  async delete(conversationId: string, options?: RequestOptions): Promise<ConversationDeletedObject> {
    return this._client.request({ method: 'DELETE', path: path`/conversations/${conversationId}` }, options);
  }
}
