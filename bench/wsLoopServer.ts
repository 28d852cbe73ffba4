// The server of `npm run bench:ws`, in a process of its own (so the clients' processes measure
// only themselves): the embedded server at full speed; prints its base URL, runs until stdin ends.
import { createServer } from '../src/server/index.ts';

const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
