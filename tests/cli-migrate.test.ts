import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli/main.ts';
import type { MigrationReport } from '../src/cli/migrate/report.ts';
import { AssistantsClient, THREAD_METADATA_KEY, type ConversationItem, type Message, type Run } from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';
import { captureIO } from './helpers/cli.ts';
import { startForwardingProxy, type ForwardingProxy } from './helpers/forwardingProxy.ts';
import { atScale } from './helpers/scale.ts';

// `assistant-machines migrate` from one embedded server (the Assistants API) to another (the
// Responses + Conversations API): 50 threads — text, function runs, file search with citations,
// metadata, and parts that cannot be carried — become conversations whose items are the
// messages in order, text and citations kept; a second run copies nothing; runs cut by a network
// that stops answering (requests land, answers are lost) finish on the next run with nothing
// twice, even with the journal gone. `npm test` migrates 10 threads (two of each kind);
// `npm run test:scale` (TEST_SCALE=full, in .ci/run) the 50 of issue 21.

const THREADS = atScale(10, 50);
// Where the network stops answering, by POST: the first conversation's creation, one about three
// quarters of the way through the run, one a little earlier (a run makes about 0.8 POSTs a thread).
const CUT_POSTS = atScale([1, 7, 6], [1, 37, 30]);
const pace = { deltaDelayMs: 0, stepDelayMs: 0 };

interface Context {
  source: AssistantsServer;
  sourceClient: AssistantsClient;
  /** Each source thread's messages, oldest first, and its kind. */
  threads: Array<{ id: string; kind: number; messages: Message[] }>;
  assistantIds: string[];
  dir: string;
}

const test = suite<Context>('cli migrate');

test.before(async (context) => {
  context.source = await createServer({ pace });
  const client = new AssistantsClient({ baseURL: context.source.url, apiKey: 'sk-source', maxRetries: 0 });
  context.sourceClient = client;
  context.dir = await mkdtemp(join(tmpdir(), 'migrate-'));
  const store = await client.vectorStores.create({ name: 'policies' });
  await client.vectorStores.files.uploadAndPoll(store.id, new File(['Hotels in Paris are reimbursed up to 180 euros a night.'], 'policy.txt'), { pollIntervalMs: 5 });
  const chart = await client.files.create({ file: new File(['png'], 'chart.png'), purpose: 'vision' });
  const notes = await client.files.create({ file: new File(['Some notes'], 'notes.txt'), purpose: 'assistants' });
  const weatherTool = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
  const plain = await client.beta.assistants.create({ model: 'scripted', name: 'Plain', instructions: 'Be brief.' });
  const weather = await client.beta.assistants.create({ model: 'scripted', name: 'Weather', tools: [weatherTool] });
  const librarian = await client.beta.assistants.create({
    model: 'scripted',
    name: 'Librarian',
    tools: [{ type: 'file_search' }],
    tool_resources: { file_search: { vector_store_ids: [store.id] } },
  });
  const calculator = await client.beta.assistants.create({ model: 'scripted', name: 'Calculator', tools: [{ type: 'code_interpreter' }] });
  context.assistantIds = [plain.id, weather.id, librarian.id, calculator.id];

  const finish = async (run: Run, output = 'sunny'): Promise<Run> => {
    if (run.status !== 'requires_action') return run;
    const tool_outputs = run.required_action!.submit_tool_outputs.tool_calls.map((call) => ({ tool_call_id: call.id, output }));
    return client.beta.threads.runs.submitToolOutputsStream(run.id, { thread_id: run.thread_id, tool_outputs }).finalRun();
  };
  const ask = (threadId: string, assistantId: string, content: string) =>
    client.beta.threads.runs.stream(threadId, { assistant_id: assistantId, additional_messages: [{ role: 'user', content }] }).finalRun();
  context.threads = [];
  for (let index = 0; index < THREADS; index++) {
    const kind = index % 5;
    const thread = await client.beta.threads.create({ metadata: { kind: String(kind), n: String(index) } });
    if (kind === 0) {
      await ask(thread.id, plain.id, `Hello number ${index}`);
      await ask(thread.id, plain.id, 'And once more');
    } else if (kind === 1) {
      await finish(await ask(thread.id, weather.id, "What's the weather in Paris?"), `{"forecast":"sunny","n":${index}}`);
    } else if (kind === 2) {
      await ask(thread.id, librarian.id, 'What does the travel policy say about hotels?');
    } else if (kind === 3) {
      await client.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: [
          { type: 'text', text: 'Here is a picture' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        ],
        metadata: { channel: 'email' },
      });
      await client.beta.threads.runs.stream(thread.id, { assistant_id: plain.id }).finalRun();
    } else {
      await client.beta.threads.messages.create(thread.id, {
        role: 'user',
        content: [{ type: 'image_file', image_file: { file_id: chart.id } }],
        attachments: [{ file_id: notes.id, tools: [{ type: 'file_search' }] }],
      });
      await ask(thread.id, calculator.id, 'What is 2**10 + 3*7?');
      const paused = await ask(thread.id, weather.id, "What's the weather in Rome?");
      await client.beta.threads.runs.cancel(paused.id, { thread_id: thread.id });
    }
    const messages: Message[] = [];
    for await (const message of client.beta.threads.messages.list(thread.id, { order: 'asc' })) messages.push(message);
    context.threads.push({ id: thread.id, kind, messages });
  }
});

