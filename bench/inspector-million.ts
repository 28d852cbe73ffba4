// `npm run bench:inspector` (second part): a 1,000,000-event session, opened and scrubbed.
// A stream of ~1,000,000 text deltas goes through the machines into an inspector's store and is
// exported to a file; then, measured: `createInspector({ open: [file] })` (what `inspect --open
// FILE` does) until it serves, the page in Chromium until it shows the session (the message
// completed, the log's rows drawn, the run chart drawn with its final state lit), and five
// scrubs, started the moment the page shows the session, each until every view shows it there
// (the log's current row, the tree, the chart, the position). A scrub is timed twice: in the
// page, from just before the driver asks for it to the frame that shows it (what a person
// scrubbing waits for), and through the driver (Playwright's `fill`, its checks and round trips
// included, then its polling for the views).
// Prints the figures and the load; nothing is asserted (benchmarks measure, tests check).
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createFrameObserver, createInspector, exportLines, InspectorStore } from '../inspect/index.ts';
import { buildInspectorUi } from '../scripts/build-inspector-ui.mjs';
import { AssistantStream } from '../src/index.ts';
import { findChromium } from '../tests/helpers/chromium.ts';
import { buildBenchRun } from './fixture.ts';

const DELTAS = Number(process.env['MILLION_DELTAS'] ?? 1_000_000);
const UI_DIR = 'bench/.build/inspect-ui';
const dir = process.argv[2] === '--open' ? '' : mkdtempSync(join(tmpdir(), 'inspector-million-'));
const file = join(dir, 'million.ndjson');
const executablePath = findChromium();
if (executablePath === undefined) throw new Error('no Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)');

const [mode, given] = process.argv.slice(2);
if (mode === '--open') await measureOpen(given!);
else {
  try {
    await buildInspectorUi(UI_DIR);
    // The session: a real stream through the machines, observed into a store large enough to keep it.
    const started = performance.now();
    const store = new InspectorStore({ maxEvents: DELTAS + 10_000 });
    const bytes = new TextEncoder().encode(buildBenchRun({ textDeltas: DELTAS }).sse);
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 65_536) controller.enqueue(bytes.subarray(offset, offset + 65_536));
        controller.close();
      },
    });
    await AssistantStream.fromSSE(source, { inspect: createFrameObserver((frame) => store.ingest(frame)) }).done();
    const out = createWriteStream(file);
    for (const line of exportLines(store)) if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    await new Promise<void>((resolve) => out.end(() => resolve()));
    console.log(`session: ${store.cursor.nextSeq.toLocaleString('en')} events, streamed and exported in ${((performance.now() - started) / 1000).toFixed(1)} s, file ${(statSync(file).size / 1024 / 1024).toFixed(0)} MB`);
    // Opened in a fresh process, as `inspect --open FILE` would be: this one holds the session twice.
    const { stdout } = await promisify(execFile)(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', 'bench/inspector-million.ts', '--open', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    process.stdout.write(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureOpen(path: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox', '--disable-gpu'], headless: true });
  const loads = [loadavg()[0]!];
  try {
    let started = performance.now();
    const inspector = await createInspector({ uiDir: UI_DIR, open: [path], log: () => {} });
    const served = performance.now() - started;
    const events = inspector.store.cursor.nextSeq;
    try {
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      started = performance.now();
      await page.goto(inspector.url);
      const shown = (selector: string) => page.waitForSelector(selector, { timeout: 60_000 }).then(() => performance.now() - started);
      const [tree, log, chart] = await Promise.all([
        shown('.tree [data-actor-name="message"][data-value="completed"]'),
        shown('.log-row[data-seq]'),
        shown('svg.diagram[data-machine="run"] [data-state-id="completed"][data-active="true"]'),
      ]);
      const ready = Math.max(tree, log, chart);
      const inPage: number[] = [];
      const throughDriver: number[] = [];
      for (const fraction of [0.5, 0.25, 0.75, 0.4, 0.6]) {
        const target = Math.floor(events * fraction);
        await page.evaluate(scrubProbe(target));
        const scrubStarted = performance.now();
        await page.locator('#scrubber').fill(String(target));
        await page.waitForFunction('window.__scrub.shown !== undefined');
        throughDriver.push(performance.now() - scrubStarted);
        inPage.push(Number(await page.evaluate('window.__scrub.shown - window.__scrub.asked')));
      }
      loads.push(loadavg()[0]!);
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const list = (values: number[]) => values.map((ms) => ms.toFixed(0)).join(' / ');
      console.log(
        `open: ${events.toLocaleString('en')} events; the inspector read the file in ${(served / 1000).toFixed(2)} s, the page showed the session ${(ready / 1000).toFixed(2)} s later (${((served + ready) / 1000).toFixed(2)} s in all; its tree ${(tree / 1000).toFixed(2)} s, log ${(log / 1000).toFixed(2)} s, chart ${(chart / 1000).toFixed(2)} s); ` +
          `scrubs to 50/25/75/40/60%, in the page: ${list(inPage)} ms (median ${median(inPage).toFixed(0)}), through the driver: ${list(throughDriver)} ms (median ${median(throughDriver).toFixed(0)}); ` +
          `heap ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
      );
    } finally {
      await inspector.close();
    }
  } finally {
    await browser.close();
  }
}

// Installed in the page before a scrub (as a string: functions passed to the page would carry
// tsx's helpers): notes when it was asked for, and the first frame after every view shows
// `target` — the log's current row, the message in the tree, the run chart's active state and
// the position — from a MutationObserver, then requestAnimationFrame (the frame that paints it).
function scrubProbe(target: number): string {
  return `(() => {
    const probe = { asked: performance.now(), shown: undefined };
    window.__scrub = probe;
    const shows = () =>
      document.querySelector('.log-row.current[data-seq="${target}"]') !== null &&
      document.querySelector('.tree [data-actor-name="message"][data-value="in_progress.text"]') !== null &&
      document.querySelector('svg.diagram[data-machine="run"] [data-state-id="in_progress"][data-active="true"]') !== null &&
      document.querySelector('#position[data-at="${target}"]') !== null;
    const observer = new MutationObserver(() => {
      if (!shows()) return;
      observer.disconnect();
      requestAnimationFrame(() => { probe.shown = performance.now(); });
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  })()`;
}
