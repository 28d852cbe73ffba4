import type { PagePromise } from '../pagination.ts';
import { path, type RequestOptions } from '../request.ts';
import type {
  Message,
  MessageCreateParams,
  MessageDeleteParams,
  MessageDeleted,
  MessageListParams,
  MessageRetrieveParams,
  MessageUpdateParams,
} from '../types.ts';
import { APIResource } from './resource.ts';

/** `client.beta.threads.messages`. */
export class Messages extends APIResource {
  /**
   * Adds a message to a thread.
   *
   * @example `await client.beta.threads.messages.create(threadId, { role: 'user', content: 'What is 3 * 7?' });`
   */
  async create(threadId: string, body: MessageCreateParams, options?: RequestOptions): Promise<Message> {
    return this._client.request({ method: 'POST', path: path`/threads/${threadId}/messages`, body }, options);
  }

  /** Retrieves a message. @example `await client.beta.threads.messages.retrieve(messageId, { thread_id: threadId });` */
  async retrieve(messageId: string, params: MessageRetrieveParams, options?: RequestOptions): Promise<Message> {
    return this._client.request({ method: 'GET', path: path`/threads/${params.thread_id}/messages/${messageId}` }, options);
  }

  /** Modifies a message's metadata. @example `await client.beta.threads.messages.update(messageId, { thread_id, metadata: { seen: 'yes' } });` */
  async update(messageId: string, params: MessageUpdateParams, options?: RequestOptions): Promise<Message> {
    const { thread_id, ...body } = params;
    return this._client.request({ method: 'POST', path: path`/threads/${thread_id}/messages/${messageId}`, body }, options);
  }

  /**
   * Lists a thread's messages (newest first unless `order: 'asc'`).
   *
   * @example
   * ```ts
   * for await (const message of client.beta.threads.messages.list(threadId, { order: 'asc' })) console.log(message.role);
   * ```
   */
  list(threadId: string, query: MessageListParams = {}, options?: RequestOptions): PagePromise<Message> {
    return this._client.requestList(() => ({ method: 'GET', path: path`/threads/${threadId}/messages`, query: { ...query } }), options);
  }

  /** Deletes a message. @example `await client.beta.threads.messages.delete(messageId, { thread_id: threadId });` */
  async delete(messageId: string, params: MessageDeleteParams, options?: RequestOptions): Promise<MessageDeleted> {
    return this._client.request({ method: 'DELETE', path: path`/threads/${params.thread_id}/messages/${messageId}` }, options);
  }
}
