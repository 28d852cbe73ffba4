// `npm run bench`: throughput of the floor, the official SDK and ours on the same long run,
// each measurement in its own process, rounds alternating; the official SDK and ours side by
// side with an `event` listener attached, on that run and on a run of 100,000 tool-call
// fragments; then peak heap on a 1,000,000-delta stream. Prints a table and writes it into
// docs/performance.md between the bench markers.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { buildBenchRun, type BenchRun } from './fixture.ts';
import { buildBenchResponse } from './responsesFixture.ts';
import { measurePolling } from './poll-cpu.ts';
import { serveSSE } from './server.ts';
import { buildWorkers } from './buildWorkers.ts';
import { describeOtelRatio, measureOtelRatio } from './otel-ratio.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const TEXT_DELTAS = 100_000;
const CONTENDERS = ['floor', 'official', 'ours', 'inspected'] as const;
type Name = (typeof CONTENDERS)[number];

await buildWorkers({ worker: 'bench/worker.ts', 'heap-worker': 'bench/heap-worker.ts' });

// Async, so this process's loopback server keeps serving while a worker reads from it.
const runWorker = async (args: string[]) => {
  const { stdout } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
};

const run = buildBenchRun({ textDeltas: TEXT_DELTAS });
const megabytes = Buffer.byteLength(run.sse) / 1e6;
console.log(`stream: ${run.events.toLocaleString('en')} events, ${megabytes.toFixed(1)} MB of SSE; ${ROUNDS} rounds`);

const server = await serveSSE(run.sse);
const times: Record<Name, number[]> = { floor: [], official: [], ours: [], inspected: [] };
// The process's heap when the stream is done: as it is, and live after a full collection.
const heaps: Record<'official' | 'ours', { raw: number[]; live: number[] }> = { official: { raw: [], live: [] }, ours: { raw: [], live: [] } };
const cpus: Record<'official' | 'ours', number[]> = { official: [], ours: [] };
// The machine's load after each round: ratios taken side by side in one round are what to read.
const loads: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no contender always runs first (or last) in a round.
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!);
    for (const name of order) {
      const result = (await runWorker(['--expose-gc', 'bench/.build/worker.mjs', name, server.baseURL])) as { ms: number; cpuMs: number; chars: number; heapMB: number; liveHeapMB: number };
      if (result.chars !== run.text.length) throw new Error(`${name} saw ${result.chars} characters, expected ${run.text.length}`);
      times[name].push(result.ms);
      if (name === 'official' || name === 'ours') {
        heaps[name].raw.push(result.heapMB);
        heaps[name].live.push(result.liveHeapMB);
        cpus[name].push(result.cpuMs);
      }
      console.log(`  round ${round + 1}: ${name} ${result.ms.toFixed(0)} ms`);
    }
    loads.push(loadavg()[0]!);
  }
} finally {
  await server.close();
}

// Listeners as users attach them: an `event` listener that reads each event's name beside the
// textDelta one, the official SDK and ours side by side in each round (order alternating), on
// the text run and on a run whose bulk is tool-call fragments (100,000 code_interpreter input
// deltas, then 10 text deltas).
const PAIR = ['official-with-events', 'ours-with-events'] as const;
type PairName = (typeof PAIR)[number];
const TOOL_DELTAS = 100_000;
interface PairResults {
  ms: number[];
  cpuMs: number[];
  heapMB: number[];
}
async function sideBySide(bench: BenchRun, label: string): Promise<Record<PairName, PairResults>> {
  const pairServer = await serveSSE(bench.sse);
  const results: Record<PairName, PairResults> = { 'official-with-events': { ms: [], cpuMs: [], heapMB: [] }, 'ours-with-events': { ms: [], cpuMs: [], heapMB: [] } };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? PAIR : ([...PAIR].reverse() as PairName[]);
      for (const name of order) {
        const result = (await runWorker(['bench/.build/worker.mjs', name, pairServer.baseURL])) as { ms: number; cpuMs: number; chars: number; heapMB: number };
        if (result.chars !== bench.text.length) throw new Error(`${name} saw ${result.chars} characters, expected ${bench.text.length}`);
        results[name].ms.push(result.ms);
        results[name].cpuMs.push(result.cpuMs);
        results[name].heapMB.push(result.heapMB);
        console.log(`  round ${round + 1}, ${label}: ${name} ${result.ms.toFixed(0)} ms, heap ${result.heapMB.toFixed(1)} MB`);
      }
      loads.push(loadavg()[0]!);
    }
  } finally {
    await pairServer.close();
  }
  return results;
}
const withEvents = await sideBySide(run, 'text with an event listener');
const toolRun = buildBenchRun({ textDeltas: 10, codeDeltas: TOOL_DELTAS });
const toolCalls = await sideBySide(toolRun, 'tool calls');

