import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { commonEventPrefix, edgesOf, labelText, type Chart, type ChartEdge, type ChartState, type EdgeLabel } from './chart.ts';

/** A point of a drawn edge. */
export interface Point {
  x: number;
  y: number;
}

/** A state placed on the page: its box (top-left corner and size). */
export interface PlacedState {
  id: string;
  label: string;
  /** `machine` is the machine's own box; `group` a box drawn around states that share their exits (not a state). */
  kind: ChartState['kind'] | 'machine' | 'group';
  /** Events handled without leaving, compacted (`thread.run.{created, queued, … +8} [isNewRun | runAccepts]`). */
  handles: string[];
  history: ChartState['history'];
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
}

/** One line of an edge's label: the transitions it stands for. */
export interface LabelLine {
  text: string;
  /** The full text when `text` was shortened (shown as a tooltip). */
  title: string;
  transitions: string[];
}

/** An edge placed on the page: its polyline and its label (a box of lines). */
export interface PlacedEdge {
  id: string;
  /** A state, a group (`group:…`) or the machine (`''`). */
  source: string;
  target: string;
  points: Point[];
  lines: LabelLine[];
  label: { x: number; y: number; width: number; height: number };
}

/** The dot that marks a compound state's (or the machine's) initial state, and its arrow. */
export interface PlacedInitial {
  /** The compound state it belongs to, `''` for the machine. */
  parent: string;
  target: string;
  x: number;
  y: number;
  points: Point[];
}

/** A laid-out chart. */
export interface Layout {
  width: number;
  height: number;
  states: PlacedState[];
  edges: PlacedEdge[];
  initials: PlacedInitial[];
}

/** Width of one character of a label, at the diagram's font size (measured for 11–12 px sans). */
const CHAR_WIDTH = 6.6;
const LABEL_HEIGHT = 14;
const STATE_HEIGHT = 32;
const INITIAL_SIZE = 10;
/** A handled-events line inside a state box: smaller type. */
const HANDLE_LINE = 13;
const HANDLE_CHAR_WIDTH = 5.6;
const HISTORY_SIZE = 26;

/**
 * The options of ELK's layered algorithm that give these charts their shape, chosen by
 * measuring crossings on the run and stream charts (docs/inspect.md, "Legibility"): layers top
 * to bottom, edges routed around boxes at right angles, labels placed as their own nodes so
 * no label sits on a box, the definition's order kept where it costs no crossing.
 */
export const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  'elk.layered.crossingMinimization.greedySwitch.type': 'TWO_SIDED',
  'elk.layered.thoroughness': '30',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.mergeEdges': 'true',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '8',
  'elk.spacing.edgeLabel': '4',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
  'elk.edgeLabels.inline': 'false',
  'elk.layered.edgeLabels.sideSelection': 'SMART_DOWN',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};

let sharedElk: Promise<ElkApi> | undefined;
let elkFactory: (() => ElkApi) | undefined;

/**
 * Where layouts are computed. In the page, a Web Worker (the UI sets it: a layout never blocks
 * the page); by default, in Node, ELK's bundled build in the same thread.
 *
 * @example `setElkFactory(() => new ELK({ workerUrl: '/elk-worker.js' }));`
 */
export function setElkFactory(factory: () => ElkApi): void {
  elkFactory = factory;
  sharedElk = undefined;
}

async function elkInstance(): Promise<ElkApi> {
  if (elkFactory !== undefined) return elkFactory();
  // elkjs is CommonJS: its constructor is the module itself or its default. The UI's bundle
  // leaves this module out (it uses the worker), so it is loaded only here.
  const bundled = (await import('elkjs/lib/elk.bundled.js')) as unknown as { default?: unknown };
  const Constructor = ((bundled.default as { default?: unknown } | undefined)?.default ?? bundled.default ?? bundled) as new () => ElkApi;
  return new Constructor();
}

/** The machine's own box in ELK (the empty path cannot be an id). */
const MACHINE = '#machine';
/** Label lines shown per edge before the rest are folded by prefix. */
const MAX_LINES = 4;

/** States that share their exits: drawn in one box, each shared exit as one edge from it. */
interface Group {
  id: string;
  parent: string;
  members: string[];
  targets: Set<string>;
}

