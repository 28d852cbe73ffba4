// `npm run bench:inspector` (second part): a 1,000,000-event session, opened and scrubbed.
// A stream of ~1,000,000 text deltas goes through the machines into an inspector's store and is
// exported to a file; then, measured: `createInspector({ open: [file] })` (what `inspect --open
// FILE` does) until it serves, the page in Chromium until it shows the session (the message
// completed, the log's rows drawn), and a scrub to the middle until every view shows it there.
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
      await page.waitForSelector('.tree [data-actor-name="message"][data-value="completed"]', { timeout: 60_000 });
      await page.waitForSelector('.log-row[data-seq]', { timeout: 60_000 });
      const ready = performance.now() - started;
      const scrubs: number[] = [];
      for (const fraction of [0.5, 0.25, 0.75, 0.4, 0.6]) {
        const target = Math.floor(events * fraction);
        const scrubStarted = performance.now();
        await page.locator('#scrubber').fill(String(target));
        await page.waitForSelector(`.log-row.current[data-seq="${target}"]`);
        await page.waitForSelector('.tree [data-actor-name="message"][data-value="in_progress.text"]');
        scrubs.push(performance.now() - scrubStarted);
      }
      loads.push(loadavg()[0]!);
      const sorted = [...scrubs].sort((a, b) => a - b);
      console.log(
        `open: ${events.toLocaleString('en')} events; the inspector read the file in ${(served / 1000).toFixed(2)} s, the page showed the session ${(ready / 1000).toFixed(2)} s later (${((served + ready) / 1000).toFixed(2)} s in all); ` +
          `scrubs to 50/25/75/40/60%: ${scrubs.map((ms) => ms.toFixed(0)).join(' / ')} ms (median ${sorted[2]!.toFixed(0)}); heap ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
      );
    } finally {
      await inspector.close();
    }
  } finally {
    await browser.close();
  }
}
