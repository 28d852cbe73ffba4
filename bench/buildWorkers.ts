import { build } from 'esbuild';

/**
 * Bundles the given bench workers into bench/.build/<name>.mjs. Workers run bundled JavaScript
 * under plain node, as users run the published package (a TypeScript loader in the measured
 * process slows some code paths by 2× and more).
 */
export async function buildWorkers(entryPoints: Record<string, string>): Promise<void> {
  await build({
    entryPoints,
    outdir: 'bench/.build',
    bundle: true,
    platform: 'node',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}
