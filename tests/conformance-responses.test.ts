// The conformance suite on the Responses API: every offered check passes against the embedded
// server, and a server that breaks one rule — a relay in front of it rewriting answers and
// stream frames — fails the check that names the rule, saying why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONFORMANCE_CHECKS, chartTransitionNames, formatConformanceReport, runConformance } from '../src/testing/index.ts';
import { type ResponsesMutation, startResponsesMutation } from './helpers/responsesMutations.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
test.before(async () => {
  // A small pace, so a response is still going when a check cancels or cuts it.
  server = await startTestServer({ pace: { deltaDelayMs: 1, stepDelayMs: 1 } });
});
test.after(() => server.close());

const RESPONSES = CONFORMANCE_CHECKS.filter((check) => check.protocol === 'responses' && check.faults !== true);

test('every Responses check passes against the embedded server, each naming transitions the charts draw', async () => {
  const report = await runConformance({ baseURL: server.server.url, timeoutMs: 20_000, protocol: 'responses' });
  assert.equal(
    report.checks.filter((check) => check.outcome === 'failed').map((check) => `${check.id}: ${check.reason}`),
    [],
    formatConformanceReport(report),
  );
  // The embedded server offers every capability the suite checks.
  assert.equal(report.checks.filter((check) => check.outcome === 'not offered').map((check) => check.id), []);
  assert.ok(RESPONSES.length >= 30);
  assert.is(report.total, RESPONSES.length);
  const drawn = chartTransitionNames();
  for (const check of report.checks) for (const name of check.transitions) assert.ok(drawn.has(name), `${check.id}: ${name} is not a transition of the charts`);
  const streamed = report.checks.find((check) => check.id === 'responses-stream-order')!;
  assert.ok(streamed.transitions.includes('run.in_progress → run.completed on thread.run.completed'), streamed.transitions.join('\n'));
  const cancelled = report.checks.find((check) => check.id === 'responses-cancel-in-progress')!;
  assert.ok(cancelled.transitions.some((name) => name.endsWith('→ run.cancelled on thread.run.cancelled')), cancelled.transitions.join('\n'));
  assert.equal(server.internalErrors, []);
});

const BROKEN: { mutation: ResponsesMutation; check: string; reason: RegExp; timeoutMs?: number }[] = [
  { mutation: 'sequence-gap', check: 'responses-stream-sequence', reason: /sequence_number jumps from 3 to 5 at event #4 .*1 missing/ },
  { mutation: 'resume-from-zero', check: 'responses-resume-after-created', reason: /resumed after 0: sequence_number 0 at event #0 \(response\.created\), expected 1/ },
  { mutation: 'duplicate-conversation-item', check: 'responses-conversation', reason: /after turn 1 the conversation lists item \S+ twice/ },
  { mutation: 'cancel-keeps-streaming', check: 'responses-cancel-in-progress', reason: /1 event\(s\) after response\.\w+: response\.output_text\.delta/ },
  { mutation: 'never-leaves-queued', check: 'responses-background', reason: /never reached a final status \(statuses seen: queued\)/, timeoutMs: 1_500 },
  { mutation: 'missing-response-key', check: 'responses-object-keys', reason: /the created response lacks tools/ },
  { mutation: 'unknown-response-200', check: 'responses-error-unknown-id', reason: /GET \/responses\/resp_conformance_does_not_exist answered 200, not 404/ },
];

for (const { mutation, check, reason, timeoutMs } of BROKEN) {
  test(`a server that breaks "${mutation}" fails ${check}, saying why`, async () => {
    const relay = await startResponsesMutation(server.server.url, mutation);
    try {
      const report = await runConformance({ baseURL: relay.url, timeoutMs: timeoutMs ?? 20_000, only: [check] });
      const [result] = report.checks;
      assert.is(result?.outcome, 'failed', formatConformanceReport(report));
      assert.match(result!.reason ?? '', reason);
      assert.is(report.ok, false);
      assert.match(formatConformanceReport(report), new RegExp(`^${check} +responses +failed +\\d+ +`, 'm'));
    } finally {
      await relay.close();
    }
  });
}

test('the relay alone changes nothing: stream, resume and cancel checks pass through it', async () => {
  const relay = await startResponsesMutation(server.server.url, 'resume-from-zero');
  const only = ['responses-stream-sequence', 'responses-cancel-in-progress', 'responses-background'];
  try {
    const report = await runConformance({ baseURL: relay.url, only });
    assert.is(report.passed, only.length, formatConformanceReport(report));
  } finally {
    await relay.close();
  }
});
test.run();
