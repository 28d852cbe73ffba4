// The inspector's UI in a real headless Chromium (Debian's package, driven by playwright-core;
// nothing downloads a browser): the demo run live into it, time travel back to the pause for
// tool outputs, and a replayed recording that looks exactly like the live run.
// Run with `npm run test:browser`; screenshots go to tests/output/.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { suite } from 'uvu';
import { createActor, createMachine } from 'xstate';
import * as assert from 'uvu/assert';
import { createInspector, type ActorView, type EventPage, type Inspector } from '../inspect/index.ts';
import { definitionJson } from '../inspect/observer.ts';
import { chartOf } from '../inspect/ui/chart.ts';
import { layoutChart } from '../inspect/ui/layout.ts';
import { runMachine } from '../machines/index.ts';
import { buildInspectorUi } from '../scripts/build-inspector-ui.mjs';
import { runDemo } from '../src/cli/demo.ts';
import { replayRecordings } from '../src/cli/replay.ts';
import { createTerminal } from '../src/cli/terminal.ts';
import { buildBenchRun } from '../bench/fixture.ts';
import { AssistantStream } from '../src/index.ts';
import { captureIO } from './helpers/cli.ts';
import { findChromium } from './helpers/chromium.ts';

const OUTPUT = 'tests/output';
const UI_DIR = 'tests/.build/inspect-ui';

const test = suite<{ browser: Browser; page: Page; live: Inspector; replayed: Inspector; recordingDir: string; responsesDir: string | undefined; outDir: string }>('inspector UI in Chromium');

