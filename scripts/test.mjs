// `npm test`: the type check, the linter and the test files side by side, so a 2-core machine
// keeps both cores busy to the end — then what it left out.
//
// The type check is `tsc -b` over the project's tsconfig with an incremental build-info file
// (both in node_modules/.cache/assistant-machines): when no file changed since the last check it
// answers in half a second without parsing anything, otherwise it re-checks what changed. `tsc
// -b` compares only the project's own files, so a dependency installed since then (npm rewrites
// node_modules/.package-lock.json) starts the check afresh. TypeScript 7's tsc (native) runs it
// with one checker: its default of four each rebuild the shared zod and XState types (three
// times the CPU: 18 s instead of 6 s cold), and the test workers keep both cores busy anyway.
//
// The test files go to a pool of workers (scripts/test-worker.mjs, each loading tsx and the
// modules once), longest first by the durations the last run measured, the next file to
// whichever worker is free: one slow file no longer holds up a fixed half. One worker per core
// (at least two): a third on this 2-core machine finished no sooner (the files mostly compute)
// and, on a loaded machine, made the timing-sensitive tests slower still. Each file prints whole
// when it ends; the type check's and the linter's output come after. TEST_WORKERS=n sets the
// number of workers.
//
// Left out: the packaging test (it builds the package, most of a minute); `npm run
// test:package` runs it, and so does .ci/run. The full property and model-based counts (`npm run
// test:properties`, `npm run test:mbt`). The size-bound tests at full size (`npm run
// test:scale`). The browser tests, inspector and CORS (they need
// Chromium): `npm run test:browser`, which .ci/run runs after installing Chromium if missing. The
// scale-out tests on PostgreSQL: `npm run test:postgres`. The durable runs on Restate's real server:
// `npm run test:restate`.
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pc from 'picocolors';

const node = process.execPath;
const cache = 'node_modules/.cache/assistant-machines';
mkdirSync(cache, { recursive: true });
const started = performance.now();

const typecheck = run(['node_modules/typescript/bin/tsc', '-b', typecheckConfig()], 'pipe');
const lint = run(['node_modules/@biomejs/biome/bin/biome', 'lint', '.'], 'pipe');
const tested = await runTestFiles();

const [checked, linted] = await Promise.all([typecheck, lint]);
process.stdout.write(checked.output);
console.log(`${checked.code === 0 ? 'typecheck: no errors' : `typecheck: failed (exit ${checked.code})`} (done at ${seconds(checked.ms)})`);
if (linted.code !== 0) process.stdout.write(linted.output);
console.log(`${linted.code === 0 ? 'lint: no findings' : `lint: failed (exit ${linted.code})`} (done at ${seconds(linted.ms)})`);
console.log('skipped: the packaging test (tests/package.test.ts): run `npm run test:package`');
console.log('skipped: the full property counts and every model-based path (the default takes samples): run `npm run test:properties` (.ci/run does) and `npm run test:mbt`');
console.log('skipped: the size-bound tests at full size (50 threads migrated, a 60 MiB fragment; the default takes 10 and 16 MiB): run `npm run test:scale` (.ci/run does)');
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => path && existsSync(path));
console.log(
  chromium === undefined
    ? 'skipped: the browser tests (tests/*.browser.ts): no Chromium on this machine (apt-get install -y chromium, then `npm run test:browser`; .ci/run does both)'
    : `skipped: the browser tests (tests/*.browser.ts): run \`npm run test:browser\` (Chromium at ${chromium})`,
);
console.log(
  "skipped: the PostgreSQL scale-out tests (tests/*.postgres.ts): run `npm run test:postgres` (needs Debian's postgresql; .ci/run installs it)",
);
console.log('skipped: the whole conformance matrix at the default pace, with and without faults (tests/*.conformance.ts): run `npm run test:conformance` (.ci/run does)');
console.log(
  'skipped: the Restate suite (tests/*.restate.ts: the real restate-server, a 225 MB binary installed on first use into node_modules/.cache): run `npm run test:restate` (.ci/run does)',
);
console.log(`npm test: ${seconds(performance.now() - started)} wall`);
process.exitCode = checked.code === 0 && linted.code === 0 && tested ? 0 : 1;

/**
 * Runs every tests/*.test.ts but the packaging test on a pool of workers, longest file first by
 * the last run's durations (files never measured first: they may be long), and prints each
 * file as it ends, then the totals. Resolves true when every test passed.
 */
