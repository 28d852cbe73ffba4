// Concurrent workflows: N parent machines, each invoking an assistantRun (createAssistantRun)
// on its own thread of one embedded server, each with a tool round trip (two parallel function
// calls → outputs → answer). Every workflow must complete with the expected answer, and the
// server must have accepted exactly one submission per run (counted on the wire, by a fetch
// wrapper) — nothing submitted twice. Reports the wall time and the memory.
//
// The Restate row: the same runs, each a durable run of the thread object
// (assistant-machines/restate) in a worker process behind a real restate-server (installed from
// npm into node_modules/.cache when missing), sent through the ingress at once: its wall time as a
// ratio of the in-process actors', and the journal entries each run left (Restate's own count).
//
//   npm run bench:runs                 # 100 workflows
//   npm run bench:runs -- --runs=500
//   npm run bench:runs -- --restate=false   # without the Restate row
//   npm run bench:runs -- --rounds=9        # the Restate ratio over 9 side-by-side rounds (default 5)
//   npm run bench:runs -- --otel=true       # and the durable runs traced (createAssistantThreadObject({ telemetry }), spans dropped) against untraced
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { assign, createActor, setup, toPromise } from 'xstate';
import { AssistantsClient, createAssistantRun, type AssistantRunOutput } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';

/** What a batch of concurrent workflows did. */
export interface WorkflowsReport {
  runs: number;
  completed: number;
  /** Runs whose answer was exactly the expected one. */
  correct: number;
  /** Tool-output submissions the server answered 200, per run id (each must be 1). */
  acceptedSubmissions: Map<string, number>;
  /** Tool function executions (each run has two calls). */
  toolExecutions: number;
  wallMs: number;
  peakRssBytes: number;
  peakHeapBytes: number;
}

const TOOLS = ['get_weather', 'get_time'].map((name) => ({
  type: 'function' as const,
  function: { name, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
}));
const SUBMIT = /\/threads\/[^/]+\/runs\/([^/]+)\/submit_tool_outputs$/;

/**
 * Runs `runs` workflows at once against the server at `baseURL` (its scripted model) and
 * reports what happened.
 *
 * @example `const report = await runConcurrentWorkflows(server.url, 20);`
 */
export async function runConcurrentWorkflows(baseURL: string, runs: number): Promise<WorkflowsReport> {
  const acceptedSubmissions = new Map<string, number>();
  // Counts on the wire what the server accepted: a second accepted submission would show here.
  const countingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const submitted = SUBMIT.exec(new URL(url).pathname);
    if (submitted !== null && response.ok) acceptedSubmissions.set(submitted[1]!, (acceptedSubmissions.get(submitted[1]!) ?? 0) + 1);
    return response;
  };
  const client = new AssistantsClient({ baseURL, apiKey: 'bench', fetch: countingFetch });
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: TOOLS });
  let toolExecutions = 0;
  const logic = createAssistantRun({
    client,
    tools: {
      get_weather: async ({ city }: { city: string }) => {
        toolExecutions++;
        return { city, temp: '22C' };
      },
      get_time: async () => {
        toolExecutions++;
        return '14:00';
      },
    },
  });
  const workflow = setup({
    types: {} as { input: { threadId: string; city: string }; context: { threadId: string; city: string; result: AssistantRunOutput | null }; output: AssistantRunOutput },
    actors: { assistant: logic },
  }).createMachine({
    context: ({ input }) => ({ ...input, result: null }),
    initial: 'asking',
    states: {
      asking: {
        invoke: {
          src: 'assistant',
          input: ({ context }) => ({ threadId: context.threadId, assistantId: assistant.id, additionalMessages: [{ role: 'user', content: `What's the weather and the time in ${context.city}?` }] }),
          onDone: { target: 'done', actions: assign({ result: ({ event }) => event.output }) },
        },
      },
      done: { type: 'final' },
    },
    output: ({ context }) => context.result!,
  });

  let peakRssBytes = 0;
  let peakHeapBytes = 0;
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRssBytes = Math.max(peakRssBytes, rss);
    peakHeapBytes = Math.max(peakHeapBytes, heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const startedAt = performance.now();
  const cities = Array.from({ length: runs }, (_, index) => `Town${lettersOf(index)}`);
  const threads = await Promise.all(cities.map(() => client.beta.threads.create()));
  const outputs = await Promise.all(cities.map((city, index) => toPromise(createActor(workflow, { input: { threadId: threads[index]!.id, city } }).start())));
  const wallMs = performance.now() - startedAt;
  clearInterval(sampler);
  sample();
  const correct = outputs.filter((output, index) => {
    const text = output.messages.map((message) => message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('')).join('');
    return text === `The tools returned:\n- get_weather: {"city":"${cities[index]}","temp":"22C"}\n- get_time: 14:00`;
  }).length;
  return {
    runs,
    completed: outputs.filter((output) => output.run.status === 'completed').length,
    correct,
    acceptedSubmissions,
    toolExecutions,
    wallMs,
    peakRssBytes,
    peakHeapBytes,
  };
}

