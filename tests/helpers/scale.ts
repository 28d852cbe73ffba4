/**
 * Whether the tests whose cost is their size run at full size: TEST_SCALE=full (`npm run
 * test:scale`, which .ci/run runs). By default they take a smaller sample of the same cases — the
 * same kinds of threads, the same cut points relative to the run — so `npm test` stays fast; the
 * full size is what the issues asked to be shown (50 threads migrated, a 60 MiB fragment).
 */
export const FULL_SCALE = process.env['TEST_SCALE'] === 'full';

/** `full` under TEST_SCALE=full, else `byDefault`. @example `const THREADS = atScale(10, 50);` */
export function atScale<T>(byDefault: T, full: T): T {
  return FULL_SCALE ? full : byDefault;
}
