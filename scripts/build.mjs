// Builds dist/: ESM and CommonJS bundles of every entry point (esbuild) and declarations (tsc).
// Dependencies that ship CommonJS stay external; ESM-only ones are bundled into the CJS build,
// so `require('assistant-machines')` works on every Node 20.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildInspectorUi } from './build-inspector-ui.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const entries = {
  index: 'src/index.ts',
  machines: 'machines/index.ts',
  ...(pkg.exports['./server'] ? { server: 'src/server/index.ts' } : {}),
  ...(pkg.exports['./testing'] ? { testing: 'src/testing/index.ts' } : {}),
  ...(pkg.exports['./inspect'] ? { inspect: 'inspect/index.ts' } : {}),
  ...(pkg.exports['./restate'] ? { restate: 'src/restate/index.ts' } : {}),
  ...(pkg.exports['./otel'] ? { otel: 'src/otel/index.ts' } : {}),
};
const ESM_ONLY = new Set(pkg.esmOnlyDependencies ?? []);
// Peers (fast-check, @opentelemetry/api) are the user's own copies: never bundled.
const dependencies = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
// The semantic conventions' names are copied into the build, as that package advises for its
// incubating entry (which may rename them in a minor release): a devDependency, bundled.
const INLINED = /^@opentelemetry\/semantic-conventions(\/|$)/;
const inlineSemconv = {
  name: 'inline-semantic-conventions',
  setup(build) {
    build.onResolve({ filter: INLINED }, (args) => ({ path: fileURLToPath(import.meta.resolve(args.path)) }));
  },
};

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, platform: 'neutral', target: 'node20', sourcemap: true, logLevel: 'warning', mainFields: ['module', 'main'] };
await build({
  ...common,
  entryPoints: entries,
  format: 'esm',
  outdir: 'dist/esm',
  splitting: true,
  external: dependencies.flatMap((name) => [name, `${name}/*`]),
  packages: 'external',
  plugins: [inlineSemconv],
});
await build({
  ...common,
  entryPoints: entries,
  format: 'cjs',
  outdir: 'dist/cjs',
  outExtension: { '.js': '.cjs' },
  external: ['node:*', ...dependencies.filter((name) => !ESM_ONLY.has(name)).flatMap((name) => [name, `${name}/*`])],
  // inspect/assets.ts reads __dirname in CommonJS and import.meta.url only in ESM.
  logOverride: { 'empty-import-meta': 'silent' },
});
// The inspector's browser UI: static files the inspector serves, built beside the ESM bundle.
if (pkg.exports['./inspect']) await buildInspectorUi('dist/esm/inspect-ui');
// The CLI is Node-only and run, not imported: one ESM file for the `bin` link, with Node's
// built-ins (node:fs, node:zlib) resolved by the platform and a shebang so the link executes.
if (pkg.bin) {
  await build({
    ...common,
    platform: 'node',
    entryPoints: { cli: 'src/cli/main.ts' },
    format: 'esm',
    outdir: 'dist/esm',
    // `--otel` imports the OpenTelemetry bridge and SDK dynamically: split into chunks, they are
    // only loaded when asked for, and the CLI runs without any OpenTelemetry package installed.
    splitting: true,
    chunkNames: 'cli-chunks/[name]-[hash]',
    packages: 'external',
    plugins: [inlineSemconv],
    banner: { js: '#!/usr/bin/env node' },
  });
  chmodSync('dist/esm/cli.js', 0o755);
}
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
