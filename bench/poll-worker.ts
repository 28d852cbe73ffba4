// One polling measurement in a fresh process:
// `node bench/.build/poll-worker.mjs <plain|client|ours> <baseURL> <pollers> <intervalMs>`.
// Starts `pollers` polls of as many runs at once, each every `intervalMs` until the server says
// the run completed, and prints one JSON line: the process's CPU time (user + system) from the
// first request to the last answer, the wall time, and the retrieves made.
import { AssistantsClient } from '../src/index.ts';

const [mode, baseURL, pollersText, intervalText, runPrefix = 'run'] = process.argv.slice(2) as ['plain' | 'client' | 'ours', string, string, string, string?];
const pollers = Number(pollersText);
const intervalMs = Number(intervalText);
let retrieves = 0;
const TERMINAL = new Set(['requires_action', 'incomplete', 'cancelled', 'completed', 'failed', 'expired']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The plain loop: fetch, parse, check the status, wait; what a user would write by hand. */
async function plainPoll(runId: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${baseURL}/threads/thread_1/runs/${runId}`, {
      headers: { authorization: 'Bearer bench', 'openai-beta': 'assistants=v2' },
    });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const run = (await response.json()) as { status: string };
    retrieves++;
    if (TERMINAL.has(run.status)) return;
    await sleep(intervalMs);
  }
}

const client = new AssistantsClient({ apiKey: 'bench', baseURL });
/** The same loop with the client's retrieve (headers, timeout, retries): what the statechart adds to. */
async function clientPoll(runId: string): Promise<void> {
  for (;;) {
    const run = await client.beta.threads.runs.retrieve(runId, { thread_id: 'thread_1' });
    retrieves++;
    if (TERMINAL.has(run.status)) return;
    await sleep(intervalMs);
  }
}
/** Ours: the client's poll helper (the poll statechart, the client's retrieve). */
async function oursPoll(runId: string): Promise<void> {
  const run = await client.beta.threads.runs.poll(runId, { thread_id: 'thread_1' }, { pollIntervalMs: intervalMs });
  if (!TERMINAL.has(run.status)) throw new Error(`ended at ${run.status}`);
}

const started = performance.now();
const cpuBefore = process.cpuUsage();
const poll = { plain: plainPoll, client: clientPoll, ours: oursPoll }[mode];
await Promise.all(Array.from({ length: pollers }, (_, i) => poll(`${runPrefix}_${i}`)));
const cpu = process.cpuUsage(cpuBefore);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ mode, cpuMs: (cpu.user + cpu.system) / 1000, ms, retrieves: mode === 'ours' ? undefined : retrieves })}\n`);
