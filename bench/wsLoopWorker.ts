// One contender of `npm run bench:ws` in its own process: a warm-up rollout, then the measured
// one; prints { ms, cpuMs, responses } as JSON.
import { runToolLoop, type ToolLoopContender } from './toolLoop.ts';

const [contender, baseURL, calls] = process.argv.slice(2) as [ToolLoopContender, string, string];
await runToolLoop(contender, baseURL, Number(calls));
const cpu = process.cpuUsage();
const { ms, responses } = await runToolLoop(contender, baseURL, Number(calls));
const used = process.cpuUsage(cpu);
process.stdout.write(`${JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, responses })}\n`);
process.exit(0);
