import type { RunMessagesInput } from '../../machines/assistantRun.ts';
import type { AssistantsClient } from '../client/AssistantsClient.ts';
import { NotFoundError } from '../client/errors.ts';
import type { ResponseCreateParams } from '../client/resources/responses.ts';
import { messageOfItem, type RunIdentity } from '../wire/responses/objects.ts';
import type { ConversationItem, Message, ResponseObject, ResponseOutputMessage, Run } from '../wire/index.ts';

/**
 * Where each thread's history is kept on the Responses API, by thread id: its conversation's id
 * (history `conversation`), or the last response of its last finished run (history
 * `previous_response_id`). Give a durable store to keep threads across processes.
 */
export interface ConversationStore {
  get(threadId: string): string | undefined | Promise<string | undefined>;
  /** Awaited; what it resolves with is ignored (so a `Map` is a store). */
  set(threadId: string, id: string): unknown;
}

/** How a thread's runs follow one another on the Responses API (`responses.history` of createAssistantRun). */
export type ResponsesHistoryMode = 'conversation' | 'previous_response_id';

/** The metadata key of a conversation made for a thread: the thread's id. */
export const THREAD_METADATA_KEY = 'assistant_machines_thread';

// A conversation lists at most this many items back when a run's messages are read from it.
const MAX_ITEMS_READ = 10_000;
// How many responses of one run's chain are read back for its messages, at most.
const MAX_CHAIN_LENGTH = 1_000;

/**
 * A thread's history on the Responses API: what a run's first response continues, and how the
 * run's messages are read back when it ends. A continuation of a paused run goes on as its run
 * says (see {@link continuationOf}), whichever history started it.
 *
 * @internal
 */
export interface ThreadHistory {
  /** `conversation` or `previous_response_id` for the first response of a run on the thread. */
  start(threadId: string, signal: AbortSignal): Promise<Pick<ResponseCreateParams, 'conversation' | 'previous_response_id'>>;
  /** The assistant messages of the run, oldest first, once it ended; the history moves on. */
  messages(input: RunMessagesInput, signal: AbortSignal): Promise<Message[]>;
}

/**
 * A thread is a conversation: created on the thread's first run (its metadata names the thread)
 * — or the thread id itself when it names one (`conv_…`) — and named by every response of its
 * runs; the server keeps the history, and adds each response's input and output to it.
 *
 * @internal
 */
export function conversationHistory(client: AssistantsClient, store: ConversationStore): ThreadHistory {
  return {
    async start(threadId, signal) {
      const known = await store.get(threadId);
      if (known !== undefined) return { conversation: known };
      if (threadId.startsWith('conv_')) return { conversation: threadId };
      const conversation = await client.conversations.create({ metadata: { [THREAD_METADATA_KEY]: threadId.slice(0, 512) } }, { signal });
      await store.set(threadId, conversation.id);
      return { conversation: conversation.id };
    },
    messages: (input, signal) => conversationMessages(client, input, signal),
  };
}

/**
 * A thread is a chain of responses: the next run continues the last response of the thread's
 * last run that ended `completed` or `incomplete` (a failed or cancelled run does not move it on).
 *
 * @internal
 */
export function previousResponseHistory(client: AssistantsClient, store: ConversationStore): ThreadHistory {
  return {
    async start(threadId) {
      const previous = await store.get(threadId);
      return previous === undefined ? {} : { previous_response_id: previous };
    },
    async messages({ threadId, runId, run }, signal) {
      const chain: ResponseObject[] = [];
      let responseId: string | null | undefined = responseIdOf(run, runId);
      while (responseId != null && chain.length < MAX_CHAIN_LENGTH) {
        const response: ResponseObject = await client.responses.retrieve(responseId, { signal });
        chain.unshift(response);
        responseId = response.id === runId ? null : response.previous_response_id;
      }
      const latest = chain.at(-1);
      if (latest !== undefined && (run?.status === 'completed' || run?.status === 'incomplete')) await store.set(threadId, latest.id);
      return chain.flatMap((response) => messagesOf(response.output, identityOf(response, runId), response.created_at));
    },
  };
}