test.before(async (context) => {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('no Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)');
  await buildInspectorUi(UI_DIR); // the UI's current source
  mkdirSync(OUTPUT, { recursive: true });
  context.outDir = mkdtempSync(join(tmpdir(), 'inspector-ui-'));
  context.live = await createInspector({ uiDir: UI_DIR, log: () => {} });
  context.replayed = await createInspector({ uiDir: UI_DIR, log: () => {} });
  context.browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'], headless: true });
  context.page = await context.browser.newPage({ viewport: { width: 1600, height: 900 } });
});
test.after(async ({ browser, live, replayed, outDir }) => {
  await browser?.close();
  await live?.close();
  await replayed?.close();
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

async function api<T>(inspector: Inspector, path: string): Promise<T> {
  const url = new URL(inspector.url);
  const response = await fetch(`${url.origin}${path}${path.includes('?') ? '&' : '?'}token=${url.searchParams.get('token')}`);
  return (await response.json()) as T;
}

const runRow = (value: string) => `.tree [data-actor-name="run"][data-value="${value}"]`;

async function assertCompleted(page: Page) {
  await page.waitForSelector(runRow('completed'), { timeout: 15_000 });
  // The newest run is selected: its chart highlights where it is and marks how it got there.
  await page.waitForSelector('svg.diagram[data-machine="run"] [data-state-id="completed"][data-active="true"]');
  await page.waitForSelector('svg.diagram[data-machine="run"] .transition.last[data-target="completed"] tspan.line-last');
  assert.match((await page.locator('svg.diagram .transition.last tspan.line-last title').first().textContent()) ?? '', 'thread.run.completed');
  assert.is(await page.locator('svg.diagram [data-active="true"]').count(), 1, 'one active state in the run chart');
}

/** Scrubs to the last event before the tool-outputs stream began, then one step back with the keyboard. */
async function scrubToPause(page: Page, inspector: Inspector) {
  const roots = (await api<ActorView[]>(inspector, '/api/actors')).filter((actor) => actor.name === 'assistantStream');
  // Act one: runs.stream, then submitToolOutputsStream; act two (the Responses API) follows.
  assert.is(roots.length, 4, 'four streams: two of act one, two of act two');
  const target = roots[1]!.createdSeq - 1;
  await page.locator('#scrubber').fill(String(target + 1));
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector(`#position[data-at="${target}"]`);
  await page.waitForSelector(runRow('requires_action'));
  assert.is(await page.locator(runRow('completed')).count(), 0, 'no completed run yet at that point');
  await page.waitForSelector('svg.diagram[data-machine="run"] [data-state-id="requires_action"][data-active="true"]');
}

test('the demo, live: the run completes, the chart highlights it, scrubbing back shows requires_action', async (context) => {
  const { page, live, outDir } = context;
  await page.goto(live.url);
  await page.waitForSelector('#connection.up');
  const io = captureIO();
  const demo = await runDemo({ term: createTerminal(io), fast: true, outDir, inspect: live.inspect });
  assert.is(demo.run.status, 'completed');
  context.recordingDir = demo.recordingDir;
  context.responsesDir = demo.responses?.recordingDir;
  await assertCompleted(page);
  await page.waitForSelector('.tree .message-text');
  assert.match((await page.locator('.tree .message-text').allTextContents()).join(' '), /hotel/i, 'the streamed answer sits next to its message');
  await page.screenshot({ path: join(OUTPUT, 'inspector-live.png') });

  await scrubToPause(page, live);
  // The README's picture (docs/inspector.png) is this page: UPDATE_DOCS_SCREENSHOT=1 writes it there too.
  await page.waitForSelector('svg.diagram[data-machine="run"] .transition.last');
  await page.locator('.log-row.current').click();
  await page.waitForSelector('.event-detail .diff');
  await page.screenshot({ path: join(OUTPUT, 'inspector-scrubbed.png') });
  if (process.env['UPDATE_DOCS_SCREENSHOT'] === '1') copyFileSync(join(OUTPUT, 'inspector-scrubbed.png'), 'docs/inspector.png');

  // Stepping forward with the keyboard, then back to the present.
  const before = Number(await page.locator('#position').getAttribute('data-at'));
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector(`#position[data-at="${before + 1}"]`);
  await page.locator('#go-live').click();
  await assertCompleted(page);
});

test('the event log: virtualized rows, a collapsible payload, filters by actor and type', async ({ page, live }) => {
  const { total } = await api<EventPage>(live, '/api/events?limit=0');
  const rendered = await page.locator('.log-row').count();
  assert.ok(rendered > 0 && rendered < total, `${rendered} rows drawn for ${total} events`);
  await page.locator('#filter-type').fill('thread.run.requires_action');
  await page.waitForFunction(() => [...document.querySelectorAll('.log-row[data-type]')].every((row) => row.getAttribute('data-type')!.includes('requires_action')) && document.querySelectorAll('.log-row[data-type]').length > 0);
  await page.locator('.log-row[data-type]').first().click();
  await page.waitForSelector('.event-detail .json-node');
  await page.locator('.event-detail .json-toggle').nth(1).click();
  await page.waitForSelector('.event-detail .json-children .json-children');
  await page.locator('#filter-type').fill('');
  await page.locator('#go-live').click();
});

test('a replayed recording looks exactly like the live run', async ({ page, live, replayed, recordingDir, responsesDir }) => {
  const io = captureIO();
  // Both acts of the demo, each from its own recording folder, in the order they ran.
  for (const dir of [recordingDir, responsesDir!]) assert.is(await replayRecordings(dir, createTerminal(io), { fast: true, inspect: replayed.inspect }), 0);
  const describe = async (inspector: Inspector) => {
    const actors = (await api<ActorView[]>(inspector, '/api/actors')).map(({ name, actorId, value, status, lastTransition }) => ({ name, actorId, value, status, to: lastTransition?.to }));
    const events = (await api<EventPage>(inspector, '/api/events?limit=1000')).events.map((event) => event.type);
    return { actors, events };
  };
  assert.equal(await describe(replayed), await describe(live));
  await page.goto(replayed.url);
  await assertCompleted(page);
  await scrubToPause(page, replayed);
  await page.screenshot({ path: join(OUTPUT, 'inspector-replayed-scrubbed.png') });
});

test('what users of other inspectors expect: timing and token usage, go to event N, the next transition, what an event changed, collapsible sessions, a session exported and dropped back in', async ({ page, live }) => {
  await page.goto(live.url);
  await assertCompleted(page);
  // Timing & usage of the selected run's session, as such.
  await page.locator('#tab-timing').click();
  await page.waitForSelector('#timing-usage');
  assert.ok(Number(await page.locator('#timing-usage').getAttribute('data-total')) > 0, 'the run reports its tokens');
  assert.match((await page.locator('#timing-first-token').textContent()) ?? '', /\d+ (ms|s)/);
  assert.ok((await page.locator('.timing-table tbody tr').count()) >= 3, 'the run, its steps and messages with their durations');
  await page.locator('#tab-context').click();
  // Go to event 10, then the selected run's next transition.
  await page.locator('#goto').fill('10');
  await page.locator('#goto').press('Enter');
  await page.waitForSelector('#position[data-at="10"]');
  await page.waitForSelector('.event-detail .event-detail-body[data-seq="10"]');
  const selected = await page.locator('#selected-actor').getAttribute('title');
  const history = await api<Array<{ seq: number; transition: boolean }>>(live, `/api/history?actor=${encodeURIComponent(selected!)}`);
  const next = history.find((entry) => entry.transition && entry.seq > 10)!;
  await page.locator('#next-transition').click();
  await page.waitForSelector(`#position[data-at="${next.seq}"]`);
  // What that event changed: the run's state, before and after.
  await page.waitForSelector(`.event-detail .event-detail-body[data-seq="${next.seq}"] .diff-state code.changed`);
  // Sessions fold: the first one's actors go from the tree, and come back.
  const shown = await page.locator('.tree [data-actor-name]').count();
  await page.locator('.session-row .session-toggle').first().click();
  await page.waitForSelector('.session-row[data-collapsed="true"]');
  assert.ok((await page.locator('.tree [data-actor-name]').count()) < shown, 'a folded session shows no actor');
  await page.locator('.session-row .session-toggle').first().click();
  await page.waitForSelector('.session-row[data-collapsed="false"]');
  // A session exported, then dropped on the page: added beside the others, ids prefixed.
  const url = new URL(live.url);
  const first = (await api<Array<{ rootId: string }>>(live, '/api/sessions'))[0]!;
  const exported = await (await fetch(`${url.origin}/api/export?session=${encodeURIComponent(first.rootId)}&token=${url.searchParams.get('token')}`)).text();
  await page.evaluate(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([${JSON.stringify(exported)}], 'one.ndjson', { type: 'application/x-ndjson' }));
    document.querySelector('.app').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  })()`);
  await page.waitForSelector('#notice:has-text("opened one.ndjson: 1 session")');
  const actors = await api<ActorView[]>(live, '/api/actors');
  assert.ok(actors.some((actor) => actor.sessionId.startsWith('f1/') && actor.name === 'run'));
  await page.locator('#go-live').click();
});

test('a dropped WebSocket reconnects: the page says so, then follows the restarted inspector', async ({ page }) => {
  const first = await createInspector({ uiDir: UI_DIR, log: () => {} });
  const { port } = first;
  const token = new URL(first.url).searchParams.get('token')!;
  await page.goto(first.url);
  await page.waitForSelector('#connection.up');
  await first.close();
  await page.waitForSelector('#connection.down');
  const second = await createInspector({ uiDir: UI_DIR, port, token, log: () => {} });
  try {
    await page.waitForSelector('#connection.up', { timeout: 15_000 });
    const light = createMachine({ id: 'afterReconnect', initial: 'a', states: { a: { on: { GO: 'b' } }, b: {} } });
    createActor(light, { inspect: second.inspect }).start().send({ type: 'GO' });
    await page.waitForSelector('.tree [data-actor-name="afterReconnect"][data-value="b"]');
  } finally {
    await second.close();
  }
});

test('a 100,000-delta stream: the page draws only the rows in view and scrubs through it', async ({ page }) => {
  const big = await createInspector({ uiDir: UI_DIR, log: () => {} });
  try {
    const bytes = new TextEncoder().encode(buildBenchRun({ textDeltas: 100_000 }).sse);
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 65_536) controller.enqueue(bytes.subarray(offset, offset + 65_536));
        controller.close();
      },
    });
    await AssistantStream.fromSSE(source, { inspect: big.inspect }).done();
    const { total } = await api<EventPage>(big, '/api/events?limit=0');
    assert.ok(total > 100_000, `${total} events`);
    const opened = performance.now();
    await page.goto(big.url);
    await page.waitForSelector('.tree [data-actor-name="message"][data-value="completed"]');
    await page.waitForSelector('.log-row[data-seq]');
    const shown = performance.now() - opened;
    const rows = await page.locator('.log-row').count();
    assert.ok(rows < 200, `${rows} rows exist for ${total} events`);
    const middle = Math.floor(total / 2);
    const scrubbed = performance.now();
    await page.locator('#scrubber').fill(String(middle));
    await page.waitForSelector(`#position[data-at="${middle}"]`);
    await page.waitForSelector(`.log-row.current[data-seq="${middle}"]`);
    await page.waitForSelector('.tree [data-actor-name="message"][data-value="in_progress.text"]');
    const scrub = performance.now() - scrubbed;
    await page.screenshot({ path: join(OUTPUT, 'inspector-100k.png') });
    // Measured, not asserted (tests check behaviour, not time): printed for docs/inspect.md.
    console.log(`100k-delta stream: ${total} events; page ready in ${shown.toFixed(0)} ms, ${rows} rows drawn, scrub to the middle shown in ${scrub.toFixed(0)} ms`);
  } finally {
    await big.close();
  }
});

