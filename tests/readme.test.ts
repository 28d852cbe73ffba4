// Every TypeScript example in README.md, and every marked one in the guides under docs/, is a
// region of a file under examples/readme/ (the comment line before the block names it), equal to
// it character for character, and each file runs here with its outcome asserted. So neither can
// drift from code that works.
// (Shell blocks are the commands the CLI tests and .ci/run exercise.)
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:http2';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as assistantRunResponses from '../examples/readme/assistant-run-responses.ts';
import * as assistantRun from '../examples/readme/assistant-run.ts';
import * as finals from '../examples/readme/finals.ts';
import * as handlerClass from '../examples/readme/handler-class.ts';
import * as inspectorExample from '../examples/readme/inspector.ts';
import * as iterate from '../examples/readme/iterate.ts';
import * as listeners from '../examples/readme/listeners.ts';
import * as liveModel from '../examples/readme/live-model.ts';
import * as responses from '../examples/readme/responses.ts';
import * as restateWorker from '../examples/readme/restate.ts';
import * as runPathsExample from '../examples/readme/run-paths.ts';
import * as scoped from '../examples/readme/scoped.ts';
import * as serverAccess from '../examples/readme/server-access.ts';
import * as setup from '../examples/readme/setup.ts';
import * as stately from '../examples/readme/stately.ts';
import * as threadToConversation from '../examples/readme/thread-to-conversation.ts';
import * as toolOutputs from '../examples/readme/tool-outputs.ts';
import * as watch from '../examples/readme/watch.ts';
import * as webSocket from '../examples/readme/websocket.ts';
import { createInspector } from '../inspect/index.ts';
import { AssistantsClient } from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';

const test = suite<{ server: AssistantsServer; client: AssistantsClient }>('readme');

test.before(async (context) => {
  context.server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  context.client = new AssistantsClient({ baseURL: context.server.url, apiKey: 'unused' });
});
test.after(async ({ server }) => {
  await server.close();
});

const EXAMPLE_MARKER = /^<!-- example: (\S+) -->$/;


/** The README's fenced code blocks: language, text, and the line before the fence. */
function codeBlocks(markdown: string): Array<{ language: string; code: string; before: string }> {
  const blocks: Array<{ language: string; code: string; before: string }> = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^```(\w*)$/.exec(lines[index]!);
    if (!open) continue;
    const end = lines.indexOf('```', index + 1);
    blocks.push({ language: open[1]!, code: lines.slice(index + 1, end).join('\n'), before: lines[index - 1] ?? '' });
    index = end;
  }
  return blocks;
}

/** The `// #region readme` … `// #endregion` parts of a file, each dedented, joined by a blank line. */
function readmeRegions(source: string): string {
  const regions = [...source.matchAll(/^[ \t]*\/\/ #region readme\n([\s\S]*?)^[ \t]*\/\/ #endregion$/gm)].map((match) => dedent(match[1]!.replace(/\n$/, '')));
  return regions.join('\n\n');
}

function dedent(text: string): string {
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

/** The guides under docs/ whose `<!-- example: … -->` blocks are checked like the README's. */
async function guides(): Promise<Array<{ name: string; markdown: string }>> {
  const names = (await readdir(new URL('../docs/', import.meta.url))).filter((name) => name.endsWith('.md'));
  return Promise.all(names.map(async (name) => ({ name: `docs/${name}`, markdown: await readFile(new URL(`../docs/${name}`, import.meta.url), 'utf8') })));
}

test('every TypeScript block of the README, and every marked block of the guides, equals the regions of the example file it names; every example is shown', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const pages = [{ name: 'README.md', markdown: readme }, ...(await guides())];
  const shown: string[] = [];
  for (const { name, markdown } of pages) {
    for (const block of codeBlocks(markdown)) {
      if (!['ts', 'typescript', 'js', 'javascript'].includes(block.language)) continue;
      const path = EXAMPLE_MARKER.exec(block.before)?.[1];
      // The README shows only code that runs; a guide may also sketch (its unmarked blocks).
      if (name === 'README.md') assert.ok(path !== undefined, `a README code block has no <!-- example: … --> line before it:\n${block.code.slice(0, 200)}`);
      if (path === undefined) continue;
      const regions = readmeRegions(await readFile(new URL(`../${path}`, import.meta.url), 'utf8'));
      assert.fixture(block.code, regions, `${name}: the block for ${path}`);
      shown.push(path);
    }
  }
  const files = (await readdir(new URL('../examples/readme/', import.meta.url))).map((name) => `examples/readme/${name}`);
  assert.equal([...new Set(shown)].sort(), files.sort());
});

// What a snippet prints: it writes to stdout like a user's script would.
async function printedBy<T>(run: () => Promise<T>): Promise<{ result: T; printed: string }> {
  const write = process.stdout.write;
  let printed = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await run(), printed };
  } finally {
    process.stdout.write = write;
  }
}

