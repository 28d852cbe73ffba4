import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The UI's files, as scripts/build.mjs writes them: the page, its script, its styles, ELK's
 * worker (the charts' layout) and the library's charts laid out at build time.
 */
export const UI_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'elk-worker.js': 'text/javascript; charset=utf-8',
  'chart-layouts.json': 'application/json; charset=utf-8',
} as const;
export type UiFile = keyof typeof UI_FILES;

/**
 * Where the bundled UI is: `dist/esm/inspect-ui/` beside the built package, found from this
 * module (built: `dist/esm/`, `dist/cjs/`; source: `inspect/`; a test bundle: `tests/.build/`).
 * Undefined when it was never built.
 *
 * @example `const dir = findUiDir(); // …/dist/esm/inspect-ui`
 */
export function findUiDir(): string | undefined {
  const here = moduleDir();
  const candidates = [join(here, 'inspect-ui'), join(here, '..', 'esm', 'inspect-ui'), join(here, '..', 'dist', 'esm', 'inspect-ui'), join(here, '..', '..', 'dist', 'esm', 'inspect-ui')];
  return candidates.find((candidate) => existsSync(join(candidate, 'index.html')));
}

/**
 * One UI file, with the token written into the page (its script, styles and API calls need it).
 *
 * @example `const page = await readUiFile(dir, 'index.html', token);`
 */
export async function readUiFile(dir: string | undefined, name: UiFile, token: string): Promise<string> {
  if (dir === undefined) return name === 'index.html' ? NOT_BUILT_PAGE : name === 'chart-layouts.json' ? NO_KNOWN_LAYOUTS : '';
  // A UI built before chart layouts were (or a directory of the user's own) lays every chart out in the page.
  const text = await readFile(join(dir, name), 'utf8').catch((error: unknown) => {
    if (name === 'chart-layouts.json' && (error as NodeJS.ErrnoException).code === 'ENOENT') return NO_KNOWN_LAYOUTS;
    throw error;
  });
  return name === 'index.html' ? text.replaceAll('__TOKEN__', encodeURIComponent(token)) : text;
}

const NO_KNOWN_LAYOUTS = JSON.stringify({ version: 1, layouts: [] });

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>assistant-machines inspector</title>
<p>The inspector's UI was not built (run <code>npm run build</code>). Its JSON API works: <code>/api/actors</code>, <code>/api/events</code>.</p>`;

function moduleDir(): string {
  // The CommonJS build has __dirname and no import.meta.url; the ESM build the other way round.
  if (typeof __dirname === 'string') return __dirname;
  return dirname(fileURLToPath(import.meta.url));
}