/**
 * A fresh inspector holding one completed bench stream of `textDeltas` deltas, a fresh page
 * (asking nothing yet: `paths` starts recording only when `record()` is called), and their end.
 */
async function sessionPage(browser: Browser, textDeltas: number) {
  const inspector = await createInspector({ uiDir: UI_DIR, log: () => {} });
  await AssistantStream.fromSSE(new Response(buildBenchRun({ textDeltas }).sse), { inspect: inspector.inspect }).done();
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  const paths: string[] = [];
  let recording = false;
  page.on('request', (request) => recording && paths.push(new URL(request.url()).pathname));
  return {
    inspector,
    page,
    paths,
    record: () => (recording = true),
    close: async () => {
      await page.close();
      await inspector.close();
    },
  };
}

test('a scrub asks for the state and the log rows there, nothing else (the selected run\'s history was asked as the page opened)', async ({ browser }) => {
  const { inspector, page, paths, record, close } = await sessionPage(browser, 200);
  try {
    await page.goto(inspector.url);
    await assertCompleted(page);
    await page.waitForSelector('#prev-transition:not([disabled])');
    record();
    const { total } = await api<EventPage>(inspector, '/api/events?limit=0');
    for (const fraction of [0.5, 0.2, 0.8]) {
      const target = Math.floor(total * fraction);
      await page.locator('#scrubber').fill(String(target));
      await page.waitForSelector(`.log-row.current[data-seq="${target}"]`);
      await page.waitForSelector(`#position[data-at="${target}"]`);
    }
    await page.locator('#go-live').click();
    await assertCompleted(page);
    assert.equal([...new Set(paths)].sort(), ['/api/events', '/api/state']);
  } finally {
    await close();
  }
});