/**
 * Lays a chart out with ELK's layered algorithm (elkjs): the machine as the outer box, nested
 * states as boxes around their children, edges between any two boxes (a compound state's own
 * transitions start and end on its border, not on a child; the machine's own leave its box),
 * parallel transitions merged into one edge with a line per event and its guards, initial
 * states marked by a dot and an arrow, history states as circles.
 *
 * Where three or more sibling states each have a transition to the same two or more states
 * (the run chart: five open statuses, each able to end in any of the five final ones), they
 * are drawn inside a dashed box and each shared exit as one edge from that box, its lines
 * saying which of them it leaves from when not all: 25 edges become 5, and their crossings go.
 *
 * @example `const { states, edges, width, height } = await layoutChart(chartOf(definition));`
 */
export async function layoutChart(chart: Chart, options: Record<string, string> = {}): Promise<Layout> {
  sharedElk ??= elkInstance();
  const elk = await sharedElk;
  const byParent = new Map<string, ChartState[]>();
  for (const state of chart.states) byParent.set(state.parent ?? '', [...(byParent.get(state.parent ?? '') ?? []), state]);
  const chartEdges = edgesOf(chart);
  const prefix = commonEventPrefix(chart);
  const groups = findGroups(chart, chartEdges, byParent);
  const groupOf = new Map<string, Group>();
  for (const group of groups) for (const member of group.members) groupOf.set(member, group);
  const drawnEdges = bundle(chartEdges, groupOf, prefix);

  const nodeId = (id: string) => (id === '' ? MACHINE : id);
  const initialId = (parent: string) => `${parent}::initial`;
  const edges: ElkExtendedEdge[] = [];
  const childrenOf = (parent: string): ElkNode[] => {
    const nodes: ElkNode[] = [];
    const seenGroups = new Set<Group>();
    for (const child of byParent.get(parent) ?? []) {
      const group = groupOf.get(child.id);
      if (group === undefined) nodes.push(nodeOf(child));
      else if (!seenGroups.has(group)) {
        seenGroups.add(group);
        nodes.push({ id: group.id, children: group.members.map((member) => nodeOf(chart.states.find((state) => state.id === member)!)), layoutOptions: { 'elk.padding': '[top=20,left=10,bottom=10,right=10]' } });
      }
    }
    const state = chart.states.find((candidate) => candidate.id === parent);
    const initial = parent === '' ? chart.initial : state?.kind === 'parallel' ? undefined : state?.initial;
    if (initial !== undefined) {
      nodes.unshift({ id: initialId(parent), width: INITIAL_SIZE, height: INITIAL_SIZE });
      edges.push({ id: `${initialId(parent)}->`, sources: [initialId(parent)], targets: [initial] });
    }
    return nodes;
  };
  const nodeOf = (state: ChartState): ElkNode => {
    if (state.kind === 'history') return { id: state.id, width: HISTORY_SIZE, height: HISTORY_SIZE };
    const handles = compact(state.handles, prefix).map((line) => `↺ ${line.text}`);
    const textWidth = Math.max(state.key.length * (CHAR_WIDTH + 0.6), ...handles.map((line) => line.length * HANDLE_CHAR_WIDTH));
    if ((byParent.get(state.id) ?? []).length === 0) {
      return { id: state.id, width: Math.max(64, textWidth + 24), height: STATE_HEIGHT + handles.length * HANDLE_LINE };
    }
    return {
      id: state.id,
      children: childrenOf(state.id),
      layoutOptions: { 'elk.padding': `[top=${26 + handles.length * HANDLE_LINE},left=12,bottom=12,right=12]`, ...(state.kind === 'parallel' ? { 'elk.direction': 'RIGHT' } : {}) },
      // ELK makes a compound box as wide as its children: its title and handled events need room too.
      width: textWidth + 24,
    };
  };
  for (const edge of drawnEdges) {
    const height = edge.lines.length * LABEL_HEIGHT;
    const width = Math.max(...edge.lines.map((line) => line.text.length * CHAR_WIDTH)) + 6;
    edges.push({ id: edge.id, sources: [nodeId(edge.source)], targets: [nodeId(edge.target)], labels: [{ id: `${edge.id}:label`, text: edge.lines.map((line) => line.text).join('\n'), width, height }] });
  }
  const machine: ElkNode = { id: MACHINE, children: childrenOf(''), layoutOptions: { 'elk.padding': '[top=28,left=14,bottom=14,right=14]' } };
  const graph: ElkNode = await elk.layout({ id: 'root', layoutOptions: { ...LAYOUT_OPTIONS, ...options }, children: [machine], edges });

  // ELK gives positions relative to each parent, and an edge's points relative to its container.
  const absolute = new Map<string, Point>([['root', { x: 0, y: 0 }]]);
  const placed = new Map<string, ElkNode>();
  const visit = (node: ElkNode, origin: Point) => {
    for (const child of node.children ?? []) {
      const at = { x: origin.x + (child.x ?? 0), y: origin.y + (child.y ?? 0) };
      absolute.set(child.id, at);
      placed.set(child.id, child);
      visit(child, at);
    }
  };
  visit(graph, { x: 0, y: 0 });
  const byId = new Map(chart.states.map((state) => [state.id, state]));
  const depthOf = (id: string): number => (byId.get(id)?.parent === undefined ? 1 : 1 + depthOf(byId.get(id)!.parent!)) + (groupOf.has(id) ? 1 : 0);
  const box = (id: string) => {
    const node = placed.get(id)!;
    const at = absolute.get(id)!;
    return { x: at.x, y: at.y, width: node.width ?? 0, height: node.height ?? 0 };
  };
  const states: PlacedState[] = [
    { id: '', label: prefix === '' ? chart.machineId : `${chart.machineId}   (… = ${prefix})`, kind: 'machine', handles: [], history: undefined, depth: 0, ...box(MACHINE) },
    ...groups.map((group): PlacedState => ({ id: group.id, label: `any of ${group.members.length}`, kind: 'group', handles: [], history: undefined, depth: depthOf(group.members[0]!) - 1, ...box(group.id) })),
    ...chart.states.map((state): PlacedState => ({ id: state.id, label: state.key, kind: state.kind, handles: compact(state.handles, prefix).map((line) => `↺ ${line.text}`), history: state.history, depth: depthOf(state.id), ...box(state.id) })),
  ];
  const laidEdges = new Map<string, ElkExtendedEdge>();
  const collectEdges = (node: ElkNode) => {
    for (const edge of node.edges ?? []) laidEdges.set(edge.id, edge);
    for (const child of node.children ?? []) collectEdges(child);
  };
  collectEdges(graph);
  const originOf = (edge: ElkExtendedEdge) => absolute.get((edge as { container?: string }).container ?? 'root') ?? { x: 0, y: 0 };
  const pointsOf = (edge: ElkExtendedEdge): Point[] => {
    const origin = originOf(edge);
    const shift = (point: Point) => ({ x: point.x + origin.x, y: point.y + origin.y });
    return (edge.sections ?? []).flatMap((section) => [shift(section.startPoint), ...(section.bendPoints ?? []).map(shift), shift(section.endPoint)]);
  };
  const placedEdges: PlacedEdge[] = drawnEdges.map((edge) => {
    const laid = laidEdges.get(edge.id)!;
    const origin = originOf(laid);
    const label = laid.labels?.[0];
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      points: pointsOf(laid),
      lines: edge.lines,
      label: { x: origin.x + (label?.x ?? 0), y: origin.y + (label?.y ?? 0), width: label?.width ?? 0, height: label?.height ?? 0 },
    };
  });
  const initials: PlacedInitial[] = [];
  for (const [id, at] of absolute) {
    if (!id.endsWith('::initial')) continue;
    const parent = id.slice(0, -'::initial'.length);
    const laid = laidEdges.get(`${id}->`);
    initials.push({ parent, target: laid?.targets[0] ?? '', x: at.x + INITIAL_SIZE / 2, y: at.y + INITIAL_SIZE / 2, points: laid === undefined ? [] : pointsOf(laid) });
  }
  return { width: graph.width ?? 0, height: graph.height ?? 0, states, edges: placedEdges, initials };
}

