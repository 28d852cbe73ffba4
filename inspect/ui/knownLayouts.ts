/**
 * Layouts computed before the page opens: the library's own charts are known when the UI is
 * built, so the build lays them out with the same ELK code and options the page would use and
 * ships them beside the page (`chart-layouts.json`). The page draws a chart from there when its
 * chart is exactly one of them, and lays it out in ELK's worker otherwise; either way the
 * drawing is the same. Pure: the build writes the file, the page and the tests read it.
 */
import type { Chart } from './chart.ts';
import type { Layout } from './layout.ts';

/** The file the build writes: each chart (as its key) with its layout. */
export interface KnownLayoutsFile {
  version: 1;
  layouts: { chart: string; layout: Layout }[];
}

/**
 * What identifies a chart's layout: the chart itself, whole (its states, transitions, guards,
 * handled events, in order). Two definitions that read as the same chart are drawn the same.
 *
 * @example `chartKey(chartOf(definition)) === chartKey(chartOf(sameDefinitionResent)) // true`
 */
export function chartKey(chart: Chart): string {
  return JSON.stringify(chart);
}

/**
 * Reads a `chart-layouts.json` into a map from chart key to layout. Anything that is not such
 * a file (an older build without it, a proxy's error page) gives an empty map: every chart is
 * then laid out in the page, as before.
 *
 * @example `const known = readKnownLayouts(await response.json()); known.get(chartKey(chart))`
 */
export function readKnownLayouts(file: unknown): Map<string, Layout> {
  const known = new Map<string, Layout>();
  if (typeof file !== 'object' || file === null) return known;
  const { version, layouts } = file as Partial<KnownLayoutsFile>;
  if (version !== 1 || !Array.isArray(layouts)) return known;
  for (const entry of layouts) {
    if (typeof entry?.chart === 'string' && typeof entry.layout === 'object' && entry.layout !== null && Array.isArray(entry.layout.states)) known.set(entry.chart, entry.layout);
  }
  return known;
}
