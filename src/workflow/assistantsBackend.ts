import type { AssistantsClient } from '../client/AssistantsClient.ts';
import type { RunBackend } from './backend.ts';
import { createRunBody, findRunByKey, listRunMessages, requestCancel, retrieveRun } from './requests.ts';

/**
 * The Assistants API backend of an `assistantRun`: the run is a run of `threadId`, created and
 * continued with streams, retrieved, cancelled and listed through `client.beta.threads`.
 *
 * @internal
 */
export function assistantsBackend(client: AssistantsClient): RunBackend {
  const { runs } = client.beta.threads;
  return {
    protocol: 'assistants',
    baseURL: client.baseURL,
    async create(input, { signal, idleTimeoutMs, idempotencyKey, inspect }) {
      const found = await findRunByKey(client, input.threadId, input.runKey, signal);
      if (found !== null) return { found };
      return { stream: runs.stream(input.threadId, createRunBody(input.params, input.runKey), { signal, idleTimeoutMs, idempotencyKey, inspect }) };
    },
    async submit(input, { signal, idleTimeoutMs, idempotencyKey, inspect }) {
      return runs.submitToolOutputsStream(input.runId, { thread_id: input.threadId, tool_outputs: input.toolOutputs }, { signal, idleTimeoutMs, idempotencyKey, inspect });
    },
    retrieve: (locator, signal) => retrieveRun(client, locator, signal),
    cancel: (locator, signal) => requestCancel(client, locator, signal),
    messages: (input, signal) => listRunMessages(client, input.threadId, input.runId, signal),
    cancelAndForget(threadId, runId) {
      runs.cancel(runId, { thread_id: threadId }).catch(() => {});
    },
  };
}