/** An edge as drawn: from a state, a group or the machine, with its label lines. */
interface DrawnEdge {
  id: string;
  source: string;
  target: string;
  lines: LabelLine[];
}

// Sibling states (not final, not history) that each reach the same two or more targets: the
// largest such set of three or more, per parent.
function findGroups(chart: Chart, edges: readonly ChartEdge[], byParent: ReadonlyMap<string, readonly ChartState[]>): Group[] {
  const groups: Group[] = [];
  for (const [parent, siblings] of byParent) {
    const candidates = new Set(siblings.filter((state) => state.kind !== 'final' && state.kind !== 'history').map((state) => state.id));
    if (candidates.size < 3) continue;
    const sourcesByTarget = new Map<string, Set<string>>();
    for (const edge of edges) {
      if (!candidates.has(edge.source) || edge.target.startsWith(`${edge.source}.`) || edge.target === edge.source) continue;
      sourcesByTarget.set(edge.target, (sourcesByTarget.get(edge.target) ?? new Set()).add(edge.source));
    }
    // The source set shared by the most targets (targets outside it), three states at least.
    const counts = new Map<string, { members: string[]; targets: Set<string> }>();
    for (const [target, sources] of sourcesByTarget) {
      if (sources.size < 3 || sources.has(target)) continue;
      const members = [...candidates].filter((id) => sources.has(id));
      const key = members.join('\u0000');
      const entry = counts.get(key) ?? { members, targets: new Set<string>() };
      entry.targets.add(target);
      counts.set(key, entry);
    }
    const best = [...counts.values()].filter((entry) => entry.targets.size >= 2).sort((a, b) => b.targets.size * b.members.length - a.targets.size * a.members.length)[0];
    if (best === undefined) continue;
    // Targets reached from every member, though from others too, share the edge as well.
    for (const [target, sources] of sourcesByTarget) if (!best.members.includes(target) && best.members.every((member) => sources.has(member))) best.targets.add(target);
    groups.push({ id: `group:${parent}:${groups.length}`, parent, members: best.members, targets: best.targets });
  }
  void chart;
  return groups;
}

