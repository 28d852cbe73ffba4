// Load benchmark of the embedded server: N concurrent streamed runs against one server, in one
// process (server and clients share the event loop and the heap, so the numbers are a floor).
// Every stream is read by our own AssistantStream, which rejects a missing, duplicated or
// out-of-order event, and must end in the expected final state: the run completed, the exact
// expected answer, the exact event sequence.
//
//   npm run bench:server                          # 1,000 runs, zero pace
//   npm run bench:server -- --runs=200 --pace=default
//   npm run bench:server -- --runs=10000 --connections=2000
//   npm run bench:server -- --engine=sqlite         # state in SQLite (a temp data dir)
//   npm run bench:server -- --engine=postgres       # state in a throwaway PostgreSQL cluster
//
// The clients send with undici's own fetch and an Agent of their own: 10,000 connects at once
// from the one event loop the server also runs on take longer than fetch's default 10 s
// connect timeout (at 10,000 runs, 4,770 clients failed that way), and on the shared 2-core
// machine a run waited minutes for its headers. So the load generator waits up to 5 minutes
// to connect, sets no headers or body timeout (the benchmark measures completion, and the
// streams' own idle timeout still holds), and may bound its connections (`--connections`:
// runs then queue in the client instead of all connecting at once).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, fetch as undiciFetch } from 'undici';
import { startCluster, type TestCluster } from '../tests/helpers/postgres.ts';
import { AssistantStream } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    pace: { type: 'string', default: 'zero' },
    connections: { type: 'string', default: '0' },
    engine: { type: 'string', default: 'memory' },
  },
});
const CONNECTIONS = Number(values.connections);
const agent = new Agent({
  connectTimeout: 300_000,
  headersTimeout: 0,
  bodyTimeout: 0,
  // One request per connection: a kept-alive connection the server closes for idling while the
  // loaded client sends its next POST on it fails that POST ("other side closed"), which is
  // the client's race, not the server's fault (92 of 10,000 runs, before).
  maxRequestsPerClient: 1,
  ...(CONNECTIONS > 0 ? { connections: CONNECTIONS } : {}),
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
  /** From the request to the first event, in ms (undefined if none came). */
  firstEventMs: number | undefined;
}

async function oneRun(index: number): Promise<Outcome> {
  const expected = question(index);
  const requested = performance.now();
  const body = undiciFetch(`${server.url}/threads/runs`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ assistant_id: assistant.id, stream: true, thread: { messages: [{ role: 'user', content: expected.text }] } }),
    dispatcher: agent,
  }).then((response) => {
    if (!response.ok || response.body === null) throw new Error(`the server answered ${response.status}`);
    return response.body as unknown as ReadableStream<Uint8Array>;
  });
  const stream = AssistantStream.fromSSE(body);
  const names: string[] = [];
  let firstEventMs: number | undefined;
  stream.on('event', ({ event }) => {
    firstEventMs ??= performance.now() - requested;
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
    const cause = (error as { cause?: { cause?: unknown } }).cause?.cause;
    problems.push(`run ${index} failed: ${String(error)}${cause === undefined ? '' : ` (${String(cause)})`}`);
  }
  return { events: names.length, problems, firstEventMs };
}

globalThis.gc?.();
const baselineHeap = process.memoryUsage().heapUsed;
const baselineRss = process.memoryUsage().rss;
sample();
const started = performance.now();
const outcomes = await Promise.all(Array.from({ length: RUNS }, (_, index) => oneRun(index)));
const seconds = (performance.now() - started) / 1000;
sample();
clearInterval(sampler);
// What the server still holds for the finished runs (threads, runs, messages, compacted logs).
globalThis.gc?.();
const retainedHeap = process.memoryUsage().heapUsed - baselineHeap;
await server.close();
await agent.close();
await cluster?.stop();
if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });

const events = outcomes.reduce((sum, outcome) => sum + outcome.events, 0);
const problems = outcomes.flatMap((outcome) => outcome.problems);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const firstEvents = outcomes.map((outcome) => outcome.firstEventMs).filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
const percentile = (p: number) => (firstEvents.length === 0 ? NaN : firstEvents[Math.min(firstEvents.length - 1, Math.floor((p / 100) * firstEvents.length))]!);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`server-load: ${RUNS} concurrent streamed runs, pace ${values.pace}, engine ${engine}, ${CONNECTIONS > 0 ? `${CONNECTIONS} client connections` : 'a connection per run'}, Node ${process.version}`);
console.log(`  wall time        ${seconds.toFixed(2)} s`);
console.log(`  runs/s           ${(RUNS / seconds).toFixed(0)}`);
console.log(`  events/s         ${(events / seconds).toFixed(0)} (${events} events)`);
console.log(`  peak RSS         ${mib(peakRss)}`);
console.log(`  peak heap used   ${mib(peakHeap)}`);
console.log(`  first event      p50 ${percentile(50).toFixed(0)} ms, p99 ${percentile(99).toFixed(0)} ms (from the request)`);
console.log(`  bytes per run    ${kib((peakRss - baselineRss) / RUNS)} of peak RSS growth; ${globalThis.gc === undefined ? 'retained heap: run with --expose-gc' : `${kib(retainedHeap / RUNS)} of heap retained after the runs`}`);
console.log(`  streams correct  ${RUNS - new Set(problems.map((problem) => problem.split(' ')[1])).size} / ${RUNS} (lost or reordered events: ${problems.length})`);
console.log(`  server errors    ${internalErrors.length}`);
for (const problem of problems.slice(0, 10)) console.log(`  ✘ ${problem}`);
if (problems.length > 0 || internalErrors.length > 0) process.exitCode = 1;
