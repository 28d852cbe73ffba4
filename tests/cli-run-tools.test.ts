// `run --tools FILE.mjs` and `--deadline`: the run as an assistantRun actor that answers its
// function calls until the run ends, is cancelled past the deadline, and cancelled on the server
// at Ctrl+C (the io signal).
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli/main.ts';
import { parseDuration } from '../src/cli/runLoop.ts';
import { AssistantsClient } from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';
import { captureIO } from './helpers/cli.ts';
import { functionTool } from './helpers/server.ts';

const test = suite<{ server: AssistantsServer; slow: AssistantsServer }>('cli run --tools');
const TOOLS = fileURLToPath(new URL('./fixtures/cli-tools.mjs', import.meta.url));
const BROKEN = fileURLToPath(new URL('./fixtures/cli-tools-broken.mjs', import.meta.url));

test.before(async (context) => {
  context.server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5 });
  // Each status change waits 200 ms here: time to press Ctrl+C while the run is queued.
  context.slow = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 200 }, pollAfterMs: 5 });
});
test.after(async ({ server, slow }) => {
  await Promise.all([server.close(), slow.close()]);
});

async function assistantOn(server: AssistantsServer): Promise<{ client: AssistantsClient; id: string; env: Record<string, string> }> {
  const client = new AssistantsClient({ baseURL: server.url, apiKey: 'test' });
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city'), functionTool('get_time', 'city')] });
  return { client, id: assistant.id, env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' } };
}

test('--tools runs the exported functions and loops until the run completes', async ({ server }) => {
  const { id, env } = await assistantOn(server);
  const io = captureIO(env);
  assert.is(await runCli(['run', '--assistant', id, '--tools', TOOLS, "What's the weather and the time in Paris?"], io), 0, io.err());
  const out = io.out();
  assert.match(out, 'assistant > function get_weather({"city":"Paris"}) → {"city":"Paris","temp":"22C"}');
  assert.match(out, 'assistant > function get_time({"city":"Paris"}) → 14:00');
  assert.match(out, '\nassistant > The tools returned:\n- get_weather: {"city":"Paris","temp":"22C"}\n- get_time: 14:00\nrun run_');
  assert.match(out, / completed · \d+ tokens/);
});

test('a tools module that exports something else, and a bad --deadline, are usage errors', async ({ server }) => {
  const { id, env } = await assistantOn(server);
  const broken = captureIO(env);
  assert.is(await runCli(['run', '--assistant', id, '--tools', BROKEN, 'Hi'], broken), 2);
  assert.match(broken.err(), `--tools ${BROKEN}: export "get_weather" is not a function`);
  const missing = captureIO(env);
  assert.is(await runCli(['run', '--assistant', id, '--tools', '/nonexistent/tools.mjs', 'Hi'], missing), 2);
  assert.match(missing.err(), '--tools /nonexistent/tools.mjs: cannot load it');
  const deadline = captureIO(env);
  assert.is(await runCli(['run', '--assistant', id, '--deadline', 'soon', 'Hi'], deadline), 2);
  assert.match(deadline.err(), '--deadline must be a duration like 90s, 2m or 500ms, got "soon"');
});

test('parseDuration reads ms, s, m, h and bare seconds', () => {
  assert.equal(['500ms', '90s', '2m', '1.5h', '3'].map((text) => parseDuration(text, '--deadline')), [500, 90_000, 120_000, 5_400_000, 3000]);
});

test('Ctrl+C cancels the run on the server and waits for the confirmation', async ({ slow }) => {
  const { client, id, env } = await assistantOn(slow);
  const thread = await client.beta.threads.create();
  const stop = new AbortController();
  const io = { ...captureIO(env), signal: stop.signal };
  const exit = runCli(['run', '--assistant', id, '--thread', thread.id, '--tools', TOOLS, "What's the weather in Paris?"], io);
  // Ctrl+C once the run exists on the server.
  while ((await client.beta.threads.runs.list(thread.id)).data.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  stop.abort('SIGINT');
  assert.is(await exit, 1);
  const [run] = (await client.beta.threads.runs.list(thread.id)).data;
  assert.is(run!.status, 'cancelled');
  assert.match(io.err(), 'cancelling the run on the server… (Ctrl+C again to exit at once)');
  assert.match(io.out(), new RegExp(`run ${run!.id} cancelled`));
});

test('without --tools too, Ctrl+C cancels the streamed run on the server and waits for the confirmation', async ({ slow }) => {
  const { client, id, env } = await assistantOn(slow);
  const thread = await client.beta.threads.create();
  const stop = new AbortController();
  const io = { ...captureIO(env), signal: stop.signal };
  const exit = runCli(['run', '--assistant', id, '--thread', thread.id, 'Tell me a story'], io);
  // Ctrl+C once the run is in progress: its stream has carried `created` and `queued` by then.
  while ((await client.beta.threads.runs.list(thread.id)).data[0]?.status !== 'in_progress') await new Promise((resolve) => setTimeout(resolve, 10));
  stop.abort('SIGINT');
  assert.is(await exit, 1);
  const [run] = (await client.beta.threads.runs.list(thread.id)).data;
  assert.is(run!.status, 'cancelled');
  assert.match(io.err(), 'cancelling the run on the server… (Ctrl+C again to exit at once)');
  assert.match(io.out(), new RegExp(`run ${run!.id} cancelled`));
});

test('--deadline cancels a run that takes too long, and says so', async ({ slow }) => {
  const { id, env } = await assistantOn(slow);
  const io = captureIO(env);
  assert.is(await runCli(['run', '--assistant', id, '--tools', TOOLS, '--deadline', '100ms', "What's the weather in Paris?"], io), 1);
  assert.match(io.out(), /deadline exceeded · run run_\w+ cancelled/);
});

test.run();
