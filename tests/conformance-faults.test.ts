// The fault proxy cuts where it is told, and the fault checks recover from its cuts as the APIs
// document it (resume, re-attach, poll) against the embedded server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cutHeader, startFaultProxy } from '../src/testing/conformance/faults/proxy.ts';
import { CONFORMANCE_CHECKS, formatConformanceReport, runConformance } from '../src/testing/index.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
test.before(async () => {
  server = await startTestServer({ pace: { deltaDelayMs: 1, stepDelayMs: 1 } });
});
test.after(() => server.close());

async function streamThrough(url: string, headers: Record<string, string>): Promise<{ text: string; broke: boolean }> {
  const response = await fetch(`${url}/responses`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'scripted', input: 'Say hello.', stream: true, background: true }) });
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body!) text += decoder.decode(chunk as Uint8Array, { stream: true });
    return { text, broke: false };
  } catch {
    return { text, broke: true };
  }
}

test('the fault proxy cuts right after the planned event, before another, or drops the answer; and never forwards its header', async () => {
  const proxy = await startFaultProxy(server.server.url);
  try {
    const after = await streamThrough(proxy.url, cutHeader({ after: 'response.output_text.delta', nth: 2 }));
    assert.ok(after.broke);
    assert.equal([...after.text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]).slice(-2), ['response.output_text.delta', 'response.output_text.delta']);
    const before = await streamThrough(proxy.url, cutHeader({ before: 'response.completed' }));
    assert.ok(before.broke);
    assert.ok(!before.text.includes('response.completed'));
    assert.ok(before.text.includes('response.output_item.done'));
    const whole = await streamThrough(proxy.url, {});
    assert.ok(!whole.broke && whole.text.includes('event: response.completed'));
    const dropped = await fetch(`${proxy.url}/responses`, { method: 'POST', headers: { 'content-type': 'application/json', ...cutHeader({ drop: true }) }, body: JSON.stringify({ model: 'scripted', input: 'hi' }) }).then(
      () => 'answered',
      () => 'dropped',
    );
    assert.is(dropped, 'dropped');
    assert.is(proxy.cuts, 3);
  } finally {
    await proxy.close();
  }
});

test('with faults, every fault check passes: the recovery reaches the end an uncut run does', async () => {
  const faultChecks = CONFORMANCE_CHECKS.filter((check) => check.faults === true);
  assert.ok(faultChecks.some((check) => check.protocol === 'assistants') && faultChecks.some((check) => check.protocol === 'responses'));
  const report = await runConformance({ baseURL: server.server.url, faults: true, timeoutMs: 20_000, only: [...faultChecks.map((check) => check.id), 'runs-reach-terminal', 'responses-reach-terminal'] });
  assert.equal(
    report.checks.filter((check) => check.outcome !== 'passed').map((check) => `${check.id}: ${check.reason}`),
    [],
    formatConformanceReport(report),
  );
  assert.is(report.faults, true);
  assert.match(formatConformanceReport(report), /conformance: \d+\/\d+ checks passed \(with faults\)\n$/);
  const resumed = report.checks.find((check) => check.id === 'fault-resume-twice')!;
  assert.ok(resumed.transitions.includes('run.in_progress → run.completed on thread.run.completed'), resumed.transitions.join('\n'));
  assert.equal(server.internalErrors, []);
});

test('without faults the fault checks are not run', async () => {
  const report = await runConformance({ baseURL: server.server.url, only: ['fault-resume-mid-text', 'responses-create'] });
  assert.equal(report.checks.map((check) => check.id), ['responses-create']);
});

test.run();