// The same answer as a Responses stream: ours (adapter + statecharts) vs the official ResponseStream.
const responseRun = buildBenchResponse({ textDeltas: TEXT_DELTAS });
const responsesServer = await serveSSE(responseRun.sse);
const RESPONSES_CONTENDERS = ['official-responses', 'ours-responses'] as const;
const responseTimes: Record<(typeof RESPONSES_CONTENDERS)[number], number[]> = { 'official-responses': [], 'ours-responses': [] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? RESPONSES_CONTENDERS : ([...RESPONSES_CONTENDERS].reverse() as typeof RESPONSES_CONTENDERS[number][]);
    for (const name of order) {
      const result = (await runWorker(['bench/.build/worker.mjs', name, responsesServer.baseURL])) as { ms: number; chars: number };
      if (result.chars !== responseRun.text.length) throw new Error(`${name} saw ${result.chars} characters, expected ${responseRun.text.length}`);
      responseTimes[name].push(result.ms);
    }
  }
} finally {
  await responsesServer.close();
}

console.log('the OTel bridge: the same stream detached and traced, side by side');
const otelRatio = await measureOtelRatio(ROUNDS, console.log);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const range = (values: number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
function sideBySideRow(label: string, { official, ours }: Record<'official' | 'ours', PairResults>): string {
  // The ratio of each round (both ran back to back, under the same load), then the median; CPU
  // time moves less than wall time when other processes share the machine.
  const ratios = official.ms.map((ms, round) => ms / ours.ms[round]!);
  const cpuRatios = official.cpuMs.map((ms, round) => ms / ours.cpuMs[round]!);
  return `| ${label} | ${median(official.ms).toFixed(0)} ms | ${median(ours.ms).toFixed(0)} ms | ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${median(cpuRatios).toFixed(2)}× | ${median(official.heapMB).toFixed(1)} MB (${range(official.heapMB)}) | ${median(ours.heapMB).toFixed(1)} MB (${range(ours.heapMB)}) |`;
}
const rows = CONTENDERS.map((name) => {
  const ms = median(times[name]);
  return { name, ms, usPerEvent: (ms * 1000) / run.events, eventsPerSecond: run.events / (ms / 1000) };
});
const official = rows.find((row) => row.name === 'official')!;
const ours = rows.find((row) => row.name === 'ours')!;
// Detached over inspected within each round (the two ran back to back), then the median.
const inspectedRatios = times.ours.map((ms, round) => ms / times.inspected[round]!);

const heap = (await runWorker(['--expose-gc', 'bench/.build/heap-worker.mjs', '1000000'])) as {
  deltas: number;
  textMB: number;
  peakLiveMB: number;
  peakRawMB: number;
  baselineMB: number;
};
const heapGoal = 3 * heap.textMB + 20;

console.log('polling: 1,000 concurrent polls, plain fetch loop vs the client in a loop vs the least statechart vs the official SDK vs ours');
const polling = await measurePolling();
// Ours against the official SDK's runs.poll, round by round (both ran in the same round).
const pollRatios = polling.ours.map((ours, i) => ours / polling.official[i]!);
const pollRatio = median(pollRatios);

const LABELS: Record<Name, string> = {
  floor: 'floor (fetch + eventsource-parser + JSON.parse)',
  official: 'official SDK `runs.stream` (openai 7.57)',
  ours: 'assistant-machines `AssistantStream.fromSSE`',
  inspected: 'the same, with `createInspector().inspect` attached and a UI watching',
};
const table = [
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}, ${ROUNDS} rounds, median, one process per measurement): one run of ${run.events.toLocaleString('en')} events (${megabytes.toFixed(1)} MB of SSE: a code_interpreter step, then one message of ${TEXT_DELTAS.toLocaleString('en')} text deltas), a \`textDelta\` listener attached.`,
  '',
  '| contender | median | µs / event | events / s | vs official SDK |',
  '|---|---:|---:|---:|---:|',
  ...rows.map(
    (row) =>
      `| ${LABELS[row.name]} | ${row.ms.toFixed(0)} ms | ${row.usPerEvent.toFixed(2)} | ${Math.round(row.eventsPerSecond).toLocaleString('en')} | ${(official.ms / row.ms).toFixed(2)}× |`,
  ),
  '',
  'Side by side with the official SDK, listeners as users attach them (each round runs both, order alternating; heap as it is when the stream is done, garbage not yet collected included, median and range):',
  '',
  '| stream, listeners | official SDK | ours | ours vs official: throughput (range) | in CPU time | heap at the end: official SDK | ours |',
  '|---|---:|---:|---:|---:|---:|---:|',
  sideBySideRow('text stream, a `textDelta` listener (the run above)', {
    official: { ms: times.official, cpuMs: cpus.official, heapMB: heaps.official.raw },
    ours: { ms: times.ours, cpuMs: cpus.ours, heapMB: heaps.ours.raw },
  }),
  sideBySideRow('text stream with an event listener (`event` + `textDelta`)', { official: withEvents['official-with-events'], ours: withEvents['ours-with-events'] }),
  sideBySideRow(
    `tool-call stream (${TOOL_DELTAS.toLocaleString('en')} code fragments; ${toolRun.events.toLocaleString('en')} events, ${(Buffer.byteLength(toolRun.sse) / 1e6).toFixed(1)} MB), \`event\` + \`textDelta\``,
    { official: toolCalls['official-with-events'], ours: toolCalls['ours-with-events'] },
  ),
  '',
  `With the inspector attached (every event, snapshot and sampled context kept for time travel; a client fetching state, actors and the log's last page on each of its 10-a-second updates): ${median(inspectedRatios).toFixed(2)}× the throughput of the same stream detached (goal ≥ 0.6×; the median of each round's ratio, ${inspectedRatios.map((ratio) => ratio.toFixed(2)).join(', ')}; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}). Detached costs nothing: no observer is installed.`,
  describeOtelRatio(otelRatio),
  `The same answer as a Responses stream (${responseRun.events.toLocaleString('en')} events, ${(Buffer.byteLength(responseRun.sse) / 1e6).toFixed(1)} MB of SSE): the official SDK's \`responses.stream\` with a \`response.output_text.delta\` listener took ${median(responseTimes['official-responses']).toFixed(0)} ms; ours, \`AssistantStream.fromSSE\` through the Responses adapter and the same statecharts with a \`textDelta\` listener, ${median(responseTimes['ours-responses']).toFixed(0)} ms: ${(median(responseTimes['official-responses']) / median(responseTimes['ours-responses'])).toFixed(2)}× the official SDK's throughput.`,
  '',
  `The process's heap when that stream is done (median of ${ROUNDS}): ours ${median(heaps.ours.raw).toFixed(1)} MB as it is (garbage not yet collected included), ${median(heaps.ours.live).toFixed(1)} MB live after a full collection; the official SDK's ${median(heaps.official.raw).toFixed(1)} MB and ${median(heaps.official.live).toFixed(1)} MB (as it is, ours ranged ${Math.min(...heaps.ours.raw).toFixed(0)}–${Math.max(...heaps.ours.raw).toFixed(0)} MB, the official ${Math.min(...heaps.official.raw).toFixed(0)}–${Math.max(...heaps.official.raw).toFixed(0)} MB; what is garbage, and in which of V8's spaces, is in docs/design.md).`,
  '',
  `Polling: ${polling.pollers.toLocaleString('en')} concurrent polls at ${polling.intervalMs} ms, ${polling.pollsPerRun} retrieves each, against one loopback server, each contender in its own process (${polling.ours.length} rounds, order rotating): a plain \`fetch\` loop took ${median(polling.plain).toFixed(0)} ms of CPU, the same loop with the client's \`runs.retrieve\` (headers, timeout, retries) ${median(polling.client).toFixed(0)} ms (${(median(polling.client) / median(polling.plain)).toFixed(2)}×), the least statechart a poll can be (two states, one guard, that retrieve) ${median(polling.bare).toFixed(0)} ms (${(median(polling.bare) / median(polling.plain)).toFixed(2)}×), the official SDK's \`runs.poll\` ${median(polling.official).toFixed(0)} ms (${(median(polling.official) / median(polling.plain)).toFixed(2)}×), ours (\`runs.poll\`, the poll statechart) ${median(polling.ours).toFixed(0)} ms (${(median(polling.ours) / median(polling.plain)).toFixed(2)}× the plain loop, ${(median(polling.ours) / median(polling.client)).toFixed(2)}× the client's loop): ${pollRatio.toFixed(2)}× the official SDK's CPU (per round ${pollRatios.map((ratio) => ratio.toFixed(2)).join(', ')}; goal ≤ 0.9×).`,
  '',
  `Peak heap on a ${heap.deltas.toLocaleString('en')}-delta stream through ours, for ${heap.textMB.toFixed(1)} MB of final text: ${heap.peakLiveMB.toFixed(1)} MB live (after a full collection, sampled every 50,000 deltas; goal ≤ 3 × text + 20 MB = ${heapGoal.toFixed(1)} MB), ${heap.peakRawMB.toFixed(1)} MB in use including garbage not yet collected; both above a ${heap.baselineMB.toFixed(1)} MB baseline.`,
].join('\n');
console.log(`\n${table}\n`);
console.log(`ours vs official: ${(official.ms / ours.ms).toFixed(2)}× throughput (required ≥ 2.5×)`);
for (const [label, pair] of [
  ['text with an event listener', withEvents],
  ['tool calls (event + textDelta)', toolCalls],
] as const) {
  const official = pair['official-with-events'];
  const ours = pair['ours-with-events'];
  console.log(
    `${label}: ours ${median(official.ms.map((ms, round) => ms / ours.ms[round]!)).toFixed(2)}× the official SDK's throughput (${median(official.cpuMs.map((ms, round) => ms / ours.cpuMs[round]!)).toFixed(2)}× in CPU time; goal ≥ 3×), heap at the end ${median(ours.heapMB).toFixed(1)} vs ${median(official.heapMB).toFixed(1)} MB (goal: no larger)`,
  );
}
console.log(`heap at the end, as it is: ours ${median(heaps.ours.raw).toFixed(1)} MB vs official ${median(heaps.official.raw).toFixed(1)} MB; live: ${median(heaps.ours.live).toFixed(1)} vs ${median(heaps.official.live).toFixed(1)} MB`);
console.log(`polling CPU, ours vs the official SDK's runs.poll: ${pollRatio.toFixed(2)}× (goal ≤ 0.9×); vs a plain fetch loop: ${(median(polling.ours) / median(polling.plain)).toFixed(2)}×`);
console.log(`inspected vs detached: ${median(inspectedRatios).toFixed(2)}× throughput (goal ≥ 0.6×)`);
console.log(`OTel bridge on vs detached: ${otelRatio.median.toFixed(2)}× throughput, ${otelRatio.cpuMedian.toFixed(2)}× in CPU (goal ≥ 0.8×)`);
console.log(`Responses, ours vs official ResponseStream: ${(median(responseTimes['official-responses']) / median(responseTimes['ours-responses'])).toFixed(2)}× throughput (goal ≥ 1.5×)`);

const REPORT = 'docs/performance.md';
const report = readFileSync(REPORT, 'utf8');
const start = '<!-- bench:start -->';
const end = '<!-- bench:end -->';
if (report.includes(start) && report.includes(end)) {
  writeFileSync(REPORT, `${report.slice(0, report.indexOf(start) + start.length)}\n${table}\n${report.slice(report.indexOf(end))}`);
  console.log(`${REPORT} updated (the README's headline table is updated by hand from it)`);
}