// 0 → 'A', 25 → 'Z', 26 → 'BA': a unique name of letters only (the scripted model reads a
// proper name, not digits, as the city).
function lettersOf(index: number): string {
  let letters = '';
  do {
    letters = String.fromCharCode(65 + (index % 26)) + letters.toLowerCase();
    index = Math.floor(index / 26);
  } while (index > 0);
  return letters;
}

/**
 * The same workload written by hand, the way SDK users write it: stream the run, and while it
 * requires action, run the tools and submit with a stream. No re-attach, no cancel, no
 * persistence: the floor the actor's bookkeeping is measured against.
 */
async function runHandWrittenLoops(baseURL: string, runs: number): Promise<{ wallMs: number; completed: number }> {
  const client = new AssistantsClient({ baseURL, apiKey: 'bench' });
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: TOOLS });
  const startedAt = performance.now();
  const cities = Array.from({ length: runs }, (_, index) => `Town${lettersOf(index)}`);
  const threads = await Promise.all(cities.map(() => client.beta.threads.create()));
  const statuses = await Promise.all(
    cities.map(async (city, index) => {
      const threadId = threads[index]!.id;
      let run = await client.beta.threads.runs.stream(threadId, { assistant_id: assistant.id, additional_messages: [{ role: 'user', content: `What's the weather and the time in ${city}?` }] }).finalRun();
      while (run.status === 'requires_action') {
        const tool_outputs = (run.required_action?.submit_tool_outputs.tool_calls ?? []).map((call) => ({
          tool_call_id: call.id,
          output: call.function.name === 'get_weather' ? JSON.stringify({ city, temp: '22C' }) : '14:00',
        }));
        run = await client.beta.threads.runs.submitToolOutputsStream(run.id, { thread_id: threadId, tool_outputs }).finalRun();
      }
      await client.beta.threads.messages.list(threadId, { run_id: run.id, order: 'asc' });
      return run.status;
    }),
  );
  return { wallMs: performance.now() - startedAt, completed: statuses.filter((status) => status === 'completed').length };
}

/** What the Restate row measured. */
interface RestateReport {
  completed: number;
  correct: number;
  wallMs: number;
  /** Journal entries per run, as Restate's `sys_journal` counts them: every entry, and the commands alone. */
  entriesPerRun: number;
  commandsPerRun: number;
}

/** A restate-server and one worker serving the thread object, ready to take batches of runs. */
interface DurableBench {
  /** The same tool-loop runs as durable runs: all sent to the ingress at once, and awaited there. */
  measure(runs: number): Promise<RestateReport>;
  close(): Promise<void>;
}

