import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package puts the browser; CHROMIUM_PATH overrides it. */
export const CHROMIUM_CANDIDATES = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The system Chromium the browser tests drive (never a downloaded one), if installed. */
export function findChromium(): string | undefined {
  return CHROMIUM_CANDIDATES.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}
