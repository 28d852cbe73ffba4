// The inspector's second version, finding by finding (issue 23), in a real headless Chromium:
// each test reproduces what a user saw go wrong and checks what they see now. Run with
// `npm run test:browser`; screenshots go to tests/output/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebSocketInspector } from '@statelyai/inspect';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, createMachine, sendTo, setup, type AnyActorRef } from 'xstate';
import { createFrameSender, createInspector, type ActorView, type Inspector } from '../inspect/index.ts';
import { buildInspectorUi } from '../scripts/build-inspector-ui.mjs';
import { runDemo } from '../src/cli/demo.ts';
import { runCli } from '../src/cli/main.ts';
import { createTerminal } from '../src/cli/terminal.ts';
import { createServer } from '../src/server/index.ts';
import { captureIO } from './helpers/cli.ts';
import { findChromium } from './helpers/chromium.ts';
import { startTcpCutProxy } from './helpers/tcpCutProxy.ts';

const OUTPUT = 'tests/output';
const UI_DIR = 'tests/.build/inspect-ui-findings';

interface Context {
  browser: Browser;
  outDir: string;
  /** The demo, sent through a connection cut once mid-run (finding 1); other tests read it too. */
  demo: Inspector;
  /** Console errors and failed requests of every page, by page. */
  problems: Map<Page, string[]>;
}
const test = suite<Context>('inspector findings in Chromium');

