// `npm test`: the type check, the linter and the test suites side by side, so a 2-core machine
// keeps both cores busy — then what it left out. The type check is incremental (its state
// lives in node_modules/.cache), so a second run re-checks only what changed. Its output is
// held back and printed after the suites', so the two never interleave.
//
// Left out: the packaging test (it builds the package, most of a minute); `npm run
// test:package` runs it, and so does .ci/run. And the browser tests, inspector and CORS (they need
// Chromium): `npm run test:browser`, which .ci/run runs after installing Chromium if missing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const node = process.execPath;
const typecheck = run(
  [
    'node_modules/typescript/bin/tsc',
    '--noEmit',
    '-p',
    'tsconfig.json',
    '--incremental',
    '--tsBuildInfoFile',
    'node_modules/.cache/assistant-machines/typecheck.tsbuildinfo',
  ],
  'pipe',
);
const lint = run(['node_modules/@biomejs/biome/bin/biome', 'lint', '.'], 'pipe');
// The suites in two halves, by file name, so both cores work on them too: the first half
// prints as it goes, the second when it is done.
const suite = (pattern, stdio) => run(['--import', 'tsx', 'node_modules/uvu/bin.js', 'tests', pattern, '--ignore', '^package\\.test\\.ts$'], stdio);
const firstHalf = suite('^[a-p][^/]*\\.test\\.ts$', 'inherit');
const secondHalf = suite('^[q-z][^/]*\\.test\\.ts$', 'pipe');

const [checked, linted, first, second] = await Promise.all([typecheck, lint, firstHalf, secondHalf]);
process.stdout.write(second.output);
const tested = { code: first.code === 0 && second.code === 0 ? 0 : 1 };
process.stdout.write(checked.output);
console.log(checked.code === 0 ? 'typecheck: no errors' : `typecheck: failed (exit ${checked.code})`);
if (linted.code !== 0) process.stdout.write(linted.output);
console.log(linted.code === 0 ? 'lint: no findings' : `lint: failed (exit ${linted.code})`);
console.log('skipped: the packaging test (tests/package.test.ts): run `npm run test:package`');
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => path && existsSync(path));
console.log(
  chromium === undefined
    ? 'skipped: the browser tests (tests/*.browser.ts): no Chromium on this machine (apt-get install -y chromium, then `npm run test:browser`; .ci/run does both)'
    : `skipped: the browser tests (tests/*.browser.ts): run \`npm run test:browser\` (Chromium at ${chromium})`,
);
console.log('skipped: the PostgreSQL scale-out tests (tests/*.postgres.ts): run `npm run test:postgres` (needs Debian\'s postgresql; .ci/run installs it)');
process.exitCode = checked.code === 0 && linted.code === 0 && tested.code === 0 ? 0 : 1;

/** Runs node with `args`; resolves with its exit code and, when piped, its output. */
function run(args, stdio) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { stdio: ['ignore', stdio, stdio] });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (text) => (output += text));
    child.stderr?.setEncoding('utf8').on('data', (text) => (output += text));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
