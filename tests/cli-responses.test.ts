// `run --responses` and the demo's second act: the Responses API through the same printer and statecharts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runDemo } from '../src/cli/demo.ts';
import { runCli } from '../src/cli/main.ts';
import { createTerminal } from '../src/cli/terminal.ts';
import { createServer } from '../src/server/index.ts';
import { captureIO, withoutTimes } from './helpers/cli.ts';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const normalizeIds = (text: string) => text.replace(/\b(resp|step_ci|step_msg|msg|ci)_\w+/g, '$1_…');

test('run --responses streams a response and prints it like a run, with the states of every machine', async () => {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  try {
    const io = captureIO({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' });
    assert.is(await runCli(['run', '--responses', '--states', 'What is 6*7?'], io), 0);
    assert.is(io.err(), '');
    const output = withoutTimes(normalizeIds(io.out())).replace(/ +(?=\S)/g, ' ');
    // The scripted model sees no tools in a bare request: a plain answer.
    assert.match(output, /^user > What is 6\*7\?\n\nassistant > You said: "What is 6\*7\?"/);
    assert.match(output, /\nrun resp_… completed · \d+ tokens \(\d+ prompt \+ \d+ completion\) · \d+ events · \(time\)\n/);
    assert.match(output, /\n run resp_… unseen → queued → in_progress → completed\n/);
    assert.match(output, /\n message msg_… new → in_progress\.none → in_progress\.text → completed\n/);
  } finally {
    await server.close();
  }
});

test("the demo's second act answers the same question through the Responses API, with its own summary", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'am-demo-'));
  try {
    const io = captureIO({});
    const result = await runDemo({ term: createTerminal(io), fast: true, outDir: dir });
    const out = io.out();
    const actTwo = out.slice(out.indexOf('Act two: the same question through the Responses API'));
    assert.ok(actTwo.length > 0);
    for (const expected of [
      'assistant > function\nget_weather({"city":"Paris"})',
      '⚙ a new response with previous_response_id and 1 function_call_output; the run goes on',
      'assistant > code_interpreter\nprint(3 * 180 + 3 * 45)',
      '675',
      'According to travel-policy.md: "Hotels in Paris are reimbursed up to 180 euros a night',
      'Summary of act two (Responses API)',
      'stream 1 responses.stream',
      'stream 2 responses.stream-continued',
    ]) {
      assert.ok(actTwo.includes(expected), `act two lacks: ${expected}`);
    }
    assert.not.ok(actTwo.includes('【'), 'the Responses text cites by index, without markers');
    // Issue 27, item 7: the output submitted for the function call is in the summary, as in act one.
    assert.ok(actTwo.includes('function get_weather({"city":"Paris"}) → {"city":"Paris","forecast":"light rain","temperature_c":14}'), 'the submitted output is in the summary');
    assert.not.ok(actTwo.includes('(no output yet)'));
    assert.equal(result.responses?.toolCalls, result.toolCalls, 'both acts report the same calls and what they gave back');
    assert.is(result.responses?.run.status, 'completed');
    // One run across the chain of two responses.
    assert.is(result.responses?.streams[0]?.run.id, result.responses?.run.id);
    assert.is(result.run.status, 'completed');
    assert.equal((await readdir(result.responses!.recordingDir)).filter((name) => name.endsWith('.ndjson')).sort(), [
      '1-responses.stream.ndjson',
      '2-responses.stream-continued.ndjson',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