test.after(async ({ source, dir }) => {
  await source.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `migrate`, its key in the environment; answers the exit code, the output and the report. */
async function migrate(args: string[]): Promise<{ code: number; out: string; err: string; report: MigrationReport | undefined; reportFile: string }> {
  const io = captureIO({ OPENAI_API_KEY: 'sk-test' });
  const reportFile = join(await mkdtemp(join(tmpdir(), 'migrate-report-')), 'report.json');
  const code = await runCli(['migrate', ...args, '--report', reportFile], io);
  const report = await readFile(reportFile, 'utf8').then((text) => JSON.parse(text) as MigrationReport, () => undefined);
  return { code, out: io.out(), err: io.err(), report, reportFile };
}

/** A target server behind a proxy that counts its requests and, once armed, stops answering from the k-th POST on (the requests still land). */
async function target(): Promise<{ server: AssistantsServer; proxy: ForwardingProxy; client: AssistantsClient; posts: () => number; createdConversations: Set<string>; cutFromPost: (k: number | undefined) => void; close(): Promise<void> }> {
  const server = await createServer({ pace });
  let posts = 0;
  let cutAt: number | undefined;
  const createdConversations = new Set<string>();
  const proxy = await startForwardingProxy(
    () => server.url,
    async (path, upstream, client, { method }) => {
      if (method === 'POST') posts += 1;
      if (method === 'POST' && path === '/conversations' && upstream.ok) createdConversations.add(((await upstream.clone().json()) as { id: string }).id);
      if (cutAt === undefined || posts < cutAt) return false;
      await upstream.body?.cancel();
      client.destroy();
      return true;
    },
  );
  return {
    server,
    proxy,
    client: new AssistantsClient({ baseURL: server.url, apiKey: 'sk-target', maxRetries: 0 }),
    posts: () => posts,
    createdConversations,
    cutFromPost: (k) => {
      posts = 0;
      cutAt = k;
    },
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}

async function itemsOf(client: AssistantsClient, conversationId: string): Promise<ConversationItem[]> {
  const items: ConversationItem[] = [];
  for await (const item of client.conversations.items.list(conversationId, { order: 'asc', limit: 100 })) items.push(item);
  return items;
}

const textOf = (content: unknown) => (content as Array<{ text?: string }>).map((part) => part.text ?? '').join('');

/** Every source message in its conversation, in order, with its text and citations (its carried parts). */
async function assertMigrated(context: Context, client: AssistantsClient, report: MigrationReport): Promise<void> {
  assert.is(report.threads.length, THREADS);
  for (const thread of context.threads) {
    const entry = report.threads.find((candidate) => candidate.thread_id === thread.id)!;
    assert.ok(entry.conversation_id, `${thread.id} has a conversation`);
    const conversation = await client.conversations.retrieve(entry.conversation_id!);
    assert.equal(conversation.metadata, { [THREAD_METADATA_KEY]: thread.id, kind: String(thread.kind), n: conversation.metadata['n']! });
    const items = await itemsOf(client, entry.conversation_id!);
    assert.is(new Set(items.map((item) => item.id)).size, items.length, 'no item twice');
    assert.is(items.length, entry.items);
    const messages = items.filter((item) => item.type === 'message');
    // A message whose only part was an image file could not be carried; every other one is there, in order.
    const carried = thread.messages.filter((message) => message.content.some((part) => part.type !== 'image_file'));
    assert.equal(
      messages.map((item) => [item['role'], textOf(item['content'])]),
      carried.map((message) => [message.role, message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('')]),
    );
    for (const [index, message] of carried.entries()) {
      const annotations = message.content.flatMap((part) => (part.type === 'text' ? part.text.annotations : []));
      const migrated = (messages[index]!['content'] as Array<{ annotations?: Array<Record<string, unknown>> }>).flatMap((part) => part.annotations ?? []);
      assert.equal(
        migrated.map((annotation) => [annotation['type'], annotation['file_id'], annotation['index']]),
        annotations.map((annotation) => [annotation.type, (annotation as { file_citation: { file_id: string } }).file_citation.file_id, annotation.start_index]),
      );
      if (thread.kind === 2 && message.role === 'assistant') assert.is(migrated[0]?.['filename'], 'policy.txt');
    }
    if (thread.kind === 1) assert.equal(items.map((item) => item.type), ['message', 'function_call', 'function_call_output', 'message']);
    if (thread.kind === 2) assert.equal(items.map((item) => item.type), ['message', 'file_search_call', 'message']);
    if (thread.kind === 3) assert.equal((messages[0]!['content'] as Array<{ type: string }>).map((part) => part.type), ['input_text', 'input_image']);
  }
}

test(`${THREADS} threads become conversations: every message an item, in order, text and citations kept; assistants become files; what cannot be carried is listed`, async (context) => {
  const to = await target();
  try {
    const out = join(context.dir, 'first');
    const { code, out: printed, report } = await migrate(['--from', context.source.url, '--to', to.proxy.url, '--out', out]);
    assert.is(code, 0);
    assert.ok(report);
    await assertMigrated(context, to.client, report!);
    assert.ok(report!.threads.every((thread) => thread.status === 'copied' && thread.added === thread.items));
    assert.is(to.createdConversations.size, THREADS);
    // Printed: one line per thread naming its conversation.
    for (const thread of report!.threads) assert.ok(printed.includes(`${thread.thread_id} → ${thread.conversation_id} (`), thread.thread_id);

    // The assistants, as configuration files in the Responses shape.
    const files = (await readdir(join(out, 'assistants'))).sort();
    assert.equal(files, [...context.assistantIds].sort().map((id) => `${id}.json`));
    const librarian = JSON.parse(await readFile(join(out, 'assistants', `${context.assistantIds[2]}.json`), 'utf8')) as { model: string; tools: Array<Record<string, unknown>>; source: { name: string } };
    assert.is(librarian.source.name, 'Librarian');
    assert.equal(librarian.tools.map((tool) => [tool['type'], (tool['vector_store_ids'] as string[]).length]), [['file_search', 1]]);
    const weather = JSON.parse(await readFile(join(out, 'assistants', `${context.assistantIds[1]}.json`), 'utf8')) as { tools: Array<Record<string, unknown>> };
    assert.equal(weather.tools[0]!['name'], 'get_weather');

    // What stayed behind, and why.
    const what = new Set(report!.not_carried.map((entry) => entry.what.replace(/ (file-|call_|vs_)\S+/g, '').replace(/ \(.*\)$/, '')));
    for (const expected of ['image_file content', 'attachment for file_search', 'message metadata', 'code interpreter call', 'function call', 'the message', 'vector store']) {
      assert.ok(what.has(expected), `not carried: ${expected} (have ${[...what].join('; ')})`);
    }
    assert.ok(report!.not_carried.every((entry) => entry.why.length > 0));
    const fourth = context.threads.filter((thread) => thread.kind === 4).length;
    assert.is(report!.not_carried.filter((entry) => entry.what.startsWith('code interpreter call')).length, fourth);
  } finally {
    await to.close();
  }
});

test('a second run copies nothing; --dry-run writes nothing; --threads takes a few', async (context) => {
  const to = await target();
  try {
    const out = join(context.dir, 'again');
    const first = await migrate(['--from', context.source.url, '--to', to.proxy.url, '--out', out, '--threads', context.threads[0]!.id]);
    assert.equal(first.report?.threads.map((thread) => thread.status), ['copied']);
    const dry = await migrate(['--from', context.source.url, '--to', to.proxy.url, '--out', out, '--dry-run', '--threads', context.threads[0]!.id, context.threads[1]!.id]);
    const posts = to.posts();
    assert.is(dry.code, 0);
    assert.equal(dry.report?.threads.map((thread) => [thread.status, thread.added]), [['up_to_date', 0], ['planned', dry.report!.threads[1]!.items]]);
    assert.match(dry.out, /dry run: nothing was written/);
    to.cutFromPost(undefined);
    const again = await migrate(['--from', context.source.url, '--to', to.proxy.url, '--out', out, '--threads', context.threads[0]!.id]);
    assert.equal(again.report?.threads.map((thread) => [thread.status, thread.added, thread.conversation_id]), [['up_to_date', 0, first.report!.threads[0]!.conversation_id]]);
    assert.is(to.posts(), 0, 'neither the dry run nor the second run sent a POST');
    assert.ok(posts >= 0);
  } finally {
    await to.close();
  }
});

test('cut at several points by a network that stops answering, then run again without the journal: finished, nothing twice', async (context) => {
  const to = await target();
  try {
    const out = join(context.dir, 'cut');
    // No retries: a request the network eats fails at once (with retries, the same, after the backoff).
    const args = ['--from', context.source.url, '--to', to.proxy.url, '--out', out, '--max-retries', '0'];
    // The first conversation's creation lands, its answer is lost; then a batch; then late in the run.
    for (const k of CUT_POSTS) {
      to.cutFromPost(k);
      const cut = await migrate(args);
      assert.is(cut.code, 1, `cut from POST ${k}`);
      assert.match(cut.out, /stopped at thread_/);
      assert.ok(cut.report!.threads.some((thread) => thread.status === 'failed'));
    }
    to.cutFromPost(undefined);
    // Both the report and the journal are lost: the conversations are found again by the creation's Idempotency-Key.
    await rm(join(out, '.assistant-machines'), { recursive: true });
    const finished = await migrate(args);
    assert.is(finished.code, 0);
    await assertMigrated(context, to.client, finished.report!);
    assert.is(to.createdConversations.size, THREADS, 'one conversation per thread, whatever the cuts');
    const done = await migrate(args);
    assert.ok(done.report!.threads.every((thread) => thread.status === 'up_to_date' && thread.added === 0));
  } finally {
    await to.close();
  }
});

test('on a terminal a bar counts the threads, then the mapping is printed', async (context) => {
  const to = await target();
  try {
    const io = captureIO({ OPENAI_API_KEY: 'sk-test' }, true);
    const ids = context.threads.slice(0, 3).map((thread) => thread.id);
    assert.is(await runCli(['migrate', '--from', context.source.url, '--to', to.proxy.url, '--out', join(context.dir, 'tty'), '--dry-run', '--threads', ...ids], io), 0);
    const out = io.out();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the bar redraws its line with the erase-line escape.
    assert.match(out, /\r\x1b\[2Kthreads .*█.* 3\/3/);
    for (const id of ids) assert.match(out, new RegExp(`\\n${id} → a new conversation \\(\\d+ items?, \\d+ to add\\)`));
  } finally {
    await to.close();
  }
});

test('--concurrency copies threads side by side: two conversations are made at once, the report keeps the listed order', async (context) => {
  const server = await createServer({ pace });
  // Each conversation's creation is answered once another is waiting too (or after 2 s alone).
  const waiting: Array<() => void> = [];
  let most = 0;
  const proxy = await startForwardingProxy(
    () => server.url,
    async (path, _upstream, _client, { method }) => {
      if (method !== 'POST' || path !== '/conversations') return false;
      await new Promise<void>((release) => {
        waiting.push(release);
        most = Math.max(most, waiting.length);
        if (waiting.length >= 2) for (const next of waiting.splice(0)) next();
        else setTimeout(() => waiting.includes(release) && waiting.splice(waiting.indexOf(release), 1)[0]!(), 2_000);
      });
      return false;
    },
  );
  try {
    const ids = context.threads.slice(0, 6).map((thread) => thread.id);
    const run = await migrate(['--from', context.source.url, '--to', proxy.url, '--out', join(context.dir, 'side-by-side'), '--concurrency', '4', '--threads', ...ids]);
    assert.is(run.code, 0, run.out);
    assert.ok(most >= 2, `at most ${most} conversation made at a time`);
    assert.equal(run.report!.threads.map((thread) => [thread.thread_id, thread.status]), ids.map((id) => [id, 'copied']));
    for (const value of ['0', '1.5', 'many']) {
      const io = captureIO({ OPENAI_API_KEY: 'k' });
      assert.is(await runCli(['migrate', '--from', context.source.url, '--to', proxy.url, '--concurrency', value], io), 2);
      assert.match(io.err(), new RegExp(`--concurrency must be a whole number of threads, at least 1 \\(got "${value.replace('.', '\\.')}"\\)`));
    }
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('a source without a thread list asks for --threads; bad command lines are usage errors', async (context) => {
  const noList = await startForwardingProxy(
    () => context.source.url,
    async (path, upstream, client, { method }) => {
      if (method !== 'GET' || !/^\/threads(\?|$)/.test(path)) return false;
      await upstream.body?.cancel();
      client.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Invalid URL (GET /v1/threads)', type: 'invalid_request_error', param: null, code: null } }));
      return true;
    },
  );
  const to = await target();
  try {
    const refused = await migrate(['--from', noList.url, '--to', to.proxy.url, '--out', join(context.dir, 'nolist')]);
    assert.is(refused.code, 1);
    assert.match(refused.err, /does not list its threads \(GET \/threads answered 404\): name them with --threads/);
    const io = captureIO({});
    assert.is(await runCli(['migrate', '--from', context.source.url, '--to', to.proxy.url], io), 2);
    assert.match(io.err(), /OPENAI_API_KEY is not set/);
    const noTarget = captureIO({ OPENAI_API_KEY: 'k' });
    assert.is(await runCli(['migrate', '--from', context.source.url], noTarget), 2);
    assert.match(noTarget.err(), /missing --to/);
  } finally {
    await to.close();
    await noList.close();
  }
});

test.run();
