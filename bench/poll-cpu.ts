// `npm run bench:poll`: the CPU cost of 1,000 concurrent polls at a 1 s interval, each contender
// in its own process against the same loopback server, the order rotating each round:
// - a plain fetch loop (what a user writes by hand: no timeout, no retries);
// - the same loop with the client's retrieve (headers, timeout, retries);
// - the least statechart a poll can be (two states, one guard, the client's retrieve): what
//   driving each retrieve and wake-up through any XState actor costs;
// - the reference, the official SDK's `runs.poll`;
// - ours, the client's poll helper run by the poll statechart.
// Prints the ratios of medians, and ours against the official SDK round by round (both ran in
// the same round, under the same load): the goal is ≤ 0.9× the official SDK's CPU.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { servePolls } from './pollServer.ts';
import { buildWorkers } from './buildWorkers.ts';

const POLLERS = Number(process.env['POLLERS'] ?? 1000);
const INTERVAL_MS = Number(process.env['POLL_INTERVAL_MS'] ?? 1000);
const POLLS_PER_RUN = Number(process.env['POLLS_PER_RUN'] ?? 8);
const ROUNDS = Number(process.env['POLL_ROUNDS'] ?? 3);

await buildWorkers({ 'poll-worker': 'bench/poll-worker.ts' });

/** The CPU ms of each round, per contender; throws if any contender made other retrieves than asked. */
export async function measurePolling(): Promise<{ plain: number[]; client: number[]; bare: number[]; official: number[]; ours: number[]; pollers: number; intervalMs: number; pollsPerRun: number }> {
  const server = await servePolls(POLLS_PER_RUN);
  const cpu = { plain: [] as number[], client: [] as number[], bare: [] as number[], official: [] as number[], ours: [] as number[] };
  const modes = ['plain', 'client', 'bare', 'official', 'ours'] as const;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of [...modes.slice(round % modes.length), ...modes.slice(0, round % modes.length)]) {
        const args = ['bench/.build/poll-worker.mjs', mode, server.baseURL, String(POLLERS), String(INTERVAL_MS)];
        const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8' });
        const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { cpuMs: number; ms: number };
        const retrieves = server.reset();
        if (retrieves !== POLLERS * POLLS_PER_RUN) throw new Error(`${mode} made ${retrieves} retrieves, expected ${POLLERS * POLLS_PER_RUN}`);
        cpu[mode].push(result.cpuMs);
        console.log(`  round ${round + 1}: ${mode} ${result.cpuMs.toFixed(0)} ms CPU over ${result.ms.toFixed(0)} ms`);
      }
    }
  } finally {
    await server.close();
  }
  return { ...cpu, pollers: POLLERS, intervalMs: INTERVAL_MS, pollsPerRun: POLLS_PER_RUN };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measurePolling();
  const perRound = result.ours.map((ours, round) => ours / result.official[round]!);
  console.log(
    `${result.pollers} pollers at ${result.intervalMs} ms, ${result.pollsPerRun} retrieves each: plain fetch loop ${median(result.plain).toFixed(0)} ms CPU, the client's retrieve in a loop ${median(result.client).toFixed(0)} ms, the least statechart ${median(result.bare).toFixed(0)} ms (${(median(result.bare) / median(result.plain)).toFixed(2)}×), the official SDK's runs.poll ${median(result.official).toFixed(0)} ms (${(median(result.official) / median(result.plain)).toFixed(2)}×), ours ${median(result.ours).toFixed(0)} ms (${(median(result.ours) / median(result.plain)).toFixed(2)}× the plain loop, ${(median(result.ours) / median(result.client)).toFixed(2)}× the client loop)`,
  );
  console.log(`ours vs the official SDK's runs.poll, in CPU: ${median(perRound).toFixed(2)}× (per round ${perRound.map((ratio) => ratio.toFixed(2)).join(', ')}; goal ≤ 0.9×)`);
}
