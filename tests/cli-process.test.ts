// The CLI as a process: what `npm start` does in a pipe, exit codes, signals, the built bin.
// The children start together in `before` (each pays tsx's start-up), the tests read them.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { replayRecordings } from '../src/cli/replay.ts';
import { createTerminal } from '../src/cli/terminal.ts';
import { captureIO, spawnCli, type ProcessResult } from './helpers/cli.ts';

interface Context {
  dir: string;
  demo: Promise<ProcessResult>;
  usage: Promise<ProcessResult>;
  serve: Promise<ProcessResult & { listed: number | undefined }>;
  bin: Promise<ProcessResult>;
}

const test = suite<Context>('cli process');

test.before(async (context) => {
  context.dir = await mkdtemp(join(tmpdir(), 'assistant-machines-cli-'));
  context.demo = spawnCli(['demo', '--fast', '--out', context.dir]);
  context.usage = spawnCli(['run', '--assistant']);
  let listed: number | undefined;
  let asked = false;
  context.serve = spawnCli(['serve', '--port', '0', '--fast'], {}, (stdout, child) => {
    const url = /listening on (http:\S+)/.exec(stdout)?.[1];
    if (url === undefined || asked) return;
    asked = true;
    // A client can use it (the SDK's headers), then SIGTERM stops it cleanly.
    void fetch(`${url}/assistants`, { headers: { 'openai-beta': 'assistants=v2', authorization: 'Bearer x' } })
      .then((response) => (listed = response.status))
      .finally(() => child.kill('SIGTERM'));
  }).then((result) => ({ ...result, listed }));
  const bin = fileURLToPath(new URL('../dist/esm/cli.js', import.meta.url));
  context.bin = new Promise((resolve, reject) => {
    const child = spawn(bin, ['--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
});

test.after(async ({ dir }) => {
  await rm(dir, { recursive: true, force: true });
});

test('demo in a pipe: exit 0, all three tools, the continuation, the summary, no escape codes or spinner frames', async ({ demo, dir }) => {
  const { code, stdout, stderr } = await demo;
  assert.is(stderr, '');
  assert.is(code, 0);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what this checks for.
  assert.not.match(stdout, /\x1b/, 'no ANSI escape codes in a pipe');
  assert.not.match(stdout, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|\r/, 'no spinner frames in a pipe');
  const expectedInOrder = [
    'Uploading travel-policy.md into a vector store (vectorStores.files.uploadAndPoll)…',
    '✓ travel-policy.md uploaded and indexed: completed',
    "user > I'm in Paris for 3 nights.",
    'assistant > function\nget_weather({"city":"Paris"})\n',
    '⚙ get_weather({"city":"Paris"}) runs here, in the demo\'s process → {"city":"Paris","forecast":"light rain","temperature_c":14}',
    '⚙ submitToolOutputsStream with 1 output',
    'output > get_weather returned {"city":"Paris","forecast":"light rain","temperature_c":14}',
    'assistant > code_interpreter\nprint(3 * 180 + 3 * 45)\n\noutput >\n\n675\n',
    'assistant > file_search\n  1 result: travel-policy.md',
    'assistant > get_weather returned: {"city":"Paris","forecast":"light rain","temperature_c":14}\n\nThe result of 3 * 180 + 3 * 45 is 675.\n\n' +
      'According to travel-policy.md: "Hotels in Paris are reimbursed up to 180 euros a night, and up to 140 euros a night elsewhere."【0:0†source】',
    '【0:0†source】 cites file file-',
    'Summary',
    'stream 1 runs.stream',
    'stream 2 submitToolOutputsStream',
    'tool calls\n  function get_weather({"city":"Paris"}) → {"city":"Paris","forecast":"light rain","temperature_c":14}\n' +
      '  code_interpreter print(3 * 180 + 3 * 45) → 675\n  file_search → travel-policy.md (score ',
    'usage      ',
    'recording  ',
  ];
  let from = 0;
  for (const expected of expectedInOrder) {
    const at = stdout.indexOf(expected, from);
    assert.ok(at >= 0, `expected after offset ${from}: ${expected}\n--- stdout ---\n${stdout}`);
    from = at + expected.length;
  }
  // The excerpt the README shows is what the demo prints.
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const excerpt = /<!-- demo-output[^\n]*-->\n```text\n([\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(excerpt !== undefined && stdout.includes(`\n${excerpt}\n`), `README's demo excerpt is not in the demo's output:\n${excerpt}`);

  // The machines' states, per stream, as XState inspection reported them.
  assert.match(stdout, /\n {2}run +run_\w+ +unseen → queued → in_progress → requires_action\n/);
  assert.match(stdout, /\n {2}runStep +step_\w+ +new → in_progress\.streaming → in_progress\.awaiting_tool_outputs\n/);
  assert.match(stdout, /\n {2}run +run_\w+ +unseen → queued → in_progress → completed\n/);
  assert.match(stdout, /\n {2}message +msg_\w+ +new → in_progress\.none → in_progress\.text → completed\n/);
  assert.match(stdout, /\nusage {6}\d+ tokens \(\d+ prompt \+ \d+ completion\)\n/);

  // One recording file per stream, each with its timing sidecar, and they replay as printed.
  const recordingDir = /\nrecording {2}(\S+) /.exec(stdout)![1]!;
  assert.ok(recordingDir.startsWith(dir));
  assert.equal((await readdir(recordingDir)).sort(), [
    '1-runs.stream.ndjson',
    '1-runs.stream.timing.json',
    '2-submitToolOutputsStream.ndjson',
    '2-submitToolOutputsStream.timing.json',
  ]);
  const io = captureIO();
  assert.is(await replayRecordings(recordingDir, createTerminal(io), { fast: true }), 0);
  const printed = stdout.slice(stdout.indexOf('user >'), stdout.indexOf('\nSummary'));
  const transcript = (text: string, drop: RegExp) =>
    text
      .split('\n')
      .filter((line) => !drop.test(line))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  assert.is(transcript(io.out(), /^(── |run run_)/), transcript(printed, /^(user >|⚙ )/));
});

test('a usage error exits 2 and says what is wrong on stderr', async ({ usage }) => {
  const { code, stdout, stderr } = await usage;
  assert.is(code, 2);
  assert.is(stdout, '');
  assert.is(stderr, "assistant-machines run: Option '--assistant <value>' argument missing\nRun 'assistant-machines run --help' for usage.\n");
});

test('serve prints the URL to give a client, serves it, and stops with exit 0 on SIGTERM', async ({ serve }) => {
  const { code, stdout, listed } = await serve;
  assert.is(listed, 200);
  assert.match(stdout, /^assistant-machines server listening on http:\/\/127\.0\.0\.1:\d+\/v1\n/);
  assert.match(stdout, /\n {2}OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/v1 OPENAI_API_KEY=anything\n/);
  assert.ok(stdout.endsWith('server stopped\n'));
  assert.is(code, 0);
});

test('the built bin runs as an executable (shebang, package.json bin target)', async ({ bin }) => {
  const { code, stdout } = await bin;
  assert.is(code, 0);
  assert.match(stdout, /^Usage: assistant-machines <command> \[options\]\n/);
});

test.run();
