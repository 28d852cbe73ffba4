import { Hono } from 'hono';
import { attachFiles, checkMessageFiles } from '../attachments/index.ts';
import { newMessage } from '../builders.ts';
import type { ServerContext } from '../context.ts';
import type { RunExecutor } from '../executor/runExecutor.ts';
import { newId, nowSeconds } from '../ids.ts';
import type { ThreadObject } from '../objects.ts';
import { CreateThreadRequest, ModifyThreadRequest, type CreateThreadInput } from '../../wire/requests.ts';
import { Collection, type ThreadRecord } from '../store.ts';
import { resolveToolResources } from '../toolResources.ts';
import { paginate, parseListQuery } from '../pagination.ts';
import { readJsonBody } from '../validation.ts';

/**
 * Creates a thread with its initial messages.
 *
 * @example `const record = createThread(context, { messages: [{ role: 'user', content: 'Hi' }] });`
 */
export function createThread(context: ServerContext, body: CreateThreadInput): ThreadRecord<RunExecutor> {
  for (const input of body.messages ?? []) checkMessageFiles(context, input);
  const toolResources = resolveToolResources(context, body.tool_resources);
  const thread: ThreadObject = {
    id: newId('thread_'),
    object: 'thread',
    created_at: nowSeconds(),
    tool_resources: toolResources ?? {},
    metadata: body.metadata ?? {},
  };
  const record: ThreadRecord<RunExecutor> = {
    thread,
    messages: new Collection('message'),
    runs: new Collection('run'),
  };
  context.store.threads.set(thread.id, record);
  for (const input of body.messages ?? []) {
    const message = newMessage(thread.id, input);
    record.messages.set(message.id, message);
    attachFiles(context, record, message);
  }
  return record;
}

/**
 * `/threads`: create, retrieve, modify, delete (create-and-run lives with the runs), and list —
 * an extension the Assistants API never had, shaped as Microsoft Foundry's agents service shapes
 * it (`GET /threads?limit&order&after&before`, newest first, the API's list envelope), so a
 * client can find every thread without knowing its ids (docs/server.md). The threads the server
 * made to run `/v1/responses` on are no client's, and are not listed.
 */
export function threadRoutes(context: ServerContext): Hono {
  const { threads } = context.store;
  return new Hono()
    .get('/', (c) => {
      const listed = threads.values().flatMap((record) => (record.backsResponses === true ? [] : [record.thread]));
      return c.json(paginate(listed, (thread) => thread.id, parseListQuery(c.req.query())));
    })
    .post('/', async (c) => c.json(createThread(context, await readJsonBody(c, CreateThreadRequest)).thread))
    .get('/:thread_id', (c) => c.json(threads.require(c.req.param('thread_id')).thread))
    .post('/:thread_id', async (c) => {
      const record = threads.require(c.req.param('thread_id'));
      const body = await readJsonBody(c, ModifyThreadRequest);
      if (body.tool_resources !== undefined) record.thread.tool_resources = resolveToolResources(context, body.tool_resources);
      if (body.metadata !== undefined) record.thread.metadata = body.metadata;
      return c.json(threads.set(record.thread.id, record).thread);
    })
    .delete('/:thread_id', (c) => {
      const record = threads.require(c.req.param('thread_id'));
      for (const run of record.runs.values()) run.dispose();
      threads.delete(record.thread.id);
      return c.json({ id: record.thread.id, object: 'thread.deleted', deleted: true });
    });
}
