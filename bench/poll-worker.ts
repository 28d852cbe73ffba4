// One polling measurement in a fresh process:
// `node bench/.build/poll-worker.mjs <plain|client|bare|official|ours> <baseURL> <pollers> <intervalMs>`.
// Starts `pollers` polls of as many runs at once, each every `intervalMs` until the server says
// the run completed, and prints one JSON line: the process's CPU time (user + system) from the
// first request to the last answer, the wall time, and the retrieves made.
import OpenAI from 'openai';
import { createActor, setup } from 'xstate';
import { AssistantsClient, type Run } from '../src/index.ts';

const [mode, baseURL, pollersText, intervalText, runPrefix = 'run'] = process.argv.slice(2) as ['plain' | 'client' | 'bare' | 'official' | 'ours', string, string, string, string?];
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
/**
 * The least statechart a poll can be: two states, one guard, no context updates, the client's
 * retrieve and a timer called from entry actions. Not a poll anyone should ship (no abort, no
 * deadline, no persistence); it measures what driving each retrieve and each wake-up through an
 * XState actor costs at all, the floor under ours.
 */
const bareMachine = setup({
  types: {} as { context: { runId: string }; events: { type: 'retrieved'; run: Run } | { type: 'woke' }; input: string },
}).createMachine({
  context: ({ input }) => ({ runId: input }),
  initial: 'fetching',
  states: {
    fetching: {
      entry: ({ self, context }) => {
        void client.beta.threads.runs.retrieve(context.runId, { thread_id: 'thread_1' }).then((run) => {
          retrieves++;
          self.send({ type: 'retrieved', run });
        });
      },
      on: { retrieved: [{ guard: ({ event }) => TERMINAL.has(event.run.status), target: 'done' }, { target: 'waiting' }] },
    },
    waiting: {
      entry: ({ self }) => {
        setTimeout(() => self.send({ type: 'woke' }), intervalMs);
      },
      on: { woke: 'fetching' },
    },
    done: { type: 'final' },
  },
});
function barePoll(runId: string): Promise<void> {
  return new Promise((resolve) => {
    const actor = createActor(bareMachine, { input: runId });
    actor.subscribe({ complete: () => resolve() });
    actor.start();
  });
}
const official = new OpenAI({ apiKey: 'bench', baseURL });
/** The reference: the official SDK's poll helper (a loop of its retrieve and a sleep). */
async function officialPoll(runId: string): Promise<void> {
  const run = await official.beta.threads.runs.poll(runId, { thread_id: 'thread_1' }, { pollIntervalMs: intervalMs });
  if (!TERMINAL.has(run.status)) throw new Error(`ended at ${run.status}`);
}
/** Ours: the client's poll helper (the poll statechart, the client's retrieve). */
async function oursPoll(runId: string): Promise<void> {
  const run = await client.beta.threads.runs.poll(runId, { thread_id: 'thread_1' }, { pollIntervalMs: intervalMs });
  if (!TERMINAL.has(run.status)) throw new Error(`ended at ${run.status}`);
}

const started = performance.now();
const cpuBefore = process.cpuUsage();
const poll = { plain: plainPoll, client: clientPoll, bare: barePoll, official: officialPoll, ours: oursPoll }[mode];
await Promise.all(Array.from({ length: pollers }, (_, i) => poll(`${runPrefix}_${i}`)));
const cpu = process.cpuUsage(cpuBefore);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ mode, cpuMs: (cpu.user + cpu.system) / 1000, ms, retrieves: mode === 'ours' || mode === 'official' ? undefined : retrieves })}\n`);
