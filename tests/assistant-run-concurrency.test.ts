// Many workflows at once against one embedded server: each a parent machine invoking an
// assistantRun with a tool round trip. All complete with their own answer; nothing is
// submitted twice. (bench/assistant-runs.ts runs 100 and reports time and memory.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runConcurrentWorkflows } from '../bench/assistant-runs.ts';
import { startTestServer } from './helpers/server.ts';

test('20 concurrent workflows with a tool round trip: all complete, each run submitted once', async () => {
  const ts = await startTestServer();
  try {
    const report = await runConcurrentWorkflows(ts.server.url, 20);
    assert.is(report.completed, 20);
    assert.is(report.correct, 20);
    assert.is(report.acceptedSubmissions.size, 20);
    assert.equal([...new Set(report.acceptedSubmissions.values())], [1]);
    assert.is(report.toolExecutions, 40);
    assert.equal(ts.internalErrors, []);
  } finally {
    await ts.close();
  }
});

test.run();
