import { Hono, type Context } from 'hono';
import { attachFiles, checkMessageFiles, codeInterpreterFileIds } from '../attachments/index.ts';
import { newMessage, newRun, presentStep } from '../builders.ts';
import type { ServerContext } from '../context.ts';
import { scenarioOf } from '../executor/scenario.ts';
import { RunExecutor, type RunExecutorInput } from '../executor/runExecutor.ts';
import { includesSearchContent, pollable } from '../http.ts';
import { paginate, parseListQuery } from '../pagination.ts';
import { CreateRunRequest, CreateThreadAndRunRequest, ModifyMetadataRequest, SubmitToolOutputsRequest, type RunSettingsInput } from '../../wire/requests.ts';
import type { ThreadRecord } from '../store.ts';
import { streamRunEvents } from '../streaming.ts';
import { ApiError } from '../errors.ts';
import { SSE_DONE_FRAME } from '../../wire/index.ts';
import { resolveToolResources } from '../toolResources.ts';
import { readJsonBody } from '../validation.ts';
import { assertNoActiveRun } from './messages.ts';
import { createThread } from './threads.ts';

/**
 * `/threads/runs` (create-and-run), `/threads/{thread_id}/runs` (create, list, retrieve,
 * modify, cancel, submit_tool_outputs) and the run steps. The three creating calls stream
 * the run's events with `stream: true`.
 */
