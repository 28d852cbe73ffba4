// The commands, called in-process: usage errors, help, and `run` against the embedded server.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCommandHelp } from '../src/cli/command.ts';
import { COMMANDS, formatHelp, runCli } from '../src/cli/main.ts';
import { AssistantsClient } from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';
import { captureIO, withoutTimes } from './helpers/cli.ts';
import { functionTool } from './helpers/server.ts';

const test = suite<{ server: AssistantsServer; failing: AssistantsServer; client: AssistantsClient; env: Record<string, string> }>('cli commands');

test.before(async (context) => {
  const zero = { deltaDelayMs: 0, stepDelayMs: 0 };
  context.server = await createServer({ pace: zero });
  context.failing = await createServer({
    pace: zero,
    model: {
      nextStep: () => {
        throw new Error('no model today');
      },
    },
  });
  context.client = new AssistantsClient({ baseURL: context.server.url, apiKey: 'test' });
  context.env = { OPENAI_BASE_URL: context.server.url, OPENAI_API_KEY: 'test' };
});

test.after(async ({ server, failing }) => {
  await Promise.all([server.close(), failing.close()]);
});

// Ids differ from run to run; the shape of the output does not.
const normalizeIds = (text: string) => text.replace(/\b(run|step|msg|call|thread|asst|file)_\w+/g, '$1_…');

test('every bad command line exits 2 with a message on stderr and nothing on stdout', async ({ env }) => {
  const cases: Array<[string[], Record<string, string>, string]> = [
    [['frob'], {}, 'assistant-machines: unknown command "frob"\n'],
    [['run'], env, 'assistant-machines run: missing MESSAGE\n'],
    [['run', 'Hello'], env, 'assistant-machines run: missing --assistant\n'],
    [['run', '--assistant', 'asst_1', 'Hello'], {}, 'assistant-machines run: OPENAI_API_KEY is not set'],
    [['run', '--assistant', 'asst_1', '--base-url', 'ftp://example', 'Hello'], env, 'assistant-machines run: --base-url must be an http(s) URL, got "ftp://example"\n'],
    [['run', '--assistant', 'asst_1', '   '], env, 'assistant-machines run: the message is empty\n'],
    [['record', '--assistant', 'asst_1', 'What', 'now'], env, 'assistant-machines record: too many arguments: "now" (quote a message with spaces)\n'],
    [['run', '--nope', 'Hello'], env, "assistant-machines run: Unknown option '--nope'\n"],
    [['replay'], {}, 'assistant-machines replay: missing FILE (a recording, or a folder of them)\n'],
    [['serve', '--port', '80a'], {}, 'assistant-machines serve: --port must be a whole number from 0 to 65535, got "80a"\n'],
    [['demo', 'now'], {}, 'assistant-machines demo: unexpected argument "now"\n'],
    [['demo', '--fast=yes'], {}, "assistant-machines demo: Option '--fast' does not take an argument\n"],
  ];
  for (const [argv, caseEnv, message] of cases) {
    const io = captureIO(caseEnv);
    assert.is(await runCli(argv, io), 2, argv.join(' '));
    assert.is(io.out(), '', argv.join(' '));
    assert.ok(io.err().startsWith(message), `${argv.join(' ')}: ${io.err()}`);
    assert.match(io.err(), /Run 'assistant-machines( \w+)? --help' for/);
  }
  const bare = captureIO();
  assert.is(await runCli([], bare), 2);
  assert.is(bare.err(), formatHelp());
});

test('--help: the overview lists every command; each command documents every option it accepts', async () => {
  const overview = captureIO();
  assert.is(await runCli(['--help'], overview), 0);
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  for (const command of COMMANDS) assert.match(overview.out(), `\n  ${command.name.padEnd(width)}  ${command.summary}\n`);
  for (const command of COMMANDS) {
    for (const argv of [[command.name, '--help'], [command.name, '-h'], ['help', command.name]]) {
      const io = captureIO();
      assert.is(await runCli(argv, io), 0);
      assert.is(io.out(), formatCommandHelp(command));
    }
    const help = formatCommandHelp(command);
    assert.ok(help.startsWith(`Usage: assistant-machines ${command.name}`));
    for (const option of Object.keys(command.options)) assert.match(help, `--${option}`);
  }
});

test('run streams a run and prints it like the seed, with the states of every machine (--states)', async ({ client, env }) => {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
  const io = captureIO(env);
  assert.is(await runCli(['run', '--assistant', assistant.id, '--states', 'What is 6*7?'], io), 0);
  assert.is(io.err(), '');
  const output = withoutTimes(normalizeIds(io.out())).replace(/ +(?=\S)/g, ' ');
  assert.is(
    output,
    [
      'user > What is 6*7?',
      '',
      'assistant > code_interpreter',
      'print(6*7)',
      '',
      'output >',
      '',
      '42',
      '',
      'assistant > The result of 6*7 is 42.',
      `run run_… completed · ${/· (\d+ tokens \(\d+ prompt \+ \d+ completion\))/.exec(output)![1]} · 24 events · (time)`,
      ' assistantStream connecting → streaming → done',
      ' run run_… unseen → queued → in_progress → completed',
      ' runStep step_… new → in_progress.streaming → completed',
      ' toolCall step_…#0 new → in_progress → done',
      ' runStep step_… new → in_progress.streaming → completed',
      ' message msg_… new → in_progress.none → in_progress.text → completed',
      '',
    ].join('\n'),
  );
});

test('run leaves a run that needs tool outputs waiting, says for what, and exits 0; --thread continues a thread', async ({ client, env }) => {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hello' }] });
  const io = captureIO(env);
  assert.is(await runCli(['run', '--assistant', assistant.id, '--thread', thread.id, 'Weather in Oslo?'], io), 0);
  assert.match(io.out(), '\nassistant > function\nget_weather({"city":"Oslo"})\n');
  assert.match(io.out(), /\nrun run_\w+ requires_action · waiting for get_weather\(\{"city":"Oslo"\}\) · \d+ events · \d+\.\d s\n$/);
  const messages = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
  assert.equal(
    messages.data.map((message) => (message.content[0]?.type === 'text' ? message.content[0].text.value : '')),
    ['Hello', 'Weather in Oslo?'],
  );
});

test('a run that fails exits 1 and shows why', async ({ failing }) => {
  const client = new AssistantsClient({ baseURL: failing.url, apiKey: 'test' });
  const assistant = await client.beta.assistants.create({ model: 'scripted' });
  const io = captureIO({ OPENAI_BASE_URL: failing.url, OPENAI_API_KEY: 'test' });
  assert.is(await runCli(['run', '--assistant', assistant.id, 'Hi'], io), 1);
  assert.match(io.out(), /\nrun run_\w+ failed · server_error: The model failed: no model today · /);
});

test('an unknown assistant is a runtime failure (exit 1) with the server\'s message', async ({ env }) => {
  const io = captureIO(env);
  assert.is(await runCli(['run', '--assistant', 'asst_missing', 'Hi'], io), 1);
  assert.match(io.err(), /^stream failed: .*asst_missing/);
});

test.run();
