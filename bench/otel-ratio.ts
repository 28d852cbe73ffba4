// The OTel bridge's cost: the 100,000-delta stream of `npm run bench`, detached (`ours`) and
// traced (`otel`: the real SDK recording every span and aggregating every GenAI metric, exporters
// that drop it all), each measurement in its own process, the order alternating every round.
// `npm run bench` reports it beside the inspector's ratio; `npm run bench:otel -- [rounds]` alone.
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { buildWorkers } from './buildWorkers.ts';
import { buildBenchRun } from './fixture.ts';
import { serveSSE } from './server.ts';

/** Each round's detached-over-traced throughput ratio, their median, and the load they ran under. */
export interface OtelRatio {
  ratios: number[];
  median: number;
  /** The same in CPU time (the worker's whole process), which the machine's load disturbs less. */
  cpuRatios: number[];
  cpuMedian: number;
  ours: number[];
  otel: number[];
  loads: number[];
}

type Result = { ms: number; cpuMs: number; chars: number };

/**
 * Measures the traced stream against the detached one, `rounds` times side by side.
 *
 * @example `const { median } = await measureOtelRatio(7); // ≥ 0.8 is the goal`
 */
export async function measureOtelRatio(rounds: number, log: (line: string) => void = () => {}): Promise<OtelRatio> {
  await buildWorkers({ 'otel-worker': 'bench/otel-worker.ts' });
  const run = buildBenchRun({ textDeltas: 100_000 });
  const server = await serveSSE(run.sse);
  const runWorker = async (name: 'ours' | 'otel'): Promise<Result> => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bench/.build/otel-worker.mjs', name, server.baseURL], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Result;
    if (result.chars !== run.text.length) throw new Error(`${name} saw ${result.chars} characters, expected ${run.text.length}`);
    return result;
  };
  const ours: number[] = [];
  const otel: number[] = [];
  const cpuRatios: number[] = [];
  const loads: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['ours', 'otel'] as const) : (['otel', 'ours'] as const);
      const results: Partial<Record<'ours' | 'otel', Result>> = {};
      for (const name of order) results[name] = await runWorker(name);
      ours.push(results.ours!.ms);
      otel.push(results.otel!.ms);
      cpuRatios.push(results.ours!.cpuMs / results.otel!.cpuMs);
      loads.push(loadavg()[0]!);
      log(
        `  round ${round + 1}: ours ${results.ours!.ms.toFixed(0)} ms (cpu ${results.ours!.cpuMs.toFixed(0)}), otel ${results.otel!.ms.toFixed(0)} ms (cpu ${results.otel!.cpuMs.toFixed(0)}): ${(results.ours!.ms / results.otel!.ms).toFixed(2)}×, load ${loads.at(-1)!.toFixed(1)}`,
      );
    }
  } finally {
    await server.close();
  }
  const ratios = ours.map((ms, round) => ms / otel[round]!);
  const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { ratios, median: medianOf(ratios), cpuRatios, cpuMedian: medianOf(cpuRatios), ours, otel, loads };
}

/** The bench table's line for it. */
export function describeOtelRatio({ ratios, median, cpuMedian, loads }: OtelRatio): string {
  return `With the OTel bridge on (\`assistant-machines/otel\`: the real SDK recording the run's spans and aggregating the GenAI metrics, every output chunk timed, exporters that drop it all): ${median.toFixed(2)}× the throughput of the same stream detached (goal ≥ 0.8×; the median of each round's ratio, ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')}; in CPU time ${cpuMedian.toFixed(2)}×; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}).`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Math.max(1, Number(process.argv[2] ?? process.env['BENCH_ROUNDS'] ?? 7));
  const result = await measureOtelRatio(rounds, console.log);
  console.log(describeOtelRatio(result));
}
