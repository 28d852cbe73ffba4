import { Assistants } from './assistants.ts';
import { APIResource } from './resource.ts';
import { Threads } from './threads.ts';
import type { AssistantsClient } from '../AssistantsClient.ts';

/** `client.beta`: the Assistants API proper (assistants, threads, messages, runs, steps). */
export class Beta extends APIResource {
  readonly assistants: Assistants;
  readonly threads: Threads;

  constructor(client: AssistantsClient) {
    super(client);
    this.assistants = new Assistants(client);
    this.threads = new Threads(client);
  }
}
