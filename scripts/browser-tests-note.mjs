// Printed at the end of `npm test`: the browser suite is separate (`npm run test:browser`,
// required by .ci/run), and this says whether this machine could run it.
import { existsSync } from 'node:fs';

const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => path && existsSync(path));
console.log(
  chromium === undefined
    ? 'browser tests SKIPPED: no Chromium on this machine (apt-get install -y chromium, then npm run test:browser; .ci/run does both)'
    : `browser tests: not part of npm test; run them with npm run test:browser (Chromium at ${chromium}; .ci/run runs them)`,
);
