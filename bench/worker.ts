// One measurement in a fresh process: `node --import tsx bench/worker.ts <contender> <baseURL>`.
// Prints one JSON line: the contender, the wall time of the whole stream, the characters seen.
import { CONTENDERS } from './contenders.ts';

const [name, baseURL] = process.argv.slice(2) as [keyof typeof CONTENDERS, string];
const started = performance.now();
const chars = await CONTENDERS[name](baseURL);
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ name, ms, chars })}\n`);