async function startDurableBench(baseURL: string, env: Record<string, string> = {}): Promise<DurableBench> {
  const { startRestate } = await import('../tests/helpers/restate.ts');
  const { startWorker } = await import('../tests/helpers/restateWorkers.ts');
  const restate = await startRestate();
  const worker = await startWorker({ AM_BASE_URL: baseURL, PORT: '0', ...env });
  await restate.register(worker.url);
  const client = new AssistantsClient({ baseURL, apiKey: 'bench' });
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: TOOLS });
  const ingress = async (path: string, init: RequestInit) => (await fetch(`${restate.ingressUrl}${path}`, init)).json() as Promise<Record<string, unknown>>;
  const batch = async (cities: string[]) => {
    const threads = await Promise.all(cities.map(() => client.beta.threads.create()));
    const invocations = await Promise.all(
      cities.map(async (city, index) => {
        const body = JSON.stringify({ assistantId: assistant.id, additionalMessages: [{ role: 'user', content: `What's the weather and the time in ${city}?` }] });
        const sent = await ingress(`/assistantThread/${threads[index]!.id}/run/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        return String(sent['invocationId']);
      }),
    );
    const outputs = (await Promise.all(invocations.map((id) => ingress(`/restate/invocation/${id}/attach`, {})))) as unknown as AssistantRunOutput[];
    return { invocations, outputs };
  };
  // The in-process row's code was warmed by the hand-written loops that ran before it in the
  // same process; the worker is a fresh process, so it gets a small batch first.
  await batch(Array.from({ length: 10 }, (_, index) => `Warm${lettersOf(index)}`));
  return {
    async measure(runs) {
      const startedAt = performance.now();
      const cities = Array.from({ length: runs }, (_, index) => `Town${lettersOf(index)}`);
      const { invocations, outputs } = await batch(cities);
      const wallMs = performance.now() - startedAt;
      const correct = outputs.filter((output, index) => {
        const text = (output.messages ?? []).map((message) => message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('')).join('');
        return text === `The tools returned:\n- get_weather: {"city":"${cities[index]}","temp":"22C"}\n- get_time: 14:00`;
      }).length;
      const ids = invocations.map((id) => `'${id}'`).join(',');
      const [counts] = await restate.query<{ entries: number; commands: number }>(
        `select count(*) as entries, sum(case when entry_type like 'Command%' then 1 else 0 end) as commands from sys_journal where id in (${ids})`,
      );
      return {
        completed: outputs.filter((output) => output.run?.status === 'completed').length,
        correct,
        wallMs,
        entriesPerRun: Number(counts?.entries ?? 0) / runs,
        commandsPerRun: Number(counts?.commands ?? 0) / runs,
      };
    },
    async close() {
      await worker.kill();
      await restate.stop();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '100' }, restate: { type: 'string', default: 'true' }, rounds: { type: 'string', default: '5' }, otel: { type: 'string', default: 'false' } } });
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5 });
  try {
    const baseline = await runHandWrittenLoops(server.url, Number(values.runs));
    const report = await runConcurrentWorkflows(server.url, Number(values.runs));
    const twice = [...report.acceptedSubmissions.values()].filter((count) => count !== 1).length;
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    console.log(`assistantRun workflows: ${report.runs} concurrent, each a parent machine invoking createAssistantRun with a tool round trip`);
    console.log(`  completed ${report.completed}/${report.runs}, expected answer ${report.correct}/${report.runs}`);
    console.log(`  accepted submissions: ${[...report.acceptedSubmissions.values()].reduce((a, b) => a + b, 0)} for ${report.acceptedSubmissions.size} runs (runs not submitted exactly once: ${twice}); tool executions ${report.toolExecutions}`);
    console.log(`  wall ${(report.wallMs / 1000).toFixed(2)} s (${(report.runs / (report.wallMs / 1000)).toFixed(1)} workflows/s), peak RSS ${mib(report.peakRssBytes)}, peak heap ${mib(report.peakHeapBytes)}`);
    console.log(`  the same runs as hand-written stream/submit loops: ${(baseline.wallMs / 1000).toFixed(2)} s (${baseline.completed} completed): the actors take ${(report.wallMs / baseline.wallMs).toFixed(2)}× as long`);
    if (report.completed !== report.runs || report.correct !== report.runs || twice > 0 || report.acceptedSubmissions.size !== report.runs) process.exitCode = 1;
    if (values.restate !== 'false') {
      // Side by side, in rounds: the machine's load (other work on its two cores) hits both
      // contenders alike, and the median ratio says more than any one round.
      const durable = await startDurableBench(server.url);
      // --otel=true: a second restate-server and worker whose thread object is traced (the real
      // SDK recording every span, an exporter that drops them), measured in the same rounds.
      const traced = values.otel === 'true' ? await startDurableBench(server.url, { SPANS: 'drop' }) : undefined;
      const ratios: number[] = [];
      const tracedRatios: number[] = [];
      let last: RestateReport | undefined;
      try {
        for (let round = 0; round < Number(values.rounds); round++) {
          const inProcess = await runConcurrentWorkflows(server.url, report.runs);
          last = await durable.measure(report.runs);
          ratios.push(last.wallMs / inProcess.wallMs);
          if (last.completed !== report.runs || last.correct !== report.runs || inProcess.completed !== report.runs) process.exitCode = 1;
          if (traced !== undefined) {
            const tracedRound = await traced.measure(report.runs);
            tracedRatios.push(tracedRound.wallMs / last.wallMs);
            if (tracedRound.completed !== report.runs || tracedRound.correct !== report.runs) process.exitCode = 1;
          }
        }
      } finally {
        await durable.close();
        await traced?.close();
      }
      const sorted = [...ratios].sort((a, b) => a - b);
      console.log(`on Restate: the same ${report.runs} runs as durable runs (assistant-machines/restate: one worker process, restate-server 1.7, the ingress), ${ratios.length} rounds side by side with the in-process actors`);
      console.log(`  completed ${last?.completed}/${report.runs}, expected answer ${last?.correct}/${report.runs} (last round)`);
      console.log(
        `  wall ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}× the in-process actors, median (rounds: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')}; goal ≤ 1.5×); journal entries per run ${last?.entriesPerRun.toFixed(1)} (${last?.commandsPerRun.toFixed(1)} commands)`,
      );
      if (tracedRatios.length > 0) {
        const median = [...tracedRatios].sort((a, b) => a - b)[Math.floor(tracedRatios.length / 2)]!;
        console.log(`  traced (createAssistantThreadObject({ telemetry }), the real SDK, spans dropped): ${median.toFixed(2)}× the untraced durable runs, median (rounds: ${tracedRatios.map((ratio) => ratio.toFixed(2)).join(', ')})`);
      }
    }

  } finally {
    await server.close();
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) await main();