// Each group's shared exits become one edge from the group; every other edge stays as it is.
function bundle(edges: readonly ChartEdge[], groupOf: ReadonlyMap<string, Group>, prefix: string): DrawnEdge[] {
  const drawn: DrawnEdge[] = [];
  const bundled = new Map<string, { group: Group; target: string; lines: Map<string, { sources: string[]; transitions: string[]; title: string }> }>();
  for (const edge of edges) {
    const group = groupOf.get(edge.source);
    if (group === undefined || !group.targets.has(edge.target)) {
      drawn.push({ id: edge.id, source: edge.source, target: edge.target, lines: compact(edge.labels, prefix) });
      continue;
    }
    const key = `${group.id}->${edge.target}`;
    const entry = bundled.get(key) ?? { group, target: edge.target, lines: new Map() };
    bundled.set(key, entry);
    for (const label of edge.labels) {
      const text = labelText(label, prefix);
      const line = entry.lines.get(text) ?? { sources: [], transitions: [], title: labelText(label) };
      line.sources.push(edge.source);
      line.transitions.push(...label.transitions);
      entry.lines.set(text, line);
    }
  }
  for (const [key, { group, target, lines }] of bundled) {
    const texts: LabelLine[] = [...lines].map(([text, { sources, transitions, title }]) => {
      const from = sources.length === group.members.length ? '' : ` — from ${sources.join(', ')}`;
      return { text: `${text}${from}`, title: `${title}${from}`, transitions };
    });
    drawn.push({ id: key, source: group.id, target, lines: texts });
  }
  return drawn;
}

/**
 * An edge's (or a state's handled events') label lines: one per event with its guards; past
 * four, events that share a prefix and guards fold into one line (`thread.run.{created,
 * queued, … +8} [else]`), the full list kept as the line's title.
 *
 * @example `compact([{ event: 'GO', guards: ['ready'], transitions: ['t0'] }]) // [{ text: 'GO [ready]', title: 'GO [ready]', transitions: ['t0'] }]`
 */
export function compact(labels: readonly EdgeLabel[], prefix = ''): LabelLine[] {
  if (labels.length <= MAX_LINES) return labels.map((label) => ({ text: labelText(label, prefix), title: labelText(label), transitions: label.transitions }));
  const folds = new Map<string, { prefix: string; guards: string[]; rests: string[]; transitions: string[] }>();
  for (const label of labels) {
    const cut = label.event.lastIndexOf('.');
    const prefix = cut < 0 ? '' : label.event.slice(0, cut + 1);
    const key = `${prefix}\u0000${label.guards.join('|')}`;
    const fold = folds.get(key) ?? { prefix, guards: label.guards, rests: [], transitions: [] };
    fold.rests.push(cut < 0 ? label.event : label.event.slice(cut + 1));
    fold.transitions.push(...label.transitions);
    folds.set(key, fold);
  }
  return [...folds.values()].map(({ prefix: head, guards, rests, transitions }) => {
    const guard = guards.length === 0 ? '' : ` [${guards.join(' | ')}]`;
    const all = rests.length === 1 ? `${head}${rests[0]}` : `${head}{${rests.join(', ')}}`;
    const text = rests.length <= 3 ? all : `${head}{${rests.slice(0, 2).join(', ')}, … +${rests.length - 2}}`;
    const short = prefix !== '' && text.startsWith(prefix) ? `…${text.slice(prefix.length)}` : text;
    return { text: `${short}${guard}`, title: `${all}${guard}`, transitions };
  });
}
