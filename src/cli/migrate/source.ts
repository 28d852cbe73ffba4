import { APIError, NotFoundError, type AssistantsClient } from '../../client/index.ts';
import type { Assistant, Message, Run, RunStep, Thread } from '../../wire/index.ts';
import { MigrationError } from './errors.ts';
import type { SourceThread } from './threadItems.ts';

// Reading what a team has on an Assistants-compatible backend, with the client's own calls.

const PAGE = 100;
const INCLUDE_RESULTS = 'step_details.tool_calls[*].file_search.results[*].content' as const;

/**
 * Every thread id the source lists (`GET /threads`, oldest first): an extension the hosted API
 * never had — Foundry's agents service and the embedded server serve it. A source without it is a
 * {@link MigrationError} `no-thread-list`.
 *
 * @example `const ids = await listedThreadIds(source, signal);`
 */
export async function listedThreadIds(client: AssistantsClient, signal?: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  try {
    for await (const thread of client.beta.threads.list({ limit: PAGE, order: 'asc' }, { signal })) ids.push(thread.id);
  } catch (error) {
    if (error instanceof APIError && (error.status === 404 || error.status === 405)) {
      throw new MigrationError('no-thread-list', `the source does not list its threads (GET /threads answered ${error.status}): name them with --threads ID…`, { cause: error });
    }
    throw error;
  }
  return ids;
}

/** Every assistant of the source, oldest first. @example `const assistants = await listedAssistants(source);` */
export async function listedAssistants(client: AssistantsClient, signal?: AbortSignal): Promise<Assistant[]> {
  const assistants: Assistant[] = [];
  for await (const assistant of client.beta.assistants.list({ limit: PAGE, order: 'asc' }, { signal })) assistants.push(assistant);
  return assistants;
}

/**
 * A thread as a migration needs it: the thread, its messages and runs oldest first, each run's
 * steps (file search results with their text), and the names of the files its citations name
 * (`filenames` is shared across threads: each file is asked for once).
 *
 * @example `const { thread, source } = await readThread(client, 'thread_abc', filenames);`
 */
export async function readThread(
  client: AssistantsClient,
  threadId: string,
  filenames: Map<string, string>,
  signal?: AbortSignal,
): Promise<{ thread: Thread; source: SourceThread }> {
  const thread = await client.beta.threads.retrieve(threadId, { signal });
  const messages: Message[] = [];
  for await (const message of client.beta.threads.messages.list(threadId, { limit: PAGE, order: 'asc' }, { signal })) messages.push(message);
  const runs: Run[] = [];
  for await (const run of client.beta.threads.runs.list(threadId, { limit: PAGE, order: 'asc' }, { signal })) runs.push(run);
  const stepsOf = new Map<string, RunStep[]>();
  for (const run of runs) {
    const steps: RunStep[] = [];
    for await (const step of client.beta.threads.runs.steps.list(run.id, { thread_id: threadId, limit: PAGE, order: 'asc', include: [INCLUDE_RESULTS] }, { signal })) steps.push(step);
    stepsOf.set(run.id, steps);
  }
  for (const fileId of citedFiles(messages)) {
    if (filenames.has(fileId)) continue;
    try {
      filenames.set(fileId, (await client.files.retrieve(fileId, { signal })).filename);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      filenames.set(fileId, '');
    }
  }
  return { thread, source: { threadId, messages: sortedByTime(messages), runs: sortedByTime(runs), stepsOf, filenames } };
}

function citedFiles(messages: readonly Message[]): Set<string> {
  const ids = new Set<string>();
  for (const message of messages) {
    for (const part of message.content) {
      if (part.type !== 'text') continue;
      for (const annotation of part.text.annotations) {
        if (annotation.type === 'file_citation') ids.add((annotation as { file_citation: { file_id: string } }).file_citation.file_id);
      }
    }
  }
  return ids;
}

// A stable sort by creation time: a source that lists in another order still reads in time order.
function sortedByTime<T extends { created_at?: number | undefined }>(objects: readonly T[]): T[] {
  return objects
    .map((object, index) => ({ object, index }))
    .sort((a, b) => (a.object.created_at ?? 0) - (b.object.created_at ?? 0) || a.index - b.index)
    .map(({ object }) => object);
}
