import type { AssistantsClient } from '../AssistantsClient.ts';

/** A group of calls under one path of the API; all share the client's transport. */
export abstract class APIResource {
  protected readonly _client: AssistantsClient;

  constructor(client: AssistantsClient) {
    this._client = client;
  }
}
