// `npm run bench:inspector -- [rounds]`: the inspector's cost alone, side by side.
// The 100,000-delta stream of `npm run bench`, detached (`ours`) and with the inspector attached
// and a UI client watching (`inspected`), each measurement in its own process, the order
// alternating every round; prints each round's ratio, the median of the ratios and the load.
// With INSPECTOR_PROFILE=dir, every inspected worker runs under `node --cpu-prof` into dir.
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { buildBenchRun } from './fixture.ts';
import { serveSSE } from './server.ts';

const ROUNDS = Math.max(1, Number(process.argv[2] ?? process.env["BENCH_ROUNDS"] ?? 7));
const PROFILE_DIR = process.env['INSPECTOR_PROFILE'];

await build({
  entryPoints: { worker: 'bench/worker.ts' },
  outdir: 'bench/.build',
  bundle: true,
  platform: 'node',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});

type Result = { ms: number; cpuMs: number; chars: number };
const runWorker = async (name: 'ours' | 'inspected', baseURL: string): Promise<Result> => {
  const profile = PROFILE_DIR !== undefined && name === 'inspected' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const { stdout } = await promisify(execFile)(process.execPath, [...profile, 'bench/.build/worker.mjs', name, baseURL], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Result;
};

const run = buildBenchRun({ textDeltas: 100_000 });
const server = await serveSSE(run.sse);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ours: Result[] = [];
const inspected: Result[] = [];
const loads: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['ours', 'inspected'] as const) : (['inspected', 'ours'] as const);
    const results: Partial<Record<'ours' | 'inspected', Result>> = {};
    for (const name of order) {
      const result = await runWorker(name, server.baseURL);
      if (result.chars !== run.text.length) throw new Error(`${name} saw ${result.chars} characters, expected ${run.text.length}`);
      results[name] = result;
    }
    ours.push(results.ours!);
    inspected.push(results.inspected!);
    loads.push(loadavg()[0]!);
    console.log(
      `round ${round + 1}: ours ${results.ours!.ms.toFixed(0)} ms (cpu ${results.ours!.cpuMs.toFixed(0)}), inspected ${results.inspected!.ms.toFixed(0)} ms (cpu ${results.inspected!.cpuMs.toFixed(0)}): ${(results.ours!.ms / results.inspected!.ms).toFixed(2)}×, load ${loads.at(-1)!.toFixed(1)}`,
    );
  }
} finally {
  await server.close();
}
const ratios = ours.map((result, index) => result.ms / inspected[index]!.ms);
const cpuRatios = ours.map((result, index) => result.cpuMs / inspected[index]!.cpuMs);
console.log(
  `median: ours ${median(ours.map((r) => r.ms)).toFixed(0)} ms, inspected ${median(inspected.map((r) => r.ms)).toFixed(0)} ms; ratio of medians ${(median(ours.map((r) => r.ms)) / median(inspected.map((r) => r.ms))).toFixed(2)}×, median of round ratios ${median(ratios).toFixed(2)}× (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}); CPU ${median(cpuRatios).toFixed(2)}×; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
);
