// One measurement of the OTel ratio in a fresh process: `node bench/.build/otel-worker.mjs <ours|otel> <baseURL>`.
// Prints one JSON line: the contender, the wall and CPU time of the whole stream, the characters seen.
import { OTEL_CONTENDERS } from './otelContenders.ts';

const [name, baseURL] = process.argv.slice(2) as [keyof typeof OTEL_CONTENDERS, string];
const started = performance.now();
const cpuBefore = process.cpuUsage();
const chars = await OTEL_CONTENDERS[name](baseURL);
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({ name, ms, cpuMs: (cpu.user + cpu.system) / 1000, chars })}\n`);
