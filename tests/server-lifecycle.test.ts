import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStreamError } from '../src/index.ts';
import { RunEventLog, type LoggedEvent } from '../src/server/executor/eventLog.ts';
import { createServer } from '../src/server/index.ts';
import { startTestServer } from './helpers/server.ts';
import { streamRequest } from './helpers/streams.ts';

test('createServer listens on 127.0.0.1 on a free port; url ends in /v1', async () => {
  const server = await createServer();
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.is(server.url, `http://127.0.0.1:${server.port}/v1`);
    assert.ok(server.port > 0);
  } finally {
    await server.close();
  }
});

test('close() ends open streams, stops the runs, and frees the port', async () => {
  const t = await startTestServer();
  const assistant = await t.openai.beta.assistants.create({ model: 'scripted' });
  const thread = await t.openai.beta.threads.create({ messages: [{ role: 'user', content: 'a long story' }] });
  const { stream } = streamRequest(t, `/threads/${thread.id}/runs`, { assistant_id: assistant.id, metadata: { scenario: 'slow' } });
  await new Promise<void>((resolve) => stream.once('textDelta', () => resolve()));
  const { port } = t.server;
  await t.close();
  const outcome = await stream.done().then(
    () => 'completed',
    (error: unknown) => (error instanceof AssistantStreamError ? error.kind : 'other error'),
  );
  assert.is(outcome, 'no-final-run', 'the stream ended without its run finishing');
  const again = await createServer({ port });
  assert.is(again.port, port);
  await again.close();
  assert.equal(t.internalErrors, []);
});

test('close() twice is one close: both calls get the same promise, it resolves, and the port is free', async () => {
  const server = await createServer();
  assert.is((await fetch(`${server.url}/files`, { headers: { authorization: 'Bearer k' } })).status, 200);
  const first = server.close();
  const second = server.close();
  assert.is(second, first, 'the second call joins the first close');
  assert.equal(await Promise.all([first, second]), [undefined, undefined]);
  assert.is(await server.close(), undefined, 'closing a closed server resolves too');
  const refused = await fetch(`${server.url}/files`).then(
    () => 'answered',
    () => 'refused',
  );
  assert.is(refused, 'refused', 'nothing listens any more');
  const again = await createServer({ port: server.port });
  assert.is(again.port, server.port, 'the port was released');
  await again.close();
});

test('a run event log replays from any position, then follows, until closed', () => {
  const log = new RunEventLog();
  log.append('thread.run.created', { id: 'run_1' });
  log.append('thread.run.queued', { id: 'run_1' });
  const late: LoggedEvent[] = [];
  let closed = false;
  const unsubscribe = log.subscribe(1, { event: (entry) => late.push(entry), close: () => (closed = true) });
  log.append('thread.run.completed', { id: 'run_1' }, true);
  assert.equal(late.map((entry) => [entry.event, entry.endsStream]), [
    ['thread.run.queued', false],
    ['thread.run.completed', true],
  ]);
  assert.is(late[1]!.frame, 'id: 2\nevent: thread.run.completed\ndata: {"id":"run_1"}\n\n', 'the SSE id is the position in the log');
  unsubscribe();
  log.append('thread.run.extra', {});
  assert.is(late.length, 2, 'an unsubscribed stream gets nothing more');
  const afterwards: string[] = [];
  log.subscribe(0, { event: (entry) => afterwards.push(entry.event), close: () => (closed = true) });
  assert.equal(afterwards, ['thread.run.created', 'thread.run.queued', 'thread.run.completed', 'thread.run.extra']);
  log.close();
  assert.ok(closed);
});

test.run();