test.before(async (context) => {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('no Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)');
  await buildInspectorUi(UI_DIR);
  mkdirSync(OUTPUT, { recursive: true });
  context.outDir = mkdtempSync(join(tmpdir(), 'inspector-findings-'));
  context.problems = new Map();
  context.browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'], headless: true });
});
test.after(async ({ browser, demo, outDir }) => {
  await browser?.close();
  await demo?.close();
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

async function open(context: Context, inspector: Inspector, viewport = { width: 1600, height: 900 }): Promise<Page> {
  const page = await context.browser.newPage({ viewport });
  const problems: string[] = [];
  context.problems.set(page, problems);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url().replace(/token=[^&]+/, 'token=…')}`);
  });
  await page.goto(inspector.url);
  await page.waitForSelector('#connection.up');
  return page;
}

async function api<T>(inspector: Inspector, path: string): Promise<T> {
  const url = new URL(inspector.url);
  const response = await fetch(`${url.origin}${path}${path.includes('?') ? '&' : '?'}token=${url.searchParams.get('token')}`);
  return (await response.json()) as T;
}

test('1. a connection cut mid-run splits nothing: every run ends as it did, no nameless actor, no warning', async (context) => {
  const proxy = await startTcpCutProxy(20_000);
  context.demo = await createInspector({ uiDir: UI_DIR, log: () => {}, allowedHosts: [proxy.host] });
  proxy.target(context.demo.port);
  const sender = createFrameSender(context.demo.wsUrl.replace(/127\.0\.0\.1:\d+/, proxy.host), { name: 'demo' });
  try {
    const demo = await runDemo({ term: createTerminal(captureIO()), fast: true, outDir: context.outDir, inspect: sender.inspect });
    assert.is(demo.run.status, 'completed');
    await proxy.cut;
    await sender.flush();
  } finally {
    await sender.close();
    await proxy.close();
  }
  const actors = await api<ActorView[]>(context.demo, '/api/actors');
  assert.equal(actors.filter((actor) => actor.orphan).map((actor) => actor.sessionId), [], 'no actor without its announcement');
  assert.equal(actors.filter((actor) => actor.name === 'run').map((actor) => actor.value), ['requires_action', 'completed', 'requires_action', 'completed']);
  assert.is(actors.filter((actor) => actor.name === 'assistantStream').length, 4);
  assert.ok(actors.filter((actor) => actor.name === 'message').every((actor) => actor.value === 'completed'));
  const page = await open(context, context.demo);
  await page.waitForSelector('.tree [data-actor-name="run"][data-value="completed"].selected');
  await page.waitForSelector('svg.diagram[data-machine="run"] [data-state-id="completed"][data-active="true"]');
  assert.is(await page.locator('#warnings').count(), 0, 'nothing to warn about');
  assert.match((await page.locator('.session-origin').first().textContent()) ?? '', 'demo', "the sender's name says where the sessions came from");
  assert.equal(context.problems.get(page), [], 'no console error, no failed request');
  await page.close();
});

test('2. run --responses --inspect sends its response (every mode of run takes --inspect)', async (context) => {
  const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  const inspector = await createInspector({ uiDir: UI_DIR, log: () => {} });
  try {
    const io = captureIO({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' });
    assert.is(await runCli(['run', '--responses', '--inspect', inspector.wsUrl, 'What is 6*7?'], io), 0, io.err());
    const page = await open(context, inspector);
    await page.waitForSelector('.tree [data-actor-name="run"][data-value="completed"]');
    await page.waitForSelector('svg.diagram[data-machine="run"] [data-state-id="completed"][data-active="true"]');
    await page.close();
  } finally {
    await inspector.close();
    await server.close();
  }
});

test('3. typing a filter quickly never leaves the log blank (20 tries of "J", "JO", "JOB" on 5,000 events)', async (context) => {
  const inspector = await createInspector({ uiDir: UI_DIR, log: () => {} });
  try {
    const types = ['JOB_STARTED', 'JOLT', 'JAM', 'JOB_DONE', 'OTHER'];
    const machine = createMachine({ id: 'jobs', initial: 'on', states: { on: { on: { '*': { actions: [] } } } } });
    const actor = createActor(machine, { inspect: inspector.inspect }).start();
    for (let index = 0; index < 5000; index++) actor.send({ type: types[index % types.length]! });
    const page = await open(context, inspector);
    await page.waitForSelector('.log-row[data-seq]');
    let blank = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      await page.locator('#filter-type').fill('');
      await page.locator('#filter-type').pressSequentially('JOB', { delay: attempt % 4 });
      const settled = await page
        .waitForFunction(
          () => {
            const rows = [...document.querySelectorAll('.log-row')];
            return rows.length > 0 && rows.every((row) => (row.getAttribute('data-type') ?? '').includes('JOB'));
          },
          undefined,
          { timeout: 3000 },
        )
        .then(
          () => true,
          () => false,
        );
      if (!settled) blank += 1;
    }
    assert.is(blank, 0, `${blank} of 20 tries left rows "…" until a scroll`);
    await page.close();
  } finally {
    await inspector.close();
  }
});

test('4, 5. the run chart opens whole in its panel at 1280×720 (and fits again at 1600×900), every state in view; the last transition is marked from the state the actor was in', async (context) => {
  const page = await open(context, context.demo, { width: 1280, height: 720 });
  await page.waitForSelector('svg.diagram[data-machine="run"] [data-state-id="completed"][data-active="true"]');
  // A string, not a function: tsx names functions with a helper the page does not have.
  const measure = () =>
    page.evaluate<{ share: number; states: number; inView: number; scale: number }>(`(() => {
      const box = document.querySelector('.diagram-box').getBoundingClientRect();
      const drawing = document.querySelector('svg.diagram g.viewport').getBoundingClientRect();
      const states = [...document.querySelectorAll('svg.diagram .state[data-state-id]')].filter((state) => state.getAttribute('data-state-id') !== '');
      const overlapWidth = Math.max(0, Math.min(drawing.right, box.right) - Math.max(drawing.left, box.left));
      const overlapHeight = Math.max(0, Math.min(drawing.bottom, box.bottom) - Math.max(drawing.top, box.top));
      return {
        share: (overlapWidth * overlapHeight) / (drawing.width * drawing.height),
        states: states.length,
        inView: states.filter((state) => {
          const rect = state.getBoundingClientRect();
          return rect.left >= box.left - 0.5 && rect.top >= box.top - 0.5 && rect.right <= box.right + 0.5 && rect.bottom <= box.bottom + 0.5;
        }).length,
        scale: Number(document.querySelector('svg.diagram').getAttribute('data-scale')),
      };
    })()`);
  let scale = '';
  for (const viewport of [
    { width: 1280, height: 720 },
    { width: 1600, height: 900 },
  ]) {
    await page.setViewportSize(viewport);
    // Fitted at open, and again when the panel grows (a new scale).
    await page.waitForFunction(`(() => { const svg = document.querySelector('svg.diagram'); return svg !== null && svg.getBoundingClientRect().width > 0 && svg.getAttribute('data-scale') !== ${JSON.stringify(scale)}; })()`);
    scale = (await page.locator('svg.diagram').getAttribute('data-scale')) ?? '';
    const seen = await measure();
    assert.ok(seen.share > 0.999, `${viewport.width}×${viewport.height}: share of the drawing inside the panel ${seen.share}`);
    assert.is(seen.inView, seen.states, `${viewport.width}×${viewport.height}: ${seen.inView} of ${seen.states} states in view`);
    // Measured, not asserted beyond the goal: printed for docs/inspect.md.
    console.log(`run chart at ${viewport.width}×${viewport.height}: ${(seen.share * 100).toFixed(1)}% of the drawing inside the panel, ${seen.inView}/${seen.states} states in view, scale ${seen.scale.toFixed(2)}`);
    await page.screenshot({ path: join(OUTPUT, `inspector-chart-${viewport.width}.png`) });
  }
  // 5: the run's last transition, in_progress → completed, drawn from in_progress.
  await page.waitForSelector('svg.diagram[data-machine="run"] .transition.last[data-target="completed"]');
  await page.waitForSelector('svg.diagram[data-machine="run"] .state.from[data-state-id="in_progress"]');
  // The stream's end: streaming → settling (source.end), then settling → done (always).
  await page.locator('.tree [data-actor-name="assistantStream"]').last().click();
  await page.waitForSelector('svg.diagram[data-machine="assistantStream"] [data-state-id="done"][data-active="true"]');
  const marked = await page.locator('svg.diagram .transition.last').evaluateAll((edges) => edges.map((edge) => `${edge.getAttribute('data-source')}→${edge.getAttribute('data-target')}`));
  assert.equal(marked.sort(), ['settling→done', 'streaming→settling']);
  await page.screenshot({ path: join(OUTPUT, 'inspector-stream-chart.png') });
  assert.equal(context.problems.get(page), []);
  await page.close();
});

test('7. a 590,000-character message cut by the sender and again by the store says how much was cut in all', async (context) => {
  const inspector = await createInspector({ uiDir: UI_DIR, log: () => {} });
  const sender = createFrameSender(inspector.wsUrl);
  try {
    const text = 'w'.repeat(590_000);
    const machine = createMachine({ id: 'message', initial: 'completed', context: { message: { content: [{ type: 'text', text: { value: text } }] } }, states: { completed: {} } });
    createActor(machine, { inspect: sender.inspect }).start();
    await sender.flush();
    const page = await open(context, inspector);
    await page.locator('.tree [data-actor-name="message"]').click();
    await page.waitForSelector('.message-text.big');
    const shown = (await page.locator('.message-text.big').textContent()) ?? '';
    assert.ok(shown.endsWith('… [490000 more characters]'), shown.slice(-60));
    await page.close();
  } finally {
    await sender.close();
    await inspector.close();
  }
});

test('8. the log has a labelled lane for every actor, past the 16th; the sequence view draws lifelines and arrows', async (context) => {
  const inspector = await createInspector({ uiDir: UI_DIR, log: () => {} });
  try {
    const worker = createMachine({ id: 'worker', initial: 'idle', states: { idle: { on: { WORK: 'busy' } }, busy: {} } });
    const boss = setup({ actors: { worker } }).createMachine({
      id: 'boss',
      context: { workers: [] as AnyActorRef[] },
      entry: assign({ workers: ({ spawn }) => Array.from({ length: 30 }, (_, index) => spawn('worker', { id: `worker-${index}` })) }),
      on: { GO: { actions: sendTo(({ context }) => context['workers'][25]!, { type: 'WORK' }) } },
    });
    createActor(boss, { inspect: inspector.inspect }).start().send({ type: 'GO' });
    const page = await open(context, inspector);
    await page.waitForSelector('.log-row[data-type="WORK"]');
    const lanes = await page.locator('.lane-corner').textContent();
    assert.match(lanes ?? '', '31 lanes');
    // Scrolled sideways, the 26th lane (worker-24's) is labelled, and the WORK event's dot is on worker-25's lane.
    await page.locator('.log-viewport').evaluate((element) => (element.scrollLeft = element.scrollWidth));
    await page.waitForSelector('.lane-label[data-lane="26"]');
    const label = await page.locator('.lane-label[data-lane="26"]').textContent();
    assert.is(label, 'worker-25');
    const dot = await page.locator('.log-row[data-type="WORK"] circle.lane-target').getAttribute('cx');
    assert.is(Number(dot), 26 * 14 + 7, 'the dot is on lane 26');
    await page.locator('#mode-sequence').click();
    await page.waitForSelector('.log-viewport.mode-sequence .lane-label.wide');
    await page.waitForSelector('.log-row[data-type="WORK"] path.seq-arrow', { state: 'attached' });
    await page.screenshot({ path: join(OUTPUT, 'inspector-sequence.png') });
    await page.close();
  } finally {
    await inspector.close();
  }
});

test('9. frames lost before the socket opened are said so; our sender (which waits for it) loses none', async (context) => {
  const inspector = await createInspector({ uiDir: UI_DIR, log: () => {} });
  try {
    const worker = createMachine({ id: 'worker', initial: 'idle', states: { idle: { on: { WORK: 'busy' } }, busy: {} } });
    // @statelyai/inspect keeps 200 frames until its socket opens: 500 workers lose most announcements.
    const stately = createWebSocketInspector({ url: inspector.wsUrl });
    const lost = Array.from({ length: 500 }, () => createActor(worker, { inspect: stately.inspect }).start());
    await new Promise((resolve) => setTimeout(resolve, 600));
    for (const actor of lost) actor.send({ type: 'WORK' });
    const page = await open(context, inspector);
    await page.waitForSelector('#warnings [data-kind="orphans"]', { timeout: 10_000 });
    assert.match((await page.locator('#warnings').textContent()) ?? '', 'maxDeferredEvents');
    stately.stop();
    // The same 500 through our sender: it queues until the socket opens, and every actor arrives named.
    const sender = createFrameSender(inspector.wsUrl);
    const kept = Array.from({ length: 500 }, () => createActor(worker, { inspect: sender.inspect }).start());
    for (const actor of kept) actor.send({ type: 'WORK' });
    await sender.flush();
    await sender.close();
    const actors = await api<ActorView[]>(inspector, '/api/actors');
    const fromSender = actors.filter((actor) => actor.sessionId.startsWith('p'));
    assert.is(fromSender.length, 500);
    assert.ok(fromSender.every((actor) => actor.name === 'worker' && actor.value === 'busy' && !actor.orphan));
    // A thousand actors in the tree: only the rows in view exist.
    await page.waitForSelector('.tree [data-actor-name="worker"]');
    const rows = await page.locator('.tree .tree-row').count();
    assert.ok(rows < 120, `${rows} tree rows drawn for ${actors.length} actors`);
    await page.close();
  } finally {
    await inspector.close();
  }
});

test('10. no console error on load; "connected" is not "following"; a long state value leaves the status in view; rejected frames listed', async (context) => {
  const empty = await createInspector({ uiDir: UI_DIR, log: () => {} });
  try {
    const page = await open(context, empty);
    await page.waitForTimeout(300);
    assert.equal(context.problems.get(page), [], 'an empty inspector loads without a console error (no /api/state?at=-1, no favicon 401)');
    const parallel = createMachine({
      id: 'wide',
      type: 'parallel',
      states: Object.fromEntries(Array.from({ length: 6 }, (_, index) => [`region_with_a_long_name_${index}`, { initial: 'waiting_for_something', states: { waiting_for_something: {} } }])),
    });
    createActor(parallel, { inspect: empty.inspect }).start();
    await page.waitForSelector('.tree [data-actor-name="wide"]');
    const fits = await page.evaluate<boolean>(`(() => {
      const panel = document.querySelector('.tree-panel').getBoundingClientRect();
      const status = document.querySelector('.tree [data-actor-name="wide"] .status').getBoundingClientRect();
      return status.right <= panel.right && status.width > 0;
    })()`);
    assert.ok(fits, 'the status stays inside the tree');
    assert.is(await page.locator('#connection').textContent(), 'connected');
    assert.is(await page.locator('#go-live').textContent(), 'following');
    await page.locator('#step-back').click();
    await page.waitForSelector('#position[data-following="false"]');
    assert.is(await page.locator('#go-live').textContent(), 'follow');
    assert.is(await page.locator('#connection').textContent(), 'connected', 'scrubbed back: still connected, no longer following');
    // A bad frame: counted in the header, listed in the problems panel.
    const socket = new WebSocket(empty.wsUrl);
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('{"type":"@xstate.event","sessionId":"x:0"}');
    socket.close();
    await page.waitForSelector('#problems');
    await page.locator('#problems').click();
    await page.waitForSelector('#problems-panel li[data-kind="missing-field"]');
    await page.close();
  } finally {
    await empty.close();
  }
});

test.run();