async function freshContext(client: AssistantsClient, tools: Array<{ type: 'code_interpreter' }> = [{ type: 'code_interpreter' }]) {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 2**10 + 3*7?' }] });
  return { client, assistant, thread };
}

const ANSWER = 'The result of 2**10 + 3*7 is 1045.';

test('live model: the shim in front of a Responses API (our own /v1/responses here) completes the run with its usage', async ({ server: upstream }) => {
  const saved = { base: process.env['MODEL_BASE_URL'], key: process.env['MODEL_API_KEY'] };
  process.env['MODEL_BASE_URL'] = upstream.url;
  process.env['MODEL_API_KEY'] = 'upstream-key';
  try {
    const { result, printed } = await printedBy(() => liveModel.main());
    try {
      assert.is(result.run.status, 'completed');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: console.log may color the number.
      assert.is(printed.replace(/\x1b\[\d+m/g, ''), `completed ${result.run.usage?.total_tokens}\n`);
      assert.ok((result.run.usage?.total_tokens ?? 0) > 0);
    } finally {
      await result.server.close();
    }
  } finally {
    for (const [name, value] of [['MODEL_BASE_URL', saved.base], ['MODEL_API_KEY', saved.key]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test('setup: an embedded server, a client, an assistant with the code interpreter, a thread with the question', async () => {
  const { server, client, assistant, thread } = await setup.main();
  try {
    assert.equal(assistant.tools, [{ type: 'code_interpreter' }]);
    const [message] = (await client.beta.threads.messages.list(thread.id)).data;
    assert.equal(message?.content[0], { type: 'text', text: { value: 'What is 2**10 + 3*7?', annotations: [] } });
  } finally {
    await server.close();
  }
});

test('a handler class prints the code and the answer as they stream', async ({ client }) => {
  const { result: stream, printed } = await printedBy(async () => handlerClass.main(await freshContext(client)));
  assert.is(printed, `\nassistant > code_interpreter\nprint(2**10 + 3*7)\nassistant > ${ANSWER}`);
  assert.is((await stream.finalRun()).status, 'completed');
});

test('listeners print the same, and the final run is completed', async ({ client }) => {
  const { result: run, printed } = await printedBy(async () => listeners.main(await freshContext(client)));
  assert.is(printed, `\nassistant > code_interpreter\nprint(2**10 + 3*7)\nassistant > ${ANSWER}\ncompleted\n`);
  assert.is(run.status, 'completed');
});

test('iterating yields every event, then only the text', async ({ client }) => {
  const { result: names, printed } = await printedBy(async () => iterate.main(await freshContext(client)));
  assert.is(names[0], 'thread.run.created');
  assert.is(names.at(-1), 'thread.run.completed');
  assert.ok(names.includes('thread.run.step.delta') && names.includes('thread.message.delta'));
  assert.is(printed, 'The result of 6 * 7 is 42.');
});

test('the finals: the run, its message, its steps, and a snapshot', async ({ client }) => {
  const { result, printed } = await printedBy(async () => finals.main(await freshContext(client)));
  assert.is(result.run.status, 'completed');
  assert.equal(result.message?.content, [{ type: 'text', text: { value: ANSWER, annotations: [] } }]);
  assert.equal(result.steps.map((step) => step.type), ['tool_calls', 'message_creation']);
  assert.equal([result.status, result.error], ['done', undefined]);
  assert.ok(result.eventCount > 10);
  // console.log may color what it inspects; the words are what matter.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what this checks for.
  assert.match(printed.replace(/\x1b\[\d+m/g, ''), /^completed \d+ \{\n {2}type: 'text',\n {2}text: \{ value: 'The result of 2\*\*10 \+ 3\*7 is 1045\.', annotations: \[\] \}\n\} 2\n$/);
});

test('function calls: the run stops for the output, gets it, and answers with it', async ({ client }) => {
  const { result: run, printed } = await printedBy(async () => toolOutputs.main({ client }));
  assert.is(run.status, 'completed');
  assert.is(printed, 'get_weather returned: {"city":"Paris","forecast":"sunny"}');
});

test('testing on every path: the tool loop passes every run path up to one tool round; generated streams end as predicted', async () => {
  const { result: report, printed } = await printedBy(() => runPathsExample.main());
  assert.equal([report.total, report.passed, report.failures], [44, 44, []]);
  assert.is(printed, '44/44 run paths passed\n');
});

test('the Responses API: the text as it streams, then the run and the output items', async ({ client }) => {
  const { result, printed } = await printedBy(async () => responses.main({ client }));
  assert.is(printed, `${ANSWER}\ncompleted: code_interpreter_call, message\n`);
  assert.is(result.response.output_text, ANSWER);
  assert.equal(result.steps.map((step) => step.type), ['tool_calls', 'message_creation']);
});

test('a run as an actor: the tools answer, the run completes, the answer streams and is in the messages', async ({ client }) => {
  const { result, printed } = await printedBy(async () => assistantRun.main({ client }));
  assert.is(result.run.status, 'completed');
  assert.is(printed, 'get_weather returned: {"city":"Paris","forecast":"sunny"}');
  assert.equal(result.messages.map((message) => message.content), [[{ type: 'text', text: { value: printed, annotations: [] } }]]);
});

test('the worker of durable runs: Restate discovers the thread object and its handlers on it', async ({ client }) => {
  const { worker, port } = await restateWorker.main({ client }, 0);
  const session = connect(`http://127.0.0.1:${port}`);
  try {
    // What restate-server asks a deployment when it is registered.
    const request = session.request({ ':path': '/discover', accept: 'application/vnd.restate.endpointmanifest.v3+json' });
    let text = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    await new Promise((ended) => request.on('end', ended));
    const manifest = JSON.parse(text) as { services: Array<{ name: string; ty: string; handlers: Array<{ name: string; ty: string }> }> };
    assert.equal(
      manifest.services.map((service) => [service.name, service.ty, service.handlers.map((handler) => `${handler.name} ${handler.ty}`)]),
      [['assistantThread', 'VIRTUAL_OBJECT', ['run EXCLUSIVE', 'send SHARED', 'state SHARED', 'output SHARED']]],
    );
  } finally {
    session.close();
    await new Promise((closed) => worker.close(closed));
  }
});

test('a server with a key and a web page allowed: the key is required, the page may call', async () => {
  const { server, client } = await serverAccess.main('sk-readme-key');
  try {
    assert.is((await client.beta.assistants.list()).object, 'list');
    const withoutKey = await fetch(`${server.url}/assistants`, { headers: { 'openai-beta': 'assistants=v2', origin: 'http://localhost:5173' } });
    assert.is(withoutKey.status, 401);
    assert.is((await withoutKey.json()).error.code, null);
    assert.is(withoutKey.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  } finally {
    await server.close();
  }
});

test('a run as an actor on the Responses API: the same tool loop, the run a chain of responses', async ({ client }) => {
  const { run, messages } = await assistantRunResponses.main({ client });
  assert.is(run.status, 'completed');
  assert.match(run.id, /^resp_/);
  assert.equal(messages.map((message) => message.content), [[{ type: 'text', text: { value: 'get_weather returned: {"city":"Paris","forecast":"sunny"}', annotations: [] } }]]);
});

test('thread to conversation: the assistant is code, the thread a conversation its two runs share', async ({ client }) => {
  const { first, second } = await threadToConversation.main({ client });
  assert.equal([first.run.status, second.run.status], ['completed', 'completed']);
  assert.match(first.run.thread_id, /^conv_/);
  assert.is(second.run.thread_id, first.run.thread_id);
  assert.equal(
    first.messages.map((message) => message.content),
    [[{ type: 'text', text: { value: 'get_order returned: {"order_number":1234,"status":"shipped"}', annotations: [] } }]],
  );
  const items = (await client.conversations.items.list(first.run.thread_id, { order: 'asc' })).data;
  assert.equal(
    items.map((item) => item.type),
    ['message', 'function_call', 'function_call_output', 'message', 'message', 'message'],
  );
});

test('WebSocket mode: the tool loop on one connection, each turn only its new items', async ({ client }) => {
  const { result, printed } = await printedBy(async () => webSocket.main({ client }));
  assert.is(printed, 'get_weather returned: {"forecast":"sunny"}\n');
  assert.equal([result.status, result.store], ['completed', false]);
});

test('a scoped stream: leaving the block aborts it, and the run it started goes on without it', async ({ client }) => {
  const context = await freshContext(client);
  const text = await scoped.main(context);
  assert.ok(text.length > 10 && ANSWER.startsWith(text), text);
  const [run] = (await client.beta.threads.runs.list(context.thread.id)).data;
  assert.ok(run !== undefined, 'the run exists on the server');
});

test('watching: every actor of the stream, each state it entered, in order', async ({ client }) => {
  const { printed } = await printedBy(async () => watch.main(await freshContext(client)));
  assert.equal(printed.trim().split('\n'), [
    'run "unseen"', 'run "queued"', 'run "in_progress"',
    'runStep "new"', 'runStep {"in_progress":"streaming"}',
    'toolCall "new"', 'toolCall "in_progress"', 'toolCall "done"', 'runStep "completed"',
    'runStep "new"', 'runStep {"in_progress":"streaming"}',
    'message "new"', 'message {"in_progress":"none"}', 'message {"in_progress":"text"}', 'message "completed"', 'runStep "completed"',
    'run "completed"',
    'done',
  ]);
});

test('the inspector: a stream watched, its actors read back from the JSON API', async ({ client }) => {
  const { result: actors, printed } = await printedBy(async () => inspectorExample.main(await freshContext(client)));
  assert.match(printed, /^open http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n/);
  assert.ok(printed.includes('\nrun "completed"\n'), printed);
  assert.ok(printed.includes('\nmessage "completed"'), printed);
  assert.equal(actors[0], { ...actors[0]!, name: 'assistantStream', value: 'done' });
});

test('any XState app: @statelyai/inspect frames reach the inspector', async () => {
  const inspector = await createInspector({ log: () => {} });
  const { actor, stately: sender } = await stately.main(inspector.wsUrl);
  try {
    assert.is(actor.getSnapshot().value, 'yellow');
    const url = new URL(inspector.url);
    for (let attempt = 0; ; attempt++) {
      const actors = (await (await fetch(`${url.origin}/api/actors${url.search}`)).json()) as Array<{ name: string; value: unknown }>;
      if (actors.some((seen) => seen.name === 'light' && seen.value === 'yellow')) break;
      assert.ok(attempt < 200, 'the light reached the inspector');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    sender.stop();
    await inspector.close();
  }
});

test.run();
