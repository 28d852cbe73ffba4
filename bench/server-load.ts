// Load benchmark of the embedded server: N concurrent streamed runs against one server, in one
// process (server and clients share the event loop and the heap, so the numbers are a floor).
// Every stream is read by our own AssistantStream, which rejects a missing, duplicated or
// out-of-order event, and must end in the expected final state: the run completed, the exact
// expected answer, the exact event sequence.
//
//   npm run bench:server                          # 1,000 runs, zero pace
//   npm run bench:server -- --runs=200 --pace=default
//   npm run bench:server -- --engine=sqlite         # state in SQLite (a temp data dir)
//   npm run bench:server -- --engine=postgres       # state in a throwaway PostgreSQL cluster
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, type TestCluster } from '../tests/helpers/postgres.ts';
import { AssistantStream } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    pace: { type: 'string', default: 'zero' },
    engine: { type: 'string', default: 'memory' },
  },
});
const RUNS = Number(values.runs);
const pace = values.pace === 'default' ? {} : { deltaDelayMs: 0, stepDelayMs: 0 };

const HEADERS = { 'content-type': 'application/json', 'openai-beta': 'assistants=v2' };

// Half the runs answer in text, half compute with the code interpreter (tool-call deltas too).
function question(index: number): { text: string; answer: RegExp | string; events: string[] } {
  if (index % 2 === 0) {
    const text = `Hello number ${index}`;
    return { text, answer: new RegExp(`^You said: "${text}"\\.`), events: TEXT_EVENTS };
  }
  return { text: `What is ${index} * 3 + 1?`, answer: `The result of ${index} * 3 + 1 is ${index * 3 + 1}.`, events: CODE_EVENTS };
}

const RUN_START = ['thread.created', 'thread.run.created', 'thread.run.queued', 'thread.run.in_progress'];
const ANSWER = [
  'thread.run.step.created', 'thread.run.step.in_progress', 'thread.message.created', 'thread.message.in_progress', 'thread.message.delta…',
  'thread.message.completed', 'thread.run.step.completed', 'thread.run.completed',
];
const TEXT_EVENTS = [...RUN_START, ...ANSWER];
const CODE_EVENTS = [...RUN_START, 'thread.run.step.created', 'thread.run.step.in_progress', 'thread.run.step.delta…', 'thread.run.step.completed', ...ANSWER];

function collapse(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const label = name.endsWith('.delta') ? `${name}…` : name;
    if (!(label.endsWith('…') && out[out.length - 1] === label)) out.push(label);
  }
  return out;
}

let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const { rss, heapUsed } = process.memoryUsage();
  peakRss = Math.max(peakRss, rss);
  peakHeap = Math.max(peakHeap, heapUsed);
};
const sampler = setInterval(sample, 20);

const internalErrors: unknown[] = [];
const engine = values.engine;
if (engine !== 'memory' && engine !== 'sqlite' && engine !== 'postgres') throw new Error(`--engine must be memory, sqlite or postgres, got ${engine}`);
const dataDir = engine === 'sqlite' ? await mkdtemp(join(tmpdir(), 'bench-server-')) : undefined;
const cluster: TestCluster | undefined = engine === 'postgres' ? await startCluster() : undefined;
const server = await createServer({
  pace,
  onInternalError: (error) => internalErrors.push(error),
  ...(dataDir === undefined ? {} : { dataDir }),
  ...(cluster === undefined ? {} : { databaseUrl: cluster.url }),
});
const assistantResponse = await fetch(`${server.url}/assistants`, {
  method: 'POST',
  headers: HEADERS,
  body: JSON.stringify({ model: 'scripted', tools: [{ type: 'code_interpreter' }] }),
});
const assistant = (await assistantResponse.json()) as { id: string };

interface Outcome {
  events: number;
  problems: string[];
  /** From sending the request to the first event read, in ms. */
  firstEventMs: number;
}

async function oneRun(index: number): Promise<Outcome> {
  const expected = question(index);
  const sent = performance.now();
  let firstEventMs = Number.NaN;
  const response = fetch(`${server.url}/threads/runs`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ assistant_id: assistant.id, stream: true, thread: { messages: [{ role: 'user', content: expected.text }] } }),
  });
  const stream = AssistantStream.fromSSE(response);
  const names: string[] = [];
  stream.on('event', ({ event }) => {
    if (names.length === 0) firstEventMs = performance.now() - sent;
    names.push(event);
  });
  const problems: string[] = [];
  try {
    const run = await stream.finalRun();
    if (run.status !== 'completed') problems.push(`run ${index} ended ${run.status}`);
    const messages = await stream.finalMessages();
    const text = messages[0]?.content[0]?.type === 'text' ? messages[0].content[0].text.value : '';
    const matches = typeof expected.answer === 'string' ? text === expected.answer : expected.answer.test(text);
    if (!matches) problems.push(`run ${index} answered ${JSON.stringify(text)}`);
    const sequence = collapse(names);
    if (sequence.join() !== expected.events.join()) problems.push(`run ${index} streamed ${sequence.join(' ')}`);
  } catch (error) {
    problems.push(`run ${index} failed: ${String(error)}`);
  }
  return { events: names.length, problems, firstEventMs };
}

sample();
const started = performance.now();
const outcomes = await Promise.all(Array.from({ length: RUNS }, (_, index) => oneRun(index)));
const seconds = (performance.now() - started) / 1000;
sample();
clearInterval(sampler);
await server.close();
await cluster?.stop();
if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });

const events = outcomes.reduce((sum, outcome) => sum + outcome.events, 0);
const problems = outcomes.flatMap((outcome) => outcome.problems);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const firstEvents = outcomes.map((outcome) => outcome.firstEventMs).sort((a, b) => a - b);
const percentile = (share: number) => firstEvents[Math.min(firstEvents.length - 1, Math.ceil(share * firstEvents.length) - 1)] ?? Number.NaN;
console.log(`server-load: ${RUNS} concurrent streamed runs, pace ${values.pace}, engine ${engine}, Node ${process.version}`);
console.log(`  wall time        ${seconds.toFixed(2)} s`);
console.log(`  runs/s           ${(RUNS / seconds).toFixed(0)}`);
console.log(`  events/s         ${(events / seconds).toFixed(0)} (${events} events)`);
console.log(`  first event      p50 ${percentile(0.5).toFixed(0)} ms, p99 ${percentile(0.99).toFixed(0)} ms`);
console.log(`  peak RSS         ${mib(peakRss)}`);
console.log(`  peak heap used   ${mib(peakHeap)}`);
console.log(`  streams correct  ${RUNS - new Set(problems.map((problem) => problem.split(' ')[1])).size} / ${RUNS} (lost or reordered events: ${problems.length})`);
console.log(`  server errors    ${internalErrors.length}`);
for (const problem of problems.slice(0, 10)) console.log(`  ✘ ${problem}`);
if (problems.length > 0 || internalErrors.length > 0) process.exitCode = 1;
