/** Lines written per second at most; the rest are counted and summed up in one line. */
const LINES_PER_SECOND = 10;

/**
 * A log of rejected frames that a flood cannot flood: the first lines of each second are
 * written as they come, the rest are summed up once the second is over.
 *
 * @example `const log = createRejectionLog((line) => process.stderr.write(`${line}\n`)); log('ws1: not JSON');`
 */
export function createRejectionLog(write: (line: string) => void): (line: string) => void {
  let windowStart = 0;
  let written = 0;
  let suppressed = 0;
  let summary: ReturnType<typeof setTimeout> | undefined;
  const flushSummary = () => {
    summary = undefined;
    if (suppressed > 0) write(`… and ${suppressed} more frames rejected in the last second`);
    suppressed = 0;
  };
  return (line) => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      written = 0;
    }
    if (written < LINES_PER_SECOND) {
      written += 1;
      write(line);
      return;
    }
    suppressed += 1;
    if (summary === undefined) {
      summary = setTimeout(flushSummary, 1000);
      summary.unref();
    }
  };
}
