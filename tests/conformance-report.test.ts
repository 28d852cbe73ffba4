// The conformance suite's reports and command line: the protocols probed, --protocol, the JSON
// records, the JUnit XML, exit codes; the transitions each check names come from the charts.
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli/main.ts';
import { startRelay } from '../src/testing/conformance/faults/relay.ts';
import { chartTransitionNames, conformanceJUnit, type ConformanceReport, formatConformanceReport, runConformance, transitionName } from '../src/testing/index.ts';
import { runMachine } from '../machines/run.ts';
import { captureIO } from './helpers/cli.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
test.before(async () => {
  // A run's expires_at is its creation second plus this: with 1 it could come a millisecond after
  // the run was made, before a loaded machine saw it reach requires_action (CI did, once on Node
  // 24). With 2 the run lives a second at least.
  server = await startTestServer({ pace: { deltaDelayMs: 1, stepDelayMs: 1 }, runExpirySeconds: 2 });
});
test.after(() => server.close());

test('transition names come from the charts: source, target, event and guard', () => {
  const names = chartTransitionNames();
  const fromInProgress = runMachine.root.states['in_progress']!.transitions.get('thread.run.completed')![0]!;
  assert.is(transitionName(fromInProgress), 'run.in_progress → run.completed on thread.run.completed');
  assert.ok(names.has('run.queued → run.completed on thread.run.completed [tolerant]'));
  assert.ok(names.has('poll.polling.fetching → poll.done on retrieved [hasFinalStatus]'));
  assert.ok(names.has('message.in_progress on thread.message.in_progress'));
});

test('the probe: a server without the Responses API has its checks skipped; forced, they are "not offered" and nothing passes', async () => {
  // The embedded server with /responses hidden: 404 for every path under it.
  const relay = await startRelay(server.server.url, {
    request: (request) => (request.path.startsWith('/responses') ? { ...request, path: `/no-such-route${request.path}` } : request),
  });
  try {
    const probed = await runConformance({ baseURL: relay.url, only: ['pagination', 'responses-create'] });
    assert.equal(probed.checks.map((check) => [check.id, check.outcome]), [['pagination', 'passed']]);
    assert.is(probed.protocols.responses.offered, false);
    assert.match(probed.protocols.responses.reason, /POST \/responses answered 404/);
    const forced = await runConformance({ baseURL: relay.url, protocol: 'responses', only: ['responses-create', 'responses-background'] });
    assert.equal(forced.checks.map((check) => check.outcome), ['not offered', 'not offered']);
    assert.match(forced.checks[0]!.reason!, /the responses API: POST \/responses answered 404/);
    assert.is(forced.ok, false, 'a run in which nothing was offered is not a pass');
    assert.match(formatConformanceReport(forced), /^responses: not offered \(POST \/responses answered 404\)$/m);
  } finally {
    await relay.close();
  }
});

test('a short expiry is waited for: requires-action-expiry passes without a warning', async () => {
  const report = await runConformance({ baseURL: server.server.url, only: ['requires-action-expiry'], timeoutMs: 20_000 });
  assert.is(report.checks[0]!.outcome, 'passed', formatConformanceReport(report));
  assert.equal(report.checks[0]!.warnings, []);
  assert.ok(report.checks[0]!.transitions.includes('run.requires_action → run.expired on thread.run.expired'), report.checks[0]!.transitions.join('\n'));
});

test('assistant-machines conformance: --protocol, --json records, --junit XML, exit codes', async () => {
  const json = join(tmpdir(), `conformance-${process.pid}.json`);
  const junit = join(tmpdir(), `conformance-${process.pid}.xml`);
  try {
    const io = captureIO();
    const only = 'pagination,responses-stream-sequence,responses-background';
    const code = await runCli(['conformance', '--base-url', server.server.url, '--json', json, '--junit', junit, '--only', only], io);
    assert.is(code, 0, io.out() + io.err());
    assert.match(io.out(), /^assistants: 1\/1 passed$/m);
    assert.match(io.out(), /^responses: 2\/2 passed$/m);
    assert.match(io.out(), /conformance: 3\/3 checks passed\n$/);
    const report = JSON.parse(await readFile(json, 'utf8')) as ConformanceReport;
    for (const record of report.checks) {
      assert.equal(Object.keys(record).filter((key) => ['id', 'protocol', 'transitions', 'outcome'].includes(key)).sort(), ['id', 'outcome', 'protocol', 'transitions']);
    }
    assert.equal(report.checks.map((check) => [check.id, check.protocol, check.outcome]), [
      ['pagination', 'assistants', 'passed'],
      ['responses-stream-sequence', 'responses', 'passed'],
      ['responses-background', 'responses', 'passed'],
    ]);
    assert.ok(report.checks[2]!.transitions.includes('poll.polling.fetching → poll.done on retrieved [hasFinalStatus]'));
    const xml = await readFile(junit, 'utf8');
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="assistant-machines conformance" tests="3" failures="0"/);
    assert.match(xml, /<testsuite name="conformance\.responses" tests="2" failures="0" errors="0" skipped="0"/);
    assert.match(xml, /<testcase classname="conformance\.responses" name="responses-background" time="[\d.]+">\n {6}<system-out>[^<]*poll\.polling\.fetching → poll\.done on retrieved \[hasFinalStatus\]/);

    const one = captureIO();
    assert.is(await runCli(['conformance', '--base-url', server.server.url, '--protocol', 'assistants', '--only', only], one), 0);
    assert.match(one.out(), /conformance: 1\/1 checks passed\n$/);
    assert.not.match(one.out(), /^responses:/m);

    const usage = captureIO();
    assert.is(await runCli(['conformance', '--base-url', server.server.url, '--protocol', 'chat'], usage), 2);
    assert.match(usage.err(), /--protocol must be assistants or responses/);
  } finally {
    await rm(json, { force: true });
    await rm(junit, { force: true });
  }
});

test('JUnit: a failure carries its reason, a capability not offered is skipped, text is escaped', () => {
  const report: ConformanceReport = {
    baseURL: 'http://x/v1',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 12,
    faults: false,
    protocols: {
      assistants: { offered: true, run: true, reason: 'GET /assistants answered 200', passed: 0, total: 1 },
      responses: { offered: false, run: true, reason: 'POST /responses answered 404', passed: 0, total: 0 },
    },
    passed: 0,
    total: 1,
    ok: false,
    checks: [
      { id: 'pagination', protocol: 'assistants', title: 't', transitions: [], outcome: 'failed', reason: 'has_more is "missing" <here> & \u0007', warnings: [], durationMs: 5 },
      { id: 'responses-create', protocol: 'responses', title: 't', transitions: [], outcome: 'not offered', reason: 'POST /responses answered 404', warnings: [], durationMs: 0 },
    ],
  };
  const xml = conformanceJUnit(report);
  assert.match(xml, /<failure message="has_more is &#34;missing&#34; &#60;here&#62; &#38; "\/>/);
  assert.match(xml, /<skipped message="not offered: POST \/responses answered 404"\/>/);
  assert.match(xml, /<testsuite name="conformance\.responses" tests="1" failures="0" errors="0" skipped="1"/);
});

test.run();
