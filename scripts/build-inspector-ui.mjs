// Bundles the inspector's browser UI (inspect/ui/) into static files: index.html, app.js,
// app.css, and elk-worker.js (elkjs's Web Worker, where the charts are laid out). scripts/build.mjs writes them into dist/esm/inspect-ui/; the browser tests call this
// too, so they always test the UI's current source.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

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
}
