// One worker of `npm test` (scripts/test.mjs), started with `node --import tsx`: it pays tsx's
// and the modules' start-up once, then runs the test files its parent sends, one at a time,
// each to its end, and answers with what the file printed and its counts. The parent hands out
// the files as workers free up, so a slow file never leaves a core idle behind a fixed split.
//
// It does what `uvu/run` does for one file: with UVU_DEFER set, a file's `test.run()` queues its
// suite in UVU_QUEUE instead of running it, and the queued runners resolve with
// [errors or true, passed, skipped, total] (uvu 0.5's contract between its CLI and its core).
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';

process.env.FORCE_COLOR = '1'; // as uvu's CLI does: the parent prints to a terminal
globalThis.UVU_DEFER = 1;
await import('uvu');
// Nearly every file imports these: loaded before the first file, so a file's time is its own
// (the parent orders files by it) — as uvu's CLI imports every file before running any.
await import('../src/index.ts');
await import('../src/server/index.ts');
await import('../src/testing/index.ts');

let current; // the file running: its name and what it printed so far
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, encoding, callback) => {
    if (current === undefined) return write(chunk, encoding, callback);
    current.output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    (typeof encoding === 'function' ? encoding : callback)?.();
    return true;
  };
}

process.on('message', async ({ file, path }) => {
  current = { file, output: '' };
  const counts = { total: 0, passed: 0, skipped: 0, failed: false };
  const started = performance.now();
  const cpu = process.cpuUsage();
  // While a file runs, the channel to the parent does not keep the process alive: a test that
  // never settles empties the event loop and ends the worker, and the parent says which file
  // (uvu's CLI exits early the same way).
  process.channel?.unref();
  try {
    globalThis.UVU_QUEUE.length = 0;
    globalThis.UVU_INDEX = 0;
    globalThis.UVU_QUEUE.push([file]);
    await import(pathToFileURL(path).href);
    for (const group of globalThis.UVU_QUEUE) {
      group.shift();
      for (const runSuite of group) {
        const [errors, passed, skipped, total] = await runSuite();
        counts.total += total;
        counts.passed += passed;
        counts.skipped += skipped;
        if (errors !== true) {
          counts.failed = true;
          current.output += `\n${errors}\n`;
        }
      }
    }
  } catch (error) {
    counts.failed = true;
    current.output += `\n  the file failed to load or run: ${inspect(error)}\n`;
  }
  process.channel?.ref();
  const used = process.cpuUsage(cpu);
  const { output } = current;
  current = undefined;
  process.send({ file, output, ...counts, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 });
});
process.send({ ready: true });
