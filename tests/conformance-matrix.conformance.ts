// The whole conformance matrix (`npm run test:conformance`, run by .ci/run): the suite against
// the embedded server at its default pace (what `assistant-machines serve` runs), on both
// protocols, without and with faults; and against the server as a shim in front of another
// instance (a live model pointed at it). Prints each run's time and counts for docs/testing.md.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from '../src/server/index.ts';
import { type ConformanceReport, formatConformanceReport, runConformance } from '../src/testing/index.ts';

function summary(name: string, report: ConformanceReport): string {
  const counts = Object.entries(report.protocols)
    .map(([protocol, result]) => `${protocol} ${result.passed}/${result.total}`)
    .join(', ');
  const notOffered = report.checks.filter((check) => check.outcome === 'not offered').map((check) => check.id);
  return `${name}: ${counts} in ${(report.durationMs / 1000).toFixed(1)} s${notOffered.length === 0 ? '' : ` (not offered: ${notOffered.join(', ')})`}`;
}

function expectAllPassed(report: ConformanceReport): void {
  assert.equal(
    report.checks.filter((check) => check.outcome === 'failed').map((check) => `${check.id}: ${check.reason}`),
    [],
    formatConformanceReport(report),
  );
  assert.ok(report.ok);
}

for (const faults of [false, true]) {
  test(`the embedded server at its default pace, both protocols${faults ? ', with faults' : ''}`, async () => {
    const server = await createServer({ onInternalError: (error) => assert.unreachable(String(error)) });
    try {
      const report = await runConformance({ baseURL: server.url, faults, timeoutMs: 30_000 });
      console.log(summary(`embedded${faults ? ' --faults' : ''}`, report));
      expectAllPassed(report);
      assert.ok(report.protocols.assistants.run && report.protocols.responses.run, 'both protocols probed and run');
    } finally {
      await server.close();
    }
  });
}

test('the server as a shim in front of another instance (a live model on its Responses API)', async () => {
  // The upstream writes at a pace (5 ms a delta) so a response is still going when the suite
  // cancels it at its first delta: at zero pace the whole answer could pass through the shim
  // before the cancel reached it, and the cancel would rightly answer `completed`.
  const upstream = await createServer({ pace: { deltaDelayMs: 5, stepDelayMs: 5 } });
  const shim = await createServer({ model: { baseURL: upstream.url, apiKey: 'unused', protocol: 'responses' }, pace: { deltaDelayMs: 1, stepDelayMs: 1 } });
  try {
    const report = await runConformance({ baseURL: shim.url, timeoutMs: 30_000 });
    console.log(summary('shim', report));
    // The one known gap (docs/testing.md): the upstream here is the scripted model, whose answer
    // to the shim's file_search results cites nothing, so the shim has no citation to pass on.
    assert.equal(
      report.checks.filter((check) => check.outcome !== 'passed').map((check) => `${check.id} ${check.outcome}: ${check.reason}`),
      ['file-search failed: the answer has no file_citation annotation'],
      formatConformanceReport(report),
    );
    assert.ok(report.protocols.assistants.run && report.protocols.responses.run, 'both protocols probed and run');
  } finally {
    await shim.close();
    await upstream.close();
  }
});

test.run();
