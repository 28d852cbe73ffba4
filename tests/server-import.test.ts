// `assistant-machines import`: exported list pages in, threads and messages out with their ids
// and created_at; malformed exports refused with the file and the path, nothing imported.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli/main.ts';
import { openSqlite } from '../src/server/storage/sqlite.ts';
import { captureIO } from './helpers/cli.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ dir: string }>('import');
test.before(async (context) => {
  context.dir = await mkdtemp(join(tmpdir(), 'assistant-machines-import-'));
});
const opened: TestServer[] = [];
test.after(async ({ dir }) => {
  // A failed assertion must not leave a server holding the process open.
  for (const server of opened) await server.close();
  await rm(dir, { recursive: true, force: true });
});
async function serverOn(dataDir: string): Promise<TestServer> {
  const server = await startTestServer({ dataDir });
  opened.push(server);
  return server;
}

const message = (id: string, threadId: string, text: string, createdAt = 1_700_000_100) => ({
  id,
  object: 'thread.message',
  created_at: createdAt,
  thread_id: threadId,
  status: 'completed',
  role: 'user',
  content: [{ type: 'text', text: { value: text, annotations: [] } }],
});
const thread = (id: string, createdAt = 1_700_000_000) => ({ id, object: 'thread', created_at: createdAt, tool_resources: {}, metadata: {} });
const list = (data: unknown[]) => ({ object: 'list', data, first_id: null, last_id: null, has_more: false });

async function importFile(dir: string, name: string, content: unknown, dataDir: string) {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  const io = captureIO();
  const code = await runCli(['import', file, '--data-dir', dataDir], io);
  return { code, out: io.out(), err: io.err(), file };
}

async function storedRows(dataDir: string): Promise<number> {
  const engine = await openSqlite(dataDir);
  await engine.migrate();
  const { objects } = await engine.load();
  await engine.close();
  return objects.length;
}

const MALFORMED: Array<[string, unknown, RegExp]> = [
  ['not JSON', '{"threads": [', /: \$: not JSON/],
  ['no threads', { messages: {} }, /: threads: /],
  ['a page that is not a list', { threads: [{ object: 'thread', data: [] }] }, /: threads\[0\]\.object: /],
  ['a thread without created_at', { threads: [list([{ id: 'thread_a', object: 'thread' }])] }, /: threads\[0\]\.data\[0\]\.created_at: /],
  [
    'a message with an unknown role',
    { threads: [list([thread('thread_a')])], messages: { thread_a: [list([{ ...message('msg_1', 'thread_a', 'hi'), role: 'system' }])] } },
    /: messages\.thread_a\[0\]\.data\[0\]\.role: /,
  ],
  ['messages of a thread not in the file', { threads: [list([thread('thread_a')])], messages: { thread_b: [list([message('msg_1', 'thread_b', 'hi')])] } }, /: messages\.thread_b: .*not among/],
  [
    'a message naming another thread',
    { threads: [list([thread('thread_a')])], messages: { thread_a: [list([message('msg_1', 'thread_z', 'hi')])] } },
    /: messages\.thread_a\[0\]\.data\[0\]\.thread_id: message msg_1 names thread thread_z/,
  ],
  ['an unknown top-level field', { threads: [], thread: [] }, /: \$: /],
];

for (const [name, content, expected] of MALFORMED) {
  test(`refused, nothing imported: ${name}`, async ({ dir }) => {
    const dataDir = join(dir, `malformed-${name.replace(/\W+/g, '-')}`);
    // A good file alongside: all files are checked before anything is written.
    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify({ threads: [list([thread('thread_good')])] }));
    const file = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    const io = captureIO();
    assert.is(await runCli(['import', good, file, '--data-dir', dataDir], io), 1);
    assert.match(io.err(), file);
    assert.match(io.err(), expected);
    assert.match(io.err(), /nothing was imported/);
    assert.is(await storedRows(dataDir), 0);
  });
}

test('a missing file and a missing target are named', async ({ dir }) => {
  const io = captureIO();
  assert.is(await runCli(['import', join(dir, 'nope.json'), '--data-dir', join(dir, 'unused')], io), 1);
  assert.match(io.err(), /nope\.json: \$: cannot read the file \(ENOENT\)/);
  const usage = captureIO();
  assert.is(await runCli(['import', join(dir, 'nope.json')], usage), 2);
  assert.match(usage.err(), /--data-dir or --database-url/);
});

// Lists every page the way an SDK user would export: limit 2, newest first, `after` the last id.
async function pagesOf(t: TestServer, path: string): Promise<unknown[]> {
  const pages: unknown[] = [];
  let after: string | undefined;
  for (;;) {
    const response = await t.request(`${path}?limit=2${after === undefined ? '' : `&after=${after}`}`);
    const listed = (await response.json()) as { data: Array<{ id: string }>; has_more: boolean; last_id: string };
    pages.push(listed);
    if (!listed.has_more) return pages;
    after = listed.last_id;
  }
}

test('round trip: listed from a server, exported, imported into a fresh data dir, listed again: equal', async ({ dir }) => {
  const source = await serverOn(join(dir, 'source'));
  const assistant = await source.openai.beta.assistants.create({ model: 'scripted' });
  const threadIds: string[] = [];
  for (let index = 0; index < 3; index += 1) {
    const created = await source.openai.beta.threads.create({
      messages: [
        { role: 'user', content: `Question ${index}`, metadata: { n: String(index) } },
        { role: 'user', content: `Follow-up ${index}` },
      ],
      metadata: { topic: `topic ${index}` },
    });
    await source.openai.beta.threads.runs.createAndPoll(created.id, { assistant_id: assistant.id });
    threadIds.push(created.id);
  }
  const threads = await Promise.all(threadIds.map(async (id) => (await source.request(`/threads/${id}`)).json()));
  const exported = {
    order: 'desc',
    threads: [list([...threads].reverse())],
    messages: Object.fromEntries(await Promise.all(threadIds.map(async (id) => [id, await pagesOf(source, `/threads/${id}/messages`)] as const))),
  };
  await source.close();

  const target = join(dir, 'target');
  const imported = await importFile(dir, 'export.json', exported, target);
  assert.is(imported.code, 0, imported.err);
  assert.match(imported.out, 'imported 3 threads and 9 messages');
  const restored = await serverOn(target);
  for (const [index, id] of threadIds.entries()) {
    assert.equal(await (await restored.request(`/threads/${id}`)).json(), threads[index]);
    assert.equal(await pagesOf(restored, `/threads/${id}/messages`), exported.messages[id]);
  }
  // The imported threads take new messages and runs like any other.
  const run = await restored.openai.beta.threads.runs.createAndPoll(threadIds[0]!, { assistant_id: (await restored.openai.beta.assistants.create({ model: 'scripted' })).id });
  assert.is(run.status, 'completed');
  await restored.close();

  // Importing the same file again replaces, it does not duplicate.
  assert.is((await importFile(dir, 'export.json', exported, target)).code, 0);
  const again = await serverOn(target);
  const messages = await again.openai.beta.threads.messages.list(threadIds[1]!, { limit: 100 });
  assert.is(messages.data.length, 3);
  await again.close();
});

test.run();
