// One measurement in a fresh process: `node --import tsx bench/worker.ts <contender> <baseURL>`.
// Prints one JSON line: the contender, the wall time and CPU time of the whole stream, the characters seen,
// and the process's heap when the stream is done: as it is (garbage not yet collected
// included), and live after a full collection when node runs with --expose-gc.
import { CONTENDERS, type ContenderName } from './contenders.ts';

const [name, baseURL] = process.argv.slice(2) as [ContenderName, string];
const started = performance.now();
const cpuBefore = process.cpuUsage();
const chars = await CONTENDERS[name](baseURL);
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
const MB = 1024 * 1024;
const heapMB = process.memoryUsage().heapUsed / MB;
globalThis.gc?.();
const liveHeapMB = globalThis.gc === undefined ? undefined : process.memoryUsage().heapUsed / MB;
process.stdout.write(`${JSON.stringify({ name, ms, cpuMs, chars, heapMB, liveHeapMB })}\n`);
