// The inspector on the command line: `inspect` prints its two URLs and serves until Ctrl+C;
// `demo --inspect WS_URL` sends its frames there; `demo --inspect` starts its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { createInspector, type ActorView } from '../inspect/index.ts';
import { runCli } from '../src/cli/main.ts';
import { AssistantsClient } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';
import { captureIO, spawnCli } from './helpers/cli.ts';
import { functionTool } from './helpers/server.ts';

const test = suite<{ outDir: string }>('inspect-cli');
test.before((context) => {
  context.outDir = mkdtempSync(join(tmpdir(), 'inspect-cli-'));
});
test.after(({ outDir }) => rmSync(outDir, { recursive: true, force: true }));

async function actorsAt(uiUrl: string): Promise<ActorView[]> {
  const url = new URL(uiUrl);
  const response = await fetch(`${url.origin}/api/actors?token=${url.searchParams.get('token')}`);
  assert.is(response.status, 200);
  return (await response.json()) as ActorView[];
}

test('inspect prints the UI URL and the WebSocket URL on their own lines; demo --inspect WS_URL feeds it; Ctrl+C stops it', async ({ outDir }) => {
  let urls: ((value: [string, string]) => void) | undefined;
  const printed = new Promise<[string, string]>((resolve) => (urls = resolve));
  let stop: (() => void) | undefined;
  const inspector = spawnCli(['inspect', '--no-open', '--port', '0'], {}, (stdout, child) => {
    const ui = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(stdout)?.[1];
    const ws = /^(ws:\/\/127\.0\.0\.1:\d+\/ws\?token=\S+)$/m.exec(stdout)?.[1];
    if (ui !== undefined && ws !== undefined) {
      stop = () => child.kill('SIGINT');
      urls?.([ui, ws]);
    }
  });
  const [ui, ws] = await printed;
  const demo = await spawnCli(['demo', '--fast', '--out', outDir, '--inspect', ws]);
  assert.is(demo.code, 0, demo.stderr);
  const actors = await actorsAt(ui);
  const runs = actors.filter((actor) => actor.name === 'run');
  // Act one (Assistants) and act two (the Responses API), each a function round trip.
  assert.equal(runs.map((run) => run.value), ['requires_action', 'completed', 'requires_action', 'completed']);
  assert.is(actors.filter((actor) => actor.name === 'assistantStream').length, 4);
  assert.ok(actors.some((actor) => actor.name === 'message' && actor.value === 'completed'));
  stop!();
  const result = await inspector;
  assert.is(result.code, 0);
  assert.match(result.stdout, 'inspector stopped');
});

test('demo --inspect starts its own inspector, prints its URL, and keeps serving until Ctrl+C', async ({ outDir }) => {
  let ui: string | undefined;
  const result = await spawnCli(['demo', '--fast', '--out', outDir, '--inspect'], {}, (stdout, child) => {
    ui ??= /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(stdout)?.[1];
    if (ui !== undefined && stdout.includes('keeps serving')) {
      const url = ui;
      ui = 'asked';
      void actorsAt(url).then((actors) => {
        assert.ok(actors.some((actor) => actor.name === 'run' && actor.value === 'completed'));
        child.kill('SIGINT');
      });
    }
  });
  assert.is(result.code, 0, result.stderr);
  assert.is(ui, 'asked');
});

test('run takes --inspect in every mode: --responses, --tools and --deadline send their runs too', async () => {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5 });
  const inspector = await createInspector({ log: () => {} });
  try {
    const client = new AssistantsClient({ baseURL: server.url, apiKey: 'test' });
    const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' };
    const tools = fileURLToPath(new URL('./fixtures/cli-tools.mjs', import.meta.url));
    const modes = [
      ['--responses', 'What is 6*7?'],
      ['--assistant', assistant.id, '--tools', tools, "What's the weather in Paris?"],
      ['--assistant', assistant.id, '--deadline', '60s', 'Hello there'],
    ];
    for (const mode of modes) {
      const before = inspector.store.sessions().length;
      const io = captureIO(env);
      const code = await runCli(['run', ...mode, '--inspect', inspector.wsUrl], io);
      assert.is(code, 0, `${mode[0]}: ${io.err()}`);
      const sessions = inspector.store.sessions().slice(before);
      const actors = inspector.store.actors().filter((actor) => sessions.some((session) => session.rootId === actor.rootId));
      assert.ok(actors.some((actor) => actor.name === 'run' && actor.value === 'completed'), `${mode[0]}: a completed run reached the inspector`);
      if (mode[0] === '--assistant') assert.ok(actors.some((actor) => actor.name === 'assistantRun'), `${mode.join(' ')}: the workflow's own chart too`);
    }
  } finally {
    await inspector.close();
    await server.close();
  }
});

test.run();