export function runRoutes(context: ServerContext): Hono {
  const { store } = context;
  const respond = (c: Context, executor: RunExecutor, stream: boolean | null | undefined, from: number): Response =>
    stream === true ? streamRunEvents(executor.log, from, { type: 'run', threadId: executor.run.thread_id, runId: executor.id, from }) : pollable(c, context.pollAfterMs, executor.run);

  return new Hono()
    .post('/runs', async (c) => {
      const body = await readJsonBody(c, CreateThreadAndRunRequest);
      const include = includesSearchContent(c);
      const prepared = prepareRun(context, body);
      // create-and-run's own tool_resources belong to the new thread.
      const toolResources = body.tool_resources === undefined ? undefined : resolveToolResources(context, body.tool_resources);
      const record = createThread(context, body.thread ?? {});
      if (toolResources != null) {
        record.thread.tool_resources = { ...record.thread.tool_resources, ...toolResources };
        store.threads.set(record.thread.id, record);
      }
      const executor = startRun(context, record, body, prepared, include, [{ event: 'thread.created', data: record.thread }]);
      return respond(c, executor, body.stream, 0);
    })
    .post('/:thread_id/runs', async (c) => {
      const record = store.threads.require(c.req.param('thread_id'));
      const body = await readJsonBody(c, CreateRunRequest);
      const include = includesSearchContent(c);
      const prepared = prepareRun(context, body);
      for (const input of body.additional_messages ?? []) checkMessageFiles(context, input);
      assertNoActiveRun(record, 'run');
      for (const input of body.additional_messages ?? []) {
        const message = newMessage(record.thread.id, input);
        record.messages.set(message.id, message);
        attachFiles(context, record, message);
      }
      return respond(c, startRun(context, record, body, prepared, include), body.stream, 0);
    })
    .get('/:thread_id/runs', (c) => {
      const record = store.threads.require(c.req.param('thread_id'));
      const page = paginate(record.runs.values(), (executor) => executor.id, parseListQuery(c.req.query()));
      return c.json({ ...page, data: page.data.map((executor) => executor.run) });
    })
    // An extension of the API (the Responses API's `starting_after`, for runs): the run's
    // events from a position on, each frame with its position as SSE id, up to the next
    // requires_action or terminal event; a client re-attaches with the last id it saw.
    .get('/:thread_id/runs/:run_id/events', (c) => {
      const { run } = store.requireRun(c.req.param('thread_id'), c.req.param('run_id'));
      const startingAfter = parseStartingAfter(c.req.query('starting_after'));
      const from = startingAfter + 1;
      // Nothing after a position that ended a stream until the run moves on again: answer the
      // end at once rather than hold a stream open for a run that has stopped.
      if (from >= run.log.length && (startingAfter < 0 ? false : run.log.endsStreamAt(startingAfter)) && !isActive(run.run.status)) {
        return new Response(SSE_DONE_FRAME, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
      }
      return streamRunEvents(run.log, from);
    })
    .get('/:thread_id/runs/:run_id', (c) => {
      const { run } = store.requireRun(c.req.param('thread_id'), c.req.param('run_id'));
      return pollable(c, context.pollAfterMs, run.run);
    })
    .post('/:thread_id/runs/:run_id', async (c) => {
      const { run } = store.requireRun(c.req.param('thread_id'), c.req.param('run_id'));
      const body = await readJsonBody(c, ModifyMetadataRequest);
      if (body.metadata !== undefined) {
        run.setMetadata(body.metadata);
        // Set again so durable storage writes the change.
        store.threads.require(c.req.param('thread_id')).runs.set(run.id, run);
      }
      return pollable(c, context.pollAfterMs, run.run);
    })
    .post('/:thread_id/runs/:run_id/cancel', (c) => {
      const { run } = store.requireRun(c.req.param('thread_id'), c.req.param('run_id'));
      return pollable(c, context.pollAfterMs, run.cancel());
    })
    .post('/:thread_id/runs/:run_id/submit_tool_outputs', async (c) => {
      const { run } = store.requireRun(c.req.param('thread_id'), c.req.param('run_id'));
      const body = await readJsonBody(c, SubmitToolOutputsRequest);
      const from = run.log.length;
      run.submitToolOutputs(body.tool_outputs);
      return respond(c, run, body.stream, from);
    })
    .get('/:thread_id/runs/:run_id/steps', (c) => {
      const { run } = store.requireRun(c.req.param('thread_id'), c.req.param('run_id'));
      const include = includesSearchContent(c);
      const page = paginate(run.steps.values(), (step) => step.id, parseListQuery(c.req.query()));
      return c.json({ ...page, data: page.data.map((step) => presentStep(step, include)) });
    })
    .get('/:thread_id/runs/:run_id/steps/:step_id', (c) => {
      const { run } = store.requireRun(c.req.param('thread_id'), c.req.param('run_id'));
      return c.json(presentStep(run.steps.require(c.req.param('step_id')), includesSearchContent(c)));
    });
}

interface PreparedRun {
  assistant: ReturnType<ServerContext['store']['assistants']['require']>;
  scenario: RunExecutorInput['scenario'];
}

// Everything that can reject a run, checked before anything is created.
function prepareRun(context: ServerContext, body: RunSettingsInput): PreparedRun {
  return { assistant: context.store.assistants.require(body.assistant_id), scenario: scenarioOf(body.metadata) };
}

function startRun(
  context: ServerContext,
  record: ThreadRecord<RunExecutor>,
  body: RunSettingsInput,
  { assistant, scenario }: PreparedRun,
  includeSearchContent: boolean,
  prelude: RunExecutorInput['prelude'] = [],
): RunExecutor {
  const run = newRun(body, assistant, record.thread.id, context.runExpirySeconds);
  const vectorStoreIds = [
    ...new Set([...(assistant.tool_resources?.file_search?.vector_store_ids ?? []), ...(record.thread.tool_resources?.file_search?.vector_store_ids ?? [])]),
  ];
  const script = context.runScripts.shift();
  const codeInterpreterFiles = codeInterpreterFileIds(assistant, record);
  const executor = new RunExecutor({ run, thread: record, vectorStoreIds, scenario, script, includeSearchContent, prelude, codeInterpreterFileIds: codeInterpreterFiles }, context.environment);
  return record.runs.set(run.id, executor);
}

function parseStartingAfter(value: string | undefined): number {
  if (value === undefined || value === '') return -1;
  const position = Number(value);
  if (!Number.isSafeInteger(position) || position < -1) {
    throw new ApiError(400, `Invalid 'starting_after': expected the id (a whole number) of an event of this run.`, { param: 'starting_after' });
  }
  return position;
}

function isActive(status: string): boolean {
  return status === 'queued' || status === 'in_progress' || status === 'cancelling';
}
