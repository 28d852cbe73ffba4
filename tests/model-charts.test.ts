// Model-based testing of every chart: each simple path (xstate/graph) of the run, runStep,
// toolCall, message and assistantStream charts, as a stream played through AssistantStream,
// ends in the state the chart predicts, with the predicted final run or error. By default the
// tolerant charts, and every tolerant-only path read strictly; MBT=full (`npm run test:mbt`)
// plays every chart's paths in both modes, the run chart's too (tests/model-run.test.ts covers
// those by default), and prints the counts and times.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHART_NAMES, chartPaths, playChartPath, playPollPath, pollPaths, type ChartName, type ChartPath } from '../src/testing/index.ts';

const FULL = process.env['MBT'] === 'full';
const charts: readonly ChartName[] = FULL ? CHART_NAMES : CHART_NAMES.filter((chart) => chart !== 'run');

async function check(path: ChartPath, lifecycle: 'strict' | 'tolerant'): Promise<void> {
  const played = await playChartPath(path, { lifecycle });
  const where = `${path.chart} (${lifecycle}): ${path.description}`;
  assert.is(played.state, path.state, where);
  if ('finalRunStatus' in path.outcome) {
    assert.is(played.error, undefined, where);
    assert.is(played.finalRunStatus, path.outcome.finalRunStatus, where);
  } else {
    assert.is(played.error, path.outcome.error, where);
  }
}

for (const chart of charts) {
  for (const lifecycle of FULL ? (['tolerant', 'strict'] as const) : (['tolerant'] as const)) {
    test(`every path of the ${chart} chart (${lifecycle}) ends where the chart predicts`, async () => {
      const started = performance.now();
      const paths = chartPaths(chart, { lifecycle });
      assert.ok(paths.length > 1, `${paths.length} paths`);
      for (const path of paths) await check(path, lifecycle);
      if (FULL) console.log(`  ${chart} ${lifecycle}: ${paths.length} paths in ${Math.round(performance.now() - started)} ms`);
    });
  }
}

test('paths reach every state of each chart that a stream can end in', () => {
  const states = (chart: ChartName) => [...new Set(chartPaths(chart).map((path) => path.state))].sort();
  assert.equal(states('runStep'), ['cancelled', 'completed', 'expired', 'failed', 'in_progress.abandoned', 'in_progress.awaiting_tool_outputs', 'in_progress.streaming', 'new']);
  assert.equal(states('toolCall'), ['done', 'in_progress']);
  assert.equal(states('message'), ['completed', 'in_progress.image_file', 'in_progress.none', 'in_progress.text', 'incomplete']);
  assert.equal(states('assistantStream'), ['aborted', 'done', 'failed']);
});

test('the strict charts are the tolerant ones minus the [tolerant] transitions', async () => {
  for (const chart of ['run', 'runStep', 'message'] as const) {
    const strict = new Set(chartPaths(chart, { lifecycle: 'strict' }).map((path) => JSON.stringify(path.steps)));
    const tolerantOnly = chartPaths(chart).filter((path) => !strict.has(JSON.stringify(path.steps)));
    assert.ok(strict.size > 0 && tolerantOnly.length > 0, chart);
    // Every path only the tolerant chart draws fails a strict stream as a lifecycle error.
    for (const path of tolerantOnly) {
      const played = await playChartPath(path, { lifecycle: 'strict' });
      assert.is(played.error, 'lifecycle', `${chart}: ${path.description}`);
    }
  }
});

test('every path of the poll chart, played through a poll actor, ends where the chart predicts', async () => {
  const started = performance.now();
  const paths = pollPaths();
  assert.is(paths.length, 31);
  assert.equal([...new Set(paths.map((path) => path.outcome))].sort(), ['aborted', 'deadline-exceeded', 'done', 'fetch-failed', 'unknown-status']);
  assert.ok(paths.some((path) => path.description === 'fetching → waiting → fetching → done'));
  for (const path of paths) {
    const played = await playPollPath(path);
    assert.is(played.state, path.state, path.description);
    assert.is(played.outcome, path.outcome, path.description);
    assert.is(played.fetches, path.description.split('fetching').length - 1, path.description);
  }
  if (FULL) console.log(`  poll: ${paths.length} paths in ${Math.round(performance.now() - started)} ms`);
});

test.run();
