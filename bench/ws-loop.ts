// `npm run bench:ws -- [rounds] [calls]`: a rollout of 20 tool calls (40 responses, each
// continuing the last with only its new items) over WebSocket mode against the same rollout over
// HTTP streaming — with our client and with the official SDK's — side by side: each contender in
// its own process, the order rotating every round, one embedded server (at full speed, in a
// process of its own) answering all of them. Prints each round, the medians, the WebSocket/HTTP
// ratios (median of the rounds' ratios) and the load.
import { execFile, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { buildWorkers } from './buildWorkers.ts';
import { TOOL_LOOP_CONTENDERS, TOOL_LOOP_LABELS, type ToolLoopContender } from './toolLoop.ts';

const ROUNDS = Math.max(1, Number(process.argv[2] ?? process.env['BENCH_ROUNDS'] ?? 7));
const CALLS = Math.max(1, Number(process.argv[3] ?? 20));

await buildWorkers({ wsLoopServer: 'bench/wsLoopServer.ts', wsLoopWorker: 'bench/wsLoopWorker.ts' });

type Result = { ms: number; cpuMs: number; responses: number };
const server = spawn(process.execPath, ['bench/.build/wsLoopServer.mjs'], { stdio: ['pipe', 'pipe', 'inherit'] });
const { url } = await new Promise<{ url: string }>((resolve) => createInterface({ input: server.stdout! }).once('line', (line) => resolve(JSON.parse(line) as { url: string })));
const runWorker = async (contender: ToolLoopContender): Promise<Result> => {
  const { stdout } = await promisify(execFile)(process.execPath, ['bench/.build/wsLoopWorker.mjs', contender, url, String(CALLS)], { encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Result;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = new Map<ToolLoopContender, Result[]>(TOOL_LOOP_CONTENDERS.map((contender) => [contender, []]));
const loads: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = TOOL_LOOP_CONTENDERS.map((_, index) => TOOL_LOOP_CONTENDERS[(index + round) % TOOL_LOOP_CONTENDERS.length]!);
    const line: string[] = [];
    for (const contender of order) {
      const result = await runWorker(contender);
      results.get(contender)!.push(result);
      line.push(`${contender} ${result.ms.toFixed(0)} ms`);
    }
    loads.push(loadavg()[0]!);
    console.log(`round ${round + 1}: ${line.join(', ')}; load ${loads.at(-1)!.toFixed(1)}`);
  }
} finally {
  server.stdin!.end();
}
const of = (contender: ToolLoopContender) => results.get(contender)!;
const ratio = (ws: ToolLoopContender, http: ToolLoopContender) => median(of(ws).map((result, index) => result.ms / of(http)[index]!.ms));
console.log(`\n${CALLS} tool calls (${of('ours-http')[0]!.responses} responses) per rollout, ${ROUNDS} rounds, median; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`);
console.log('| contender | rollout | per response | client CPU |');
console.log('|---|---:|---:|---:|');
for (const contender of TOOL_LOOP_CONTENDERS) {
  const ms = median(of(contender).map((result) => result.ms));
  console.log(`| ${TOOL_LOOP_LABELS[contender]} | ${ms.toFixed(0)} ms | ${(ms / of(contender)[0]!.responses).toFixed(2)} ms | ${median(of(contender).map((result) => result.cpuMs)).toFixed(0)} ms |`);
}
console.log(`\nWebSocket / HTTP, wall time (median of the rounds' ratios): ours ${ratio('ours-ws', 'ours-http').toFixed(2)}×, official SDK ${ratio('official-ws', 'official-http').toFixed(2)}×`);
