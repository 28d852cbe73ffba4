import { Hono } from 'hono';
import { attachFiles, checkMessageFiles } from '../attachments/index.ts';
import { newMessage } from '../builders.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { paginate, parseListQuery } from '../pagination.ts';
import { CreateMessageRequest, ModifyMetadataRequest } from '../../wire/requests.ts';
import type { ThreadRecord } from '../store.ts';
import { readJsonBody } from '../validation.ts';
import type { RunExecutor } from '../executor/runExecutor.ts';

/** The API's 400 for writing to a thread whose run is still going. */
export function assertNoActiveRun(record: ThreadRecord<RunExecutor>, action: 'run' | 'message'): void {
  const active = record.runs.last();
  if (active === undefined || !active.isActive) return;
  const threadId = record.thread.id;
  throw new ApiError(
    400,
    action === 'run'
      ? `Thread ${threadId} already has an active run ${active.id}.`
      : `Can't add messages to ${threadId} while a run ${active.id} is active.`,
  );
}

/** `/threads/{thread_id}/messages`: create, list (optionally by `run_id`), retrieve, modify, delete. */
export function messageRoutes(context: ServerContext): Hono {
  const thread = (id: string) => context.store.threads.require(id);
  return new Hono()
    .post('/:thread_id/messages', async (c) => {
      const record = thread(c.req.param('thread_id'));
      const body = await readJsonBody(c, CreateMessageRequest);
      checkMessageFiles(context, body);
      assertNoActiveRun(record, 'message');
      const message = newMessage(record.thread.id, body);
      record.messages.set(message.id, message);
      attachFiles(context, record, message);
      return c.json(message);
    })
    .get('/:thread_id/messages', (c) => {
      const record = thread(c.req.param('thread_id'));
      const query = parseListQuery(c.req.query());
      const runId = c.req.query('run_id');
      const messages = record.messages.values().filter((message) => runId === undefined || message.run_id === runId);
      return c.json(paginate(messages, (message) => message.id, query));
    })
    .get('/:thread_id/messages/:message_id', (c) => c.json(thread(c.req.param('thread_id')).messages.require(c.req.param('message_id'))))
    .post('/:thread_id/messages/:message_id', async (c) => {
      const { messages } = thread(c.req.param('thread_id'));
      const message = messages.require(c.req.param('message_id'));
      const body = await readJsonBody(c, ModifyMetadataRequest);
      if (body.metadata !== undefined) message.metadata = body.metadata;
      return c.json(messages.set(message.id, message));
    })
    .delete('/:thread_id/messages/:message_id', (c) => {
      const record = thread(c.req.param('thread_id'));
      const { id } = record.messages.require(c.req.param('message_id'));
      record.messages.delete(id);
      return c.json({ id, object: 'thread.message.deleted', deleted: true });
    });
}
