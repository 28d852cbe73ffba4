// Bundles the inspector's browser UI (inspect/ui/) into static files: index.html, app.js,
// app.css, elk-worker.js (elkjs's Web Worker, where the charts are laid out) and
// chart-layouts.json (the library's own charts, laid out here once). scripts/build.mjs writes
// them into dist/esm/inspect-ui/; the browser tests call this too, so they always test the UI's
// current source.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Builds the UI into `outdir` (created if missing). */
export async function buildInspectorUi(outdir) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { app: 'inspect/ui/main.ts' },
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
    // The page lays charts out in ELK's worker (copied below); its single-thread build is for Node.
    external: ['elkjs/lib/elk.bundled.js'],
  });
  copyFileSync('node_modules/elkjs/lib/elk-worker.min.js', join(outdir, 'elk-worker.js'));
  copyFileSync('inspect/ui/index.html', join(outdir, 'index.html'));
  copyFileSync('inspect/ui/app.css', join(outdir, 'app.css'));
  writeFileSync(join(outdir, 'chart-layouts.json'), JSON.stringify(await layOutLibraryCharts()));
}

// inspect/chartLayouts.ts is TypeScript and this script runs on plain Node (npm's `prepare`):
// bundled to a module of its own first. It goes under node_modules/.cache so that its imports
// (xstate, elkjs) resolve from the project, in a directory of its own per build (the browser
// tests build in parallel).
async function layOutLibraryCharts() {
  mkdirSync('node_modules/.cache', { recursive: true });
  const dir = mkdtempSync(join('node_modules', '.cache', 'chart-layouts-'));
  try {
    const outfile = resolve(dir, 'chartLayouts.mjs');
    await build({ entryPoints: ['inspect/chartLayouts.ts'], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
    const { libraryChartLayouts } = await import(pathToFileURL(outfile).href);
    return await libraryChartLayouts();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
