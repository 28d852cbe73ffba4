import type { PagePromise } from '../pagination.ts';
import { path, type RequestOptions } from '../request.ts';
import type { Assistant, AssistantCreateParams, AssistantDeleted, AssistantListParams, AssistantUpdateParams } from '../types.ts';
import { APIResource } from './resource.ts';

/** `client.beta.assistants`. */
export class Assistants extends APIResource {
  /**
   * Creates an assistant.
   *
   * @example `const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'code_interpreter' }] });`
   */
  async create(body: AssistantCreateParams, options?: RequestOptions): Promise<Assistant> {
    return this._client.request({ method: 'POST', path: '/assistants', body }, options);
  }

  /** Retrieves an assistant. @example `const assistant = await client.beta.assistants.retrieve('asst_123');` */
  async retrieve(assistantId: string, options?: RequestOptions): Promise<Assistant> {
    return this._client.request({ method: 'GET', path: path`/assistants/${assistantId}` }, options);
  }

  /** Modifies an assistant. @example `await client.beta.assistants.update('asst_123', { name: 'Tutor' });` */
  async update(assistantId: string, body: AssistantUpdateParams, options?: RequestOptions): Promise<Assistant> {
    return this._client.request({ method: 'POST', path: path`/assistants/${assistantId}`, body }, options);
  }

  /** Lists assistants. @example `for await (const assistant of client.beta.assistants.list()) console.log(assistant.name);` */
  list(query: AssistantListParams = {}, options?: RequestOptions): PagePromise<Assistant> {
    return this._client.requestList(() => ({ method: 'GET', path: '/assistants', query: { ...query } }), options);
  }

  /** Deletes an assistant. @example `await client.beta.assistants.delete('asst_123');` */
  async delete(assistantId: string, options?: RequestOptions): Promise<AssistantDeleted> {
    return this._client.request({ method: 'DELETE', path: path`/assistants/${assistantId}` }, options);
  }
}
