import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  APIUserAbortError,
  AssistantsClient,
  DeadlineExceededError,
  InvalidArgumentError,
  NotFoundError,
  UnknownPollStatusError,
  type Run,
} from '../src/index.ts';
import { makeRun } from '../src/testing/index.ts';
import { type Loopback, type SeenRequest, apiError, drain, handlesLeftAfterClose, json, rejection, startLoopback } from './helpers/loopback.ts';

// The poll helpers against a loopback fake of the API whose run goes through scripted statuses.
// Timing itself is tested on the simulated clock (poll-machine.test.ts); here the waits are 0
// or a few ms, and what is asserted is the requests sent and the outcome.

const baseline = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind.startsWith('TCP'));
const open: Loopback[] = [];

/** A fake API: creating or answering a run answers statuses[0]; retrieve n answers statuses[n-1]. */
async function runServer(statuses: string[], { pollAfterMs }: { pollAfterMs?: string } = {}) {
  let retrieves = 0;
  const current = () => makeRun({ id: 'run_1', thread_id: 'thread_1', status: statuses[Math.min(retrieves, statuses.length - 1)] as Run['status'] });
  const server = await startLoopback((request, response) => {
    const path = request.url.split('?')[0];
    if (request.method === 'POST' && (path === '/v1/threads/thread_1/runs' || path === '/v1/threads/runs' || path === '/v1/threads/thread_1/runs/run_1/submit_tool_outputs')) {
      retrieves = 0;
      return json(response, 200, current());
    }
    if (request.method === 'GET' && path === '/v1/threads/thread_1/runs/run_1') {
      const run = current();
      retrieves++;
      return json(response, 200, run, pollAfterMs === undefined ? {} : { 'openai-poll-after-ms': pollAfterMs });
    }
    apiError(response, 404, `no route ${request.method} ${path}`);
  });
  open.push(server);
  return { server, client: new AssistantsClient({ apiKey: 'sk-test', baseURL: server.url }) };
}

const retrievesOf = (server: Loopback) => server.requests.filter((request) => request.method === 'GET');
const header = (request: SeenRequest, name: string) => request.headers[name.toLowerCase()];

