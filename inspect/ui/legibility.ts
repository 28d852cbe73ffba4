import type { Layout, Point } from './layout.ts';

/**
 * How many pairs of edges cross: two edges count once however often they cross, and edges
 * that only meet where they share an end (a state) or run along each other (a merged bundle
 * into one state) do not count. What docs/inspect.md reports for the run and stream charts.
 *
 * @example `crossingPairs(await layoutChart(chartOf(definition))) // 12`
 */
export function crossingPairs(layout: Pick<Layout, 'edges'>): number {
  const edges = layout.edges.map((edge) => edge.points);
  let pairs = 0;
  for (let a = 0; a < edges.length; a++) {
    for (let b = a + 1; b < edges.length; b++) if (polylinesCross(edges[a]!, edges[b]!)) pairs += 1;
  }
  return pairs;
}

/**
 * The share of a drawing of `width`×`height` that shows whole in a panel of `panelWidth`×
 * `panelHeight` at `scale` (1 when it all fits).
 *
 * @example `shareInside({ width: 800, height: 600 }, 400, 600, 1) // 0.5`
 */
export function shareInside(drawing: { width: number; height: number }, panelWidth: number, panelHeight: number, scale: number): number {
  const width = drawing.width * scale;
  const height = drawing.height * scale;
  if (width <= 0 || height <= 0) return 1;
  // Rounded to a millionth: a drawing scaled to fit exactly is all inside, not 0.9999999.
  return Math.round(Math.min(1, panelWidth / width) * Math.min(1, panelHeight / height) * 1e6) / 1e6;
}

function polylinesCross(a: readonly Point[], b: readonly Point[]): boolean {
  for (let i = 0; i + 1 < a.length; i++) {
    for (let j = 0; j + 1 < b.length; j++) if (segmentsCross(a[i]!, a[i + 1]!, b[j]!, b[j + 1]!)) return true;
  }
  return false;
}

// A proper crossing: each segment has the other's ends strictly on both sides. Touching,
// sharing an end and running along each other (collinear) are not crossings.
function segmentsCross(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = side(q1, q2, p1);
  const d2 = side(q1, q2, p2);
  const d3 = side(p1, p2, q1);
  const d4 = side(p1, p2, q2);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

function side(a: Point, b: Point, c: Point): number {
  const cross = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  return Math.abs(cross) < 1e-6 ? 0 : Math.sign(cross);
}
