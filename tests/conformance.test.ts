// The conformance suite: every check passes against the embedded server, and each rule a
// server can break, broken by a mutating proxy in front of it, fails the check that names it.
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli/main.ts';
import { CONFORMANCE_CHECKS, formatConformanceReport, runConformance, type ConformanceReport } from '../src/testing/index.ts';
import { captureIO } from './helpers/cli.ts';
import { startMutatingProxy, type Mutation } from './helpers/mutatingProxy.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
test.before(async () => {
  // A small pace, so a run is still going when the cancel check cancels it.
  server = await startTestServer({ pace: { deltaDelayMs: 1, stepDelayMs: 1 } });
});
test.after(() => server.close());

const ASSISTANTS = CONFORMANCE_CHECKS.filter((check) => check.protocol === 'assistants' && check.faults !== true);

test('every Assistants check passes against the embedded server, and the table ends with P/T', async () => {
  const report = await runConformance({ baseURL: server.server.url, apiKey: 'k', timeoutMs: 20_000, protocol: 'assistants' });
  const failed = report.checks.filter((check) => check.outcome !== 'passed');
  assert.equal(failed, [], formatConformanceReport(report));
  assert.ok(ASSISTANTS.length >= 16);
  assert.is(report.total, ASSISTANTS.length);
  assert.is(report.passed, report.total);
  // The one warning allowed: the API's 10-minute expiry is not waited for (conformance-expiry.test.ts waits for a short one).
  const warnings = report.checks.flatMap((check) => check.warnings);
  assert.is(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^the expiry \(in (599|600) s\) is beyond this check's time: not waited for$/);
  const table = formatConformanceReport(report);
  assert.is(table.trimEnd().split('\n').at(-1), `conformance: ${ASSISTANTS.length}/${ASSISTANTS.length} checks passed`);
  assert.match(table, new RegExp(`^assistants: ${ASSISTANTS.length}/${ASSISTANTS.length} passed$`, 'm'));
  assert.equal(server.internalErrors, []);
});

const BROKEN: { mutation: Mutation; check: string; detail: RegExp }[] = [
  { mutation: 'event-order', check: 'streaming-order', detail: /event stream is invalid: no message with this id was created.*thread\.message\.delta/ },
  { mutation: 'error-envelope', check: 'error-unknown-id', detail: /error body is not \{error/ },
  { mutation: 'error-envelope', check: 'error-invalid-request', detail: /error body is not \{error/ },
  { mutation: 'no-has-more', check: 'pagination', detail: /has_more is missing/ },
  { mutation: 'unknown-thread-200', check: 'error-unknown-id', detail: /answered 200, not 404/ },
  { mutation: 'never-ends', check: 'polling', detail: /never reached a final status \(statuses seen: in_progress\)/ },
];

for (const { mutation, check, detail } of BROKEN) {
  test(`a server that breaks "${mutation}" fails ${check}, saying why`, async () => {
    const proxy = await startMutatingProxy(server.server.url, mutation);
    try {
      const report = await runConformance({ baseURL: proxy.url, timeoutMs: mutation === 'never-ends' ? 1_500 : 20_000, only: [check] });
      const [result] = report.checks;
      assert.is(result?.outcome, 'failed', formatConformanceReport(report));
      assert.match(result!.reason ?? '', detail);
      assert.is(report.ok, false);
      assert.match(formatConformanceReport(report), new RegExp(`^${check} +assistants +failed +\\d+ +`, 'm'));
      assert.match(formatConformanceReport(report), /conformance: 0\/1 checks passed\n$/);
    } finally {
      await proxy.close();
    }
  });
}

test('the proxy alone changes nothing: the same checks pass through it', async () => {
  const proxy = await startMutatingProxy(server.server.url, 'none');
  try {
    const report = await runConformance({ baseURL: proxy.url, only: ['streaming-order', 'error-unknown-id', 'pagination', 'polling'] });
    assert.is(report.passed, 4, formatConformanceReport(report));
  } finally {
    await proxy.close();
  }
});

test('Azure-style servers: the key in another header, an api-version on every request', async () => {
  const seen: { url: string; key: string | null; authorization: string | null }[] = [];
  const report = await runConformance({
    baseURL: server.server.url,
    apiKey: 'azure-key',
    apiKeyHeader: 'api-key',
    query: { 'api-version': '2024-05-01-preview' },
    only: ['pagination'],
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      seen.push({ url: String(input), key: headers.get('api-key'), authorization: headers.get('authorization') });
      return fetch(input, init);
    },
  });
  assert.is(report.ok, true, formatConformanceReport(report));
  assert.ok(seen.length > 3);
  for (const request of seen) {
    assert.is(new URL(request.url).searchParams.get('api-version'), '2024-05-01-preview', request.url);
    assert.is(request.key, 'azure-key');
    assert.is(request.authorization, null);
  }
  assert.ok(seen.some((request) => new URL(request.url).searchParams.get('after') !== null), 'the after cursor survives the extra query');
});

test('a capability the server refuses is "not offered", not failed', async () => {
  const proxy = await startMutatingProxy(server.server.url, 'none');
  // A server without code interpreter: creating an assistant with it is a 400.
  const report = await runConformance({
    baseURL: proxy.url,
    only: ['code-interpreter', 'pagination'],
    fetch: async (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('"code_interpreter"')) {
        return new Response(JSON.stringify({ error: { message: 'Invalid tool type', type: 'invalid_request_error', param: 'tools[0].type', code: null } }), { status: 400 });
      }
      return fetch(input, init);
    },
  }).finally(() => proxy.close());
  assert.equal(
    report.checks.map((check) => [check.id, check.outcome]),
    [
      ['pagination', 'passed'],
      ['code-interpreter', 'not offered'],
    ],
  );
  assert.is(report.ok, true);
  assert.match(formatConformanceReport(report), /conformance: 1\/1 checks passed/);
});

test('assistant-machines conformance: the table, the JSON report, exit 0 only when all passed', async () => {
  const file = join(tmpdir(), `conformance-${process.pid}.json`);
  try {
    const io = captureIO();
    const only = 'pagination,error-unknown-id,streaming-order';
    const code = await runCli(['conformance', '--base-url', server.server.url, '--protocol', 'assistants', '--json', file, '--timeout-ms', '20000', '--only', only], io);
    assert.is(code, 0, io.out() + io.err());
    assert.match(io.out(), /conformance: 3\/3 checks passed\n$/);
    const report = JSON.parse(await readFile(file, 'utf8')) as ConformanceReport;
    assert.is(report.ok, true);
    assert.equal(report.checks.map((check) => check.id), ['error-unknown-id', 'pagination', 'streaming-order']);

    const proxy = await startMutatingProxy(server.server.url, 'no-has-more');
    const broken = captureIO();
    const failedCode = await runCli(['conformance', '--base-url', proxy.url, '--only', only], broken).finally(() => proxy.close());
    assert.is(failedCode, 1);
    assert.match(broken.out(), /^pagination +assistants +failed +\d+ +has_more is missing/m);
    assert.match(broken.out(), /conformance: 2\/3 checks passed\n$/);
  } finally {
    await rm(file, { force: true });
  }
});

test('assistant-machines conformance without --base-url is a usage error', async () => {
  const io = captureIO();
  assert.is(await runCli(['conformance'], io), 2);
  assert.match(io.err(), /missing --base-url/);
  assert.is(await runCli(['conformance', '--base-url', 'ftp://x'], io), 2);
  assert.is(await runCli(['conformance', '--base-url', 'http://127.0.0.1:9/v1', '--timeout-ms', 'soon'], io), 2);
  assert.is(await runCli(['conformance', '--base-url', 'http://127.0.0.1:9/v1', '--only', 'everything'], io), 2);
  assert.match(io.err(), /unknown check everything/);
});

test.run();