test.after.each(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

test('runs.poll retrieves until a final status, with the poll headers on every retrieve', async () => {
  const { server, client } = await runServer(['queued', 'in_progress', 'in_progress', 'completed']);
  const run = await client.beta.threads.runs.poll('run_1', { thread_id: 'thread_1' }, { pollIntervalMs: 0, headers: { 'X-Caller': 'yes', 'X-Stainless-Poll-Helper': 'no' } });
  assert.is(run.status, 'completed');
  const retrieves = retrievesOf(server);
  assert.is(retrieves.length, 4);
  for (const request of retrieves) {
    assert.is(header(request, 'X-Stainless-Poll-Helper'), 'true', 'the helper header wins over the caller’s');
    assert.is(header(request, 'X-Stainless-Custom-Poll-Interval'), '0');
    assert.is(header(request, 'X-Caller'), 'yes');
    assert.is(header(request, 'OpenAI-Beta'), 'assistants=v2');
    assert.is(header(request, 'Authorization'), 'Bearer sk-test');
  }
});

test('without pollIntervalMs no custom-interval header is sent and the server’s hint sets the wait', async () => {
  const { server, client } = await runServer(['in_progress', 'completed'], { pollAfterMs: '5' });
  const run = await client.beta.threads.runs.poll('run_1', { thread_id: 'thread_1' });
  assert.is(run.status, 'completed');
  assert.is(header(retrievesOf(server)[0]!, 'X-Stainless-Custom-Poll-Interval'), undefined);
});

test('createAndPoll: create (no poll headers), then poll the created run until requires_action', async () => {
  const { server, client } = await runServer(['queued', 'in_progress', 'requires_action']);
  const run = await client.beta.threads.runs.createAndPoll('thread_1', { assistant_id: 'asst_1' }, { pollIntervalMs: 0 });
  assert.is(run.status, 'requires_action');
  const [create] = server.requests;
  assert.is(create!.method, 'POST');
  assert.equal(JSON.parse(create!.body), { assistant_id: 'asst_1' });
  assert.is(header(create!, 'X-Stainless-Poll-Helper'), undefined);
  assert.is(retrievesOf(server).length, 3);
});

test('submitToolOutputsAndPoll and createAndRunPoll poll the run they get back', async () => {
  const { server, client } = await runServer(['queued', 'completed']);
  const answered = await client.beta.threads.runs.submitToolOutputsAndPoll(
    'run_1',
    { thread_id: 'thread_1', tool_outputs: [{ tool_call_id: 'call_1', output: '21' }] },
    { pollIntervalMs: 0 },
  );
  assert.is(answered.status, 'completed');
  assert.equal(JSON.parse(server.requests[0]!.body), { tool_outputs: [{ tool_call_id: 'call_1', output: '21' }] }, 'thread_id is a path parameter, not body');
  const started = await client.beta.threads.createAndRunPoll({ assistant_id: 'asst_1' }, { pollIntervalMs: 0 });
  assert.is(started.status, 'completed');
});

test('a poll that never finishes ends at its deadline with DeadlineExceededError and the last run', async () => {
  const { server, client } = await runServer(['in_progress']);
  const started = performance.now();
  const error = await rejection(client.beta.threads.runs.poll('run_1', { thread_id: 'thread_1' }, { pollIntervalMs: 20, deadlineMs: 150 }));
  assert.instance(error, DeadlineExceededError);
  const deadline = error as DeadlineExceededError<Run>;
  assert.is(deadline.kind, 'deadline-exceeded');
  assert.is(deadline.lastObject?.status, 'in_progress');
  assert.is(deadline.lastObject?.id, 'run_1');
  assert.ok(retrievesOf(server).length >= 2);
  assert.ok(performance.now() - started < 1500);
});

test('aborting during a wait ends the poll at once with APIUserAbortError; no more retrieves', async () => {
  const { server, client } = await runServer(['queued']);
  const controller = new AbortController();
  const polling = client.beta.threads.runs.poll('run_1', { thread_id: 'thread_1' }, { pollIntervalMs: 60_000, signal: controller.signal });
  for (let spins = 0; retrievesOf(server).length < 1 && spins < 10_000; spins++) await drain();
  const started = performance.now();
  controller.abort('no longer needed');
  const error = await rejection(polling);
  assert.instance(error, APIUserAbortError);
  assert.is((error as APIUserAbortError).cause, 'no longer needed');
  assert.ok(performance.now() - started < 100);
  assert.is(retrievesOf(server).length, 1);
});

test('an unknown status is re-fetched 3 times, then UnknownPollStatusError', async () => {
  const { server, client } = await runServer(['pondering']);
  const error = await rejection(client.beta.threads.runs.poll('run_1', { thread_id: 'thread_1' }, { pollIntervalMs: 60_000 }));
  assert.instance(error, UnknownPollStatusError);
  assert.is((error as UnknownPollStatusError).status, 'pondering');
  assert.is(retrievesOf(server).length, 4, 'the first retrieve and 3 re-fetches, without waiting');
});

test('a retrieve that fails ends the poll with that error, unwrapped', async () => {
  const { client } = await runServer(['queued']);
  const error = await rejection(client.beta.threads.runs.poll('run_404', { thread_id: 'thread_1' }, { pollIntervalMs: 0 }));
  assert.instance(error, NotFoundError);
});

test('bad poll options are rejected before any request', async () => {
  const { server, client } = await runServer(['queued']);
  for (const options of [{ pollIntervalMs: -1 }, { pollIntervalMs: Number.NaN }, { deadlineMs: Number.POSITIVE_INFINITY }]) {
    const error = await rejection(client.beta.threads.runs.createAndPoll('thread_1', { assistant_id: 'asst_1' }, options));
    assert.instance(error, InvalidArgumentError);
  }
  assert.instance(await rejection(client.beta.threads.runs.poll('', { thread_id: 'thread_1' })), InvalidArgumentError);
  assert.is(server.requests.length, 0);
});

test('vectorStores.files.poll and fileBatches.poll use their own endpoints and status sets', async () => {
  let n = 0;
  const server = await startLoopback((request, response) => {
    n++;
    if (request.url === '/v1/vector_stores/vs_1/files/file-1') return json(response, 200, { id: 'file-1', object: 'vector_store.file', status: n < 2 ? 'in_progress' : 'cancelled' });
    if (request.url === '/v1/vector_stores/vs_1/file_batches/vsfb_1') return json(response, 200, { id: 'vsfb_1', object: 'vector_store.files_batch', status: 'failed' });
    apiError(response, 404, 'no route');
  });
  open.push(server);
  const client = new AssistantsClient({ apiKey: 'sk-test', baseURL: server.url });
  assert.is((await client.vectorStores.files.poll('vs_1', 'file-1', { pollIntervalMs: 0 })).status, 'cancelled');
  assert.is((await client.vectorStores.fileBatches.poll('vs_1', 'vsfb_1', { pollIntervalMs: 0 })).status, 'failed');
  assert.is(server.requests.length, 3);
});

test('nothing is left running', async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
  assert.equal(await handlesLeftAfterClose(baseline), []);
});

test.run();