async function runTestFiles() {
  const timesFile = `${cache}/test-durations.json`;
  // A fresh clone has measured nothing: it starts from the durations kept in the repository
  // (scripts/test-durations.json, from one run on the 2-core machine), or it would take the
  // files in name order and could end on a long one alone.
  const lastTimes = { ...readTimes('scripts/test-durations.json'), ...readTimes(timesFile) };
  const files = readdirSync('tests')
    .filter((file) => file.endsWith('.test.ts') && file !== 'package.test.ts')
    .sort((a, b) => (lastTimes[b] ?? Number.POSITIVE_INFINITY) - (lastTimes[a] ?? Number.POSITIVE_INFINITY) || a.localeCompare(b));
  const workerCount = Math.min(files.length, Number(process.env.TEST_WORKERS) || Math.max(2, availableParallelism()));
  const results = [];
  const queue = [...files];

  const workersDone = await Promise.all(Array.from({ length: workerCount }, () => work().then(() => performance.now() - started)));

  /** One worker's life: takes files from the queue until it is empty; a crashed worker is replaced. */
  async function work() {
    while (queue.length > 0) {
      const worker = fork('scripts/test-worker.mjs', [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let running;
      const ended = await new Promise((resolve) => {
        worker.on('message', (message) => {
          if (message.file !== undefined) {
            running = undefined;
            report(message);
          }
          const file = queue.shift();
          if (file === undefined) return worker.disconnect();
          running = file;
          worker.send({ file, path: `tests/${file}` });
        });
        worker.once('exit', (code, signal) => resolve({ code, signal }));
      });
      if (running !== undefined) {
        report({
          file: running,
          output: `\n  the worker running it ended (exit ${ended.code ?? ended.signal}) before the file did: a test never settled, or the process exited\n`,
          total: 0,
          passed: 0,
          skipped: 0,
          failed: true,
          ms: 0,
        });
      }
    }
  }

  function report(result) {
    results.push(result);
    process.stdout.write(`${pc.bold(pc.underline(pc.white(result.file)))}\n${result.output}\n`);
  }

  const total = results.reduce((sum, result) => sum + result.total, 0);
  const passed = results.reduce((sum, result) => sum + result.passed, 0);
  const skipped = results.reduce((sum, result) => sum + result.skipped, 0);
  const failed = results.filter((result) => result.failed).map((result) => result.file);
  const ok = failed.length === 0 && passed === total && results.length === files.length;
  const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 3);
  console.log(`  Total:     ${total}`);
  console.log((ok ? pc.green : pc.red)(`  Passed:    ${passed}`));
  console.log(`  Skipped:   ${skipped}`);
  console.log(
    `  Files:     ${results.length} on ${workerCount} workers, in ${seconds(performance.now() - started)} (workers done at ${workersDone.map(seconds).join(', ')}; slowest: ${slowest.map((result) => `${result.file} ${seconds(result.ms)}`).join(', ')})`,
  );
  if (failed.length > 0) console.log(pc.red(`  Failed:    ${failed.join(', ')}`));
  console.log();
  writeFileSync(
    timesFile,
    `${JSON.stringify({ ...lastTimes, ...Object.fromEntries(results.filter((result) => result.ms > 0).map((result) => [result.file, Math.round(result.ms)])) }, null, 1)}\n`,
  );
  return ok;
}

/** Writes (when it differs) the type check's config, and starts afresh when dependencies changed since the last check. */
function typecheckConfig() {
  const config = `${cache}/tsconfig.json`;
  const buildInfo = `${cache}/typecheck-build.tsbuildinfo`;
  // (typecheck.tsbuildinfo, from `tsc --incremental` before, would keep `tsc -b` from ever finding the project up to date)
  rmSync(`${cache}/typecheck.tsbuildinfo`, { force: true });
  const text = `${JSON.stringify({ extends: '../../../tsconfig.json', compilerOptions: { incremental: true, checkers: 1, tsBuildInfoFile: './typecheck-build.tsbuildinfo' } }, null, 2)}\n`;
  if (!existsSync(config) || readFileSync(config, 'utf8') !== text) writeFileSync(config, text);
  const installed = 'node_modules/.package-lock.json';
  if (existsSync(buildInfo) && existsSync(installed) && statSync(installed).mtimeMs > statSync(buildInfo).mtimeMs) rmSync(buildInfo);
  return config;
}

function readTimes(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Runs node with `args`; resolves with its exit code, when piped its output, and when it ended (ms since npm test started). */
function run(args, stdio) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { stdio: ['ignore', stdio, stdio] });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (text) => (output += text));
    child.stderr?.setEncoding('utf8').on('data', (text) => (output += text));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output, ms: performance.now() - started }));
  });
}
