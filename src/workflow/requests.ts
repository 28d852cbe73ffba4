import type { AssistantRunCreateParams, RetrievedRun, RunLocator } from '../../machines/assistantRun.ts';
import { RUN_KEY_METADATA } from '../../machines/assistantRun.ts';
import type { AssistantsClient } from '../client/AssistantsClient.ts';
import { BadRequestError, NotFoundError } from '../client/errors.ts';
import { retrieveSpec } from '../client/poll.ts';
import { path } from '../client/request.ts';
import type { RunCreateParamsStream } from '../client/types.ts';
import type { Message, Run } from '../wire/index.ts';

// How many of a thread's newest runs are searched for a run key: the run being looked for is
// the newest, or nearly (a thread has one active run at a time).
const RUN_KEY_SEARCH_LIMIT = 20;

/**
 * The API body of a create-run request: the camelCase parameters in snake_case, and the
 * actor's run key added to `metadata` (so a restored actor can find the run it created).
 *
 * @example `createRunBody({ assistantId: 'asst_1', additionalMessages: [m] }, key)`
 */
export function createRunBody(params: AssistantRunCreateParams, runKey: string): RunCreateParamsStream {
  const body: Record<string, unknown> = { assistant_id: params.assistantId };
  const names: ReadonlyArray<[keyof AssistantRunCreateParams, string]> = [
    ['model', 'model'],
    ['instructions', 'instructions'],
    ['additionalInstructions', 'additional_instructions'],
    ['additionalMessages', 'additional_messages'],
    ['tools', 'tools'],
    ['temperature', 'temperature'],
    ['topP', 'top_p'],
    ['maxPromptTokens', 'max_prompt_tokens'],
    ['maxCompletionTokens', 'max_completion_tokens'],
    ['truncationStrategy', 'truncation_strategy'],
    ['toolChoice', 'tool_choice'],
    ['parallelToolCalls', 'parallel_tool_calls'],
    ['responseFormat', 'response_format'],
    ['reasoningEffort', 'reasoning_effort'],
    ['include', 'include'],
  ];
  for (const [from, to] of names) if (params[from] !== undefined) body[to] = params[from];
  body['metadata'] = { ...(params.metadata ?? {}), [RUN_KEY_METADATA]: runKey };
  return body as unknown as RunCreateParamsStream;
}

/**
 * The thread's run whose metadata carries `runKey`, or null when there is none: what a
 * restarted create (or a create whose answer was lost) finds instead of creating twice.
 */
export async function findRunByKey(client: AssistantsClient, threadId: string, runKey: string, signal?: AbortSignal): Promise<Run | null> {
  const page = await client.beta.threads.runs.list(threadId, { limit: RUN_KEY_SEARCH_LIMIT }, { signal });
  return (page.data as Run[]).find((run) => run.metadata?.[RUN_KEY_METADATA] === runKey) ?? null;
}

/** Retrieves the run (found by key when its id is unknown); `run` is null when it does not exist. */
export async function retrieveRun(client: AssistantsClient, locator: RunLocator, signal: AbortSignal): Promise<RetrievedRun> {
  if (locator.runId === null) {
    const run = await findRunByKey(client, locator.threadId, locator.runKey, signal);
    return { run, pollAfterMs: null, receivedAt: Date.now() };
  }
  try {
    const { data, response } = await client.requestJSON<Run>(retrieveSpec({ resource: 'run', threadId: locator.threadId, runId: locator.runId }), { signal });
    return { run: data, pollAfterMs: response.headers.get('openai-poll-after-ms'), receivedAt: Date.now() };
  } catch (error) {
    if (error instanceof NotFoundError) return { run: null, pollAfterMs: null, receivedAt: Date.now() };
    throw error;
  }
}

/**
 * Asks the server to cancel the run. A run that cannot be cancelled any more (a 400: it is
 * terminal, or already cancelling) is retrieved instead, so the answer is always where it stands.
 */
export async function requestCancel(client: AssistantsClient, locator: RunLocator, signal: AbortSignal): Promise<RetrievedRun> {
  const runId = locator.runId ?? (await findRunByKey(client, locator.threadId, locator.runKey, signal))?.id;
  if (runId === undefined) return { run: null, pollAfterMs: null, receivedAt: Date.now() };
  try {
    const { data, response } = await client.requestJSON<Run>({ method: 'POST', path: path`/threads/${locator.threadId}/runs/${runId}/cancel` }, { signal });
    return { run: data, pollAfterMs: response.headers.get('openai-poll-after-ms'), receivedAt: Date.now() };
  } catch (error) {
    if (error instanceof BadRequestError) return retrieveRun(client, { ...locator, runId }, signal);
    throw error;
  }
}

/** The assistant messages a run created, oldest first (every page). */
export async function listRunMessages(client: AssistantsClient, threadId: string, runId: string, signal: AbortSignal): Promise<Message[]> {
  const messages: Message[] = [];
  for await (const message of client.beta.threads.messages.list(threadId, { run_id: runId, order: 'asc', limit: 100 }, { signal })) {
    if ((message as Message).role === 'assistant') messages.push(message as Message);
  }
  return messages;
}
