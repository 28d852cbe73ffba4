/**
 * How many generated cases a property test takes: `byDefault` in `npm test`, `full` under
 * PROPERTY_RUNS=full (`npm run test:properties`, which .ci/run runs). The default is a sample
 * that keeps `npm test` fast; the full count is where rare shapes turn up.
 */
export function propertyRuns(byDefault: number, full: number): number {
  return process.env['PROPERTY_RUNS'] === 'full' ? full : byDefault;
}
