// Draws the statecharts as Mermaid `stateDiagram-v2` from the machine definitions themselves
// (states, initial states, final states, transitions and their events), and keeps the drawings
// in docs/statecharts.md up to date between `<!-- statechart:NAME:start -->` and
// `<!-- statechart:NAME:end -->`. `npm run diagrams` rewrites them; tests/diagrams.test.ts fails
// when they differ from what the machines are now.
import { readFile, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { assistantRunMachine, assistantStreamMachine, messageMachine, pollMachine, runMachine, runStepMachine, toolCallMachine } from '../machines/index.ts';

/** Every machine that is drawn, by the name its markers use. */
export const DRAWN_MACHINES: Readonly<Record<string, AnyStateMachine>> = {
  run: runMachine,
  runStep: runStepMachine,
  toolCall: toolCallMachine,
  message: messageMachine,
  assistantStream: assistantStreamMachine,
  poll: pollMachine,
  assistantRun: assistantRunMachine,
};

/** The files whose statechart regions are generated. */
export const DIAGRAM_FILES = ['docs/statecharts.md'] as const;

// A family of at least this many events with the same prefix and the same guard and target is
// drawn as `prefix.*`: the stream chart routes every `thread.run.*` event alike.
const FAMILY_SIZE = 3;

/**
 * The Mermaid `stateDiagram-v2` of a machine, generated from its definition. Transitions that
 * stay in their state (actions only) are drawn as self-loops without guards; a transition
 * declared on a state that contains its target (the machine's own `on`, a compound state's
 * `on` into one of its children) is drawn from each of that state's children that can take it.
 *
 * @example `statechartToMermaid(runMachine).startsWith('stateDiagram-v2') // true`
 */
export function statechartToMermaid(machine: AnyStateMachine): string {
  const graph = toDirectedGraph(machine);
  const lines = ['stateDiagram-v2'];
  const edges = new Map<string, { from: string; to: string; labels: Label[] }>();
  const addEdge = (from: AnyStateNode, to: AnyStateNode, label: Label) => {
    const key = `${idOf(from)}→${idOf(to)}`;
    const edge = edges.get(key) ?? { from: idOf(from), to: idOf(to), labels: [] };
    edge.labels.push(label);
    edges.set(key, edge);
  };

  const walk = (node: DirectedGraphNode, depth: number) => {
    const indent = '  '.repeat(depth);
    const [initial] = node.stateNode.initial?.target ?? [];
    if (initial !== undefined) lines.push(`${indent}[*] --> ${idOf(initial)}`);
    for (const child of node.children) {
      const { key, type } = child.stateNode;
      if (child.children.length > 0) {
        lines.push(idOf(child.stateNode) === key ? `${indent}state ${key} {` : `${indent}state "${key}" as ${idOf(child.stateNode)} {`);
        walk(child, depth + 1);
        lines.push(`${indent}}`);
      } else if (idOf(child.stateNode) !== key) {
        lines.push(`${indent}state "${key}" as ${idOf(child.stateNode)}`);
      }
      if (type === 'final') lines.push(`${indent}${idOf(child.stateNode)} --> [*]`);
    }
  };
  walk(graph, 1);

  for (const node of allNodes(graph)) {
    // toDirectedGraph draws a targetless transition as an edge to its own state; `always`
    // (eventless) transitions are not among its edges, so they are read from the state node.
    const transitions: AnyTransitionDefinition[] = [...new Set(node.edges.map((edge) => edge.transition)), ...(node.stateNode.always ?? [])];
    for (const transition of transitions) {
      const targets = transition.target ?? [];
      if (targets.length === 0) {
        // Actions only: the state handles the event without leaving. The machine's own are its
        // fallbacks (a delta reaching no open state): not a state to draw a loop on.
        if (node !== graph) addEdge(node.stateNode, node.stateNode, { event: transition.eventType, guard: undefined });
        continue;
      }
      for (const target of targets) {
        const label = { event: transition.eventType, guard: guardName(transition.guard) };
        const sources = contains(node.stateNode, target) ? node.children.map((child) => child.stateNode).filter((child) => child.type !== 'final') : [node.stateNode];
        for (const source of sources) addEdge(source, target, label);
      }
    }
  }
  for (const { from, to, labels } of edges.values()) lines.push(`  ${from} --> ${to} : ${formatLabels(labels)}`);
  return `${lines.join('\n')}\n`;
}

interface Label {
  event: string;
  guard: string | undefined;
}

function allNodes(node: DirectedGraphNode): DirectedGraphNode[] {
  return [node, ...node.children.flatMap(allNodes)];
}

function contains(ancestor: AnyStateNode, node: AnyStateNode): boolean {
  return node.path.length > ancestor.path.length && ancestor.path.every((key, index) => node.path[index] === key);
}

// Mermaid ids must be unique in the diagram: a nested state is `parent_child`.
function idOf(node: AnyStateNode): string {
  return node.path.join('_');
}

function guardName(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return guard === undefined ? undefined : 'guarded';
}

// Mermaid ends a transition label at ':' or ';', so XState's internal event names are spelled out.
function eventName(eventType: string): string {
  if (eventType === '') return 'always';
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (actor) return `${actor[2] === '*' ? 'any child' : actor[2]} ${actor[1]}`;
  const delay = /^xstate\.after\.(\d+)\./.exec(eventType);
  if (delay) return `after ${delay[1]} ms`;
  return eventType;
}

function formatLabels(labels: readonly Label[]): string {
  const groups = new Map<string, { prefix: string | undefined; guard: string | undefined; events: string[] }>();
  for (const { event, guard } of labels) {
    const name = eventName(event);
    const prefix = name.includes('.') && !name.includes(' ') ? name.slice(0, name.lastIndexOf('.')) : undefined;
    const key = `${prefix ?? name}|${guard ?? ''}`;
    const group = groups.get(key) ?? { prefix, guard, events: [] };
    if (!group.events.includes(name)) group.events.push(name);
    groups.set(key, group);
  }
  return [...groups.values()]
    .flatMap(({ prefix, guard, events }) => {
      const suffix = guard === undefined ? '' : ` [${guard}]`;
      return prefix !== undefined && events.length >= FAMILY_SIZE ? [`${prefix}.*${suffix}`] : events.map((event) => `${event}${suffix}`);
    })
    .join(', ');
}

/**
 * `text` with every `<!-- statechart:NAME:start -->` … `<!-- statechart:NAME:end -->` region
 * filled with NAME's diagram in a `mermaid` code block. An unknown NAME throws.
 *
 * @example `await writeFile('README.md', fillStatechartRegions(await readFile('README.md', 'utf8')));`
 */
export function fillStatechartRegions(text: string): string {
  return text.replace(/(<!-- statechart:(\w+):start -->\n)[\s\S]*?(<!-- statechart:\2:end -->)/g, (_match, start: string, name: string, end: string) => {
    const machine = DRAWN_MACHINES[name];
    if (machine === undefined) throw new Error(`no machine named ${name} to draw (known: ${Object.keys(DRAWN_MACHINES).join(', ')})`);
    return `${start}\`\`\`mermaid\n${statechartToMermaid(machine)}\`\`\`\n${end}`;
  });
}

async function main(): Promise<void> {
  for (const file of DIAGRAM_FILES) {
    const path = new URL(`../${file}`, import.meta.url);
    const before = await readFile(path, 'utf8');
    const after = fillStatechartRegions(before);
    if (after !== before) await writeFile(path, after);
    console.log(`${file}: ${after === before ? 'up to date' : 'diagrams regenerated'}`);
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) await main();
