import dagre from '@dagrejs/dagre';
import type { Chart } from './chart.ts';

/** A state placed on the page: its box (center and size). */
export interface PlacedState {
  id: string;
  label: string;
  kind: string;
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
}

/** A transition placed on the page: its polyline and label position. */
export interface PlacedTransition {
  id: string;
  event: string;
  source: string;
  target: string;
  points: Array<{ x: number; y: number }>;
  labelX: number;
  labelY: number;
}

/** A laid-out chart. */
export interface Layout {
  width: number;
  height: number;
  states: PlacedState[];
  transitions: PlacedTransition[];
}

const CHAR_WIDTH = 7;
const STATE_HEIGHT = 30;

/**
 * Lays a chart out with dagre (layered, top to bottom), nested states as clusters around their
 * children. dagre lays out no edge to a cluster, so a transition to a compound state is laid
 * out and drawn to its initial child, and one from it from its initial (or first) child.
 *
 * @example `const { states, transitions, width, height } = layoutChart(chartOf(definition));`
 */
export function layoutChart(chart: Chart): Layout {
  const graph = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 44, edgesep: 12, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  const byId = new Map(chart.states.map((state) => [state.id, state]));
  const hasChildren = new Set(chart.states.flatMap((state) => (state.parent === undefined ? [] : [state.parent])));
  for (const state of chart.states) {
    graph.setNode(state.id, { label: state.key, width: Math.max(60, state.key.length * CHAR_WIDTH + 24), height: STATE_HEIGHT });
    if (state.parent !== undefined) graph.setParent(state.id, state.parent);
  }
  // A compound state stands for its initial (or first) leaf in the layout.
  const leafOf = (id: string): string => {
    if (!hasChildren.has(id)) return id;
    const state = byId.get(id);
    const child = state?.initial ?? chart.states.find((candidate) => candidate.parent === id)?.id;
    return child === undefined ? id : leafOf(child);
  };
  for (const transition of chart.transitions) {
    const source = leafOf(transition.source);
    const target = leafOf(transition.target);
    graph.setEdge(source, target, { label: transition.event, width: Math.min(transition.event.length, 40) * 6, height: 14, labelpos: 'c' }, transition.id);
  }
  dagre.layout(graph);
  const depthOf = (id: string): number => (byId.get(id)?.parent === undefined ? 0 : 1 + depthOf(byId.get(id)!.parent!));
  const states: PlacedState[] = chart.states.map((state) => {
    const node = graph.node(state.id) as { x: number; y: number; width: number; height: number };
    return { id: state.id, label: state.key, kind: state.kind, x: node.x, y: node.y, width: node.width, height: node.height, depth: depthOf(state.id) };
  });
  const transitions: PlacedTransition[] = chart.transitions.map((transition) => {
    const edge = graph.edge({ v: leafOf(transition.source), w: leafOf(transition.target), name: transition.id }) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number };
    const points = edge.points ?? [];
    const middle = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    return { id: transition.id, event: transition.event, source: transition.source, target: transition.target, points, labelX: edge.x ?? middle.x, labelY: edge.y ?? middle.y };
  });
  const label = graph.graph() as { width?: number; height?: number };
  return { width: label.width ?? 0, height: label.height ?? 0, states, transitions };
}
