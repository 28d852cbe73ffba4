import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles a test's child-process source into tests/.build/<name>.mjs (esbuild, dependencies left
 * external), so the child starts under plain `node` in a fraction of the time `--import tsx`
 * takes. `ready` settles once the bundle is written; start the child after it.
 *
 * @example `const child = bundleChild('helpers/poll-child.ts', 'poll-child'); await child.ready; spawn(process.execPath, [child.path]);`
 */
export function bundleChild(source: string, name: string): { path: string; ready: Promise<unknown> } {
  const path = fileURLToPath(new URL(`../.build/${name}.mjs`, import.meta.url));
  const ready = build({
    entryPoints: [fileURLToPath(new URL(`../${source}`, import.meta.url))],
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return { path, ready };
}