test('following an actor live asks for its history once as it is selected and once per transition, never twice', async ({ browser }) => {
  const inspector = await createInspector({ uiDir: UI_DIR, log: () => {} });
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  try {
    const stepper = createMachine({ id: 'stepper', initial: 's0', states: { s0: { on: { NEXT: 's1' } }, s1: { on: { NEXT: 's2' } }, s2: { on: { NEXT: 's3' } }, s3: {} } });
    const actor = createActor(stepper, { inspect: inspector.inspect }).start();
    const asked: string[] = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    await page.goto(inspector.url);
    await page.waitForSelector('.tree [data-actor-name="stepper"][data-value="s0"]');
    await page.waitForSelector('svg.diagram[data-machine="stepper"] [data-state-id="s0"][data-active="true"]');
    for (const state of ['s1', 's2', 's3']) {
      actor.send({ type: 'NEXT' });
      await page.waitForSelector(`svg.diagram[data-machine="stepper"] [data-state-id="${state}"][data-active="true"]`);
      // Whatever this transition makes the page ask has gone out by then.
      await page.waitForTimeout(300);
    }
    // The history holds the transitions before the newest: "previous transition" can go there.
    await page.waitForSelector('#prev-transition:not([disabled])');
    const histories = asked.filter((path) => path === '/api/history').length;
    assert.ok(histories >= 2 && histories <= 4, `${histories} history requests for a selection and three transitions`);
  } finally {
    await page.close();
    await inspector.close();
  }
});

test("the library's charts come laid out with the page (ELK's worker never starts for them); a machine of the user's own is laid out by ELK", async ({ browser }) => {
  const { inspector, page, paths, record, close } = await sessionPage(browser, 20);
  try {
    record();
    await page.goto(inspector.url);
    await assertCompleted(page);
    // The run chart as drawn is ELK's layout of it (the same size as laid out here, in Node).
    const expected = await layoutChart(chartOf(JSON.parse(definitionJson(runMachine.config))));
    assert.is(Number(await page.locator('svg.diagram').getAttribute('data-width')), Math.ceil(expected.width));
    assert.is(Number(await page.locator('svg.diagram').getAttribute('data-height')), Math.ceil(expected.height));
    for (const name of ['assistantStream', 'message', 'runStep']) {
      await page.locator(`.tree [data-actor-name="${name}"]`).first().click();
      await page.waitForSelector(`svg.diagram[data-machine="${name}"]`);
    }
    assert.ok(paths.includes('/chart-layouts.json'));
    assert.not.ok(paths.includes('/elk-worker.js'), 'no ELK worker for the library\'s charts');

    const ownMachine = createMachine({ id: 'usersOwn', initial: 'idle', states: { idle: { on: { GO: 'busy' } }, busy: {} } });
    createActor(ownMachine, { inspect: inspector.inspect }).start().send({ type: 'GO' });
    await page.locator('.tree [data-actor-name="usersOwn"]').click();
    await page.waitForSelector('svg.diagram[data-machine="usersOwn"] [data-state-id="busy"][data-active="true"]');
    assert.ok(paths.includes('/elk-worker.js'), 'a chart the build did not know is laid out by ELK in the page');
  } finally {
    await close();
  }
});

test.run();