/**
 * How a paused run goes on: in its conversation when its responses have one (the run's thread
 * is the conversation), else after its newest response.
 *
 * @internal
 */
export function continuationOf(run: Run | null, runId: string): Pick<ResponseCreateParams, 'conversation' | 'previous_response_id'> {
  if (run !== null && run.thread_id !== run.id && run.thread_id.startsWith('conv_')) return { conversation: run.thread_id };
  return { previous_response_id: responseIdOf(run, runId) };
}

/**
 * Abandons a paused run in a conversation: its function calls, which nothing will answer, are
 * deleted from the conversation, so the thread's next run can go on there (the API refuses a
 * response whose context has a call without its output). Without a conversation, nothing to do:
 * the next run does not continue a cancelled one.
 *
 * @internal
 */
export async function abandonPause(client: AssistantsClient, run: Run, runId: string, signal: AbortSignal): Promise<void> {
  const { conversation } = continuationOf(run, runId);
  if (typeof conversation !== 'string') return;
  const paused = await client.responses.retrieve(responseIdOf(run, runId), { signal });
  for (const item of paused.output) {
    if (item.type !== 'function_call' || typeof item.id !== 'string') continue;
    await client.conversations.items.delete(item.id, { conversation_id: conversation }, { signal }).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
  }
}

/** The newest response of a run's chain: the one its last-seen run object came from. @internal */
export function responseIdOf(run: Run | null, runId: string): string {
  const responseId = (run as { response_id?: unknown } | null)?.response_id;
  return typeof responseId === 'string' ? responseId : runId;
}

/** Where a response's Assistants objects live: its run, and its conversation as the thread (else the run). @internal */
export function identityOf(response: ResponseObject, runId: string): RunIdentity {
  const conversationId = response.conversation?.id;
  return { runId, threadId: typeof conversationId === 'string' ? conversationId : runId };
}

/**
 * A run's messages in a conversation. One response: its message items. Several (a run that
 * paused for function calls): the conversation's items from the first response's first output
 * to the newest response's last — the responses between are only in the conversation — and the
 * newest response's own when it failed or was cancelled (the server did not add them).
 */
async function conversationMessages(client: AssistantsClient, { runId, run }: RunMessagesInput, signal: AbortSignal): Promise<Message[]> {
  const latest = await client.responses.retrieve(responseIdOf(run, runId), { signal });
  const ofLatest = messagesOf(latest.output, identityOf(latest, runId), latest.created_at);
  if (latest.id === runId) return ofLatest;
  const first = await client.responses.retrieve(runId, { signal });
  const conversationId = latest.conversation?.id ?? first.conversation?.id;
  const startAt = first.output[0]?.id;
  const added = latest.status === 'completed' || latest.status === 'incomplete';
  const fallback = () => [...messagesOf(first.output, identityOf(first, runId), first.created_at), ...ofLatest];
  if (conversationId == null || startAt === undefined) return fallback();
  const endAt = added ? latest.output.at(-1)?.id : undefined;
  const items: ConversationItem[] = [];
  let inRun = endAt === undefined;
  let found = false;
  let read = 0;
  // Newest first: past what came after the run, then back to its first item.
  for await (const item of client.conversations.items.list(conversationId, { order: 'desc', limit: 100 }, { signal })) {
    if (!inRun && item.id === endAt) inRun = true;
    if (inRun) items.unshift(item);
    if (item.id === startAt) {
      found = true;
      break;
    }
    if (++read >= MAX_ITEMS_READ) break;
  }
  if (!found) return fallback();
  const messages = messagesOf(items, identityOf(first, runId), first.created_at);
  return added ? messages : [...messages, ...ofLatest];
}

function messagesOf(items: ReadonlyArray<{ type: string }>, identity: RunIdentity, createdAt: number): Message[] {
  return items
    .filter((item): item is ResponseOutputMessage => item.type === 'message' && (item as { role?: unknown }).role === 'assistant')
    .map((item) => messageOfItem(item, identity, createdAt, item.status));
}
