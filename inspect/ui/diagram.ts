import { html } from 'htm/preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { ActorStateView } from './api.ts';
import { activePaths, chartOf, lastTransitionOf } from './chart.ts';
import { layoutChart, type Layout } from './layout.ts';

const DIAGRAM_SCALE = 0.8;
const layouts = new Map<string, Layout & { chart: ReturnType<typeof chartOf> }>();

function layoutFor(key: string, definition: unknown) {
  let layout = layouts.get(key);
  if (layout === undefined) {
    const chart = chartOf(definition);
    layout = { ...layoutChart(chart), chart };
    layouts.set(key, layout);
  }
  return layout;
}

/**
 * The selected actor's statechart, laid out by dagre from the definition it registered: its
 * active states highlighted, the transition it took last marked.
 */
export function Diagram({ actor, definition }: { actor: ActorStateView | undefined; definition: unknown }) {
  const layout = useMemo(() => (actor?.definition === undefined || definition === undefined ? undefined : layoutFor(actor.definition, definition)), [actor?.definition, definition]);
  const svg = useRef<SVGSVGElement>(null);
  const valueKey = JSON.stringify(actor?.value);
  useEffect(() => {
    // Keep the active state in view when the chart is wider than its panel.
    const active = [...(svg.current?.querySelectorAll('[data-active="true"]') ?? [])].at(-1);
    const box = svg.current?.parentElement;
    if (active === undefined || box == null) return;
    const rect = active.getBoundingClientRect();
    const frame = box.getBoundingClientRect();
    box.scrollLeft += rect.left + rect.width / 2 - (frame.left + frame.width / 2);
    box.scrollTop += rect.top + rect.height / 2 - (frame.top + frame.height / 2);
  }, [valueKey, actor?.definition]);
  if (actor === undefined) return html`<p class="empty">Select an actor to see its statechart.</p>`;
  if (layout === undefined || layout.states.length === 0) return html`<p class="empty">${actor.name} registered no statechart.</p>`;
  const active = new Set(activePaths(actor.value));
  const last = lastTransitionOf(layout.chart, actor.lastTransition);
  const ordered = [...layout.states].sort((a, b) => a.depth - b.depth);
  // Drawn at 80 % of its laid-out size, scrolled (not shrunk) when wider than its panel:
  // the run chart's 33 labelled transitions would be unreadable squeezed into a column.
  return html`<svg ref=${svg} class="diagram" data-machine=${layout.chart.machineId} width=${Math.ceil(layout.width * DIAGRAM_SCALE)} height=${Math.ceil(layout.height * DIAGRAM_SCALE)} viewBox=${`0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`} role="img" aria-label=${`statechart of ${actor.name}`}>
    <defs>
      <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead" /></marker>
      <marker id="arrow-last" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead-last" /></marker>
    </defs>
    ${ordered.map(
      (state) => html`<g key=${state.id} class=${`state state-${state.kind}${active.has(state.id) ? ' active' : ''}`} data-state-id=${state.id} data-active=${active.has(state.id) ? 'true' : 'false'}>
        <rect x=${state.x - state.width / 2} y=${state.y - state.height / 2} width=${state.width} height=${state.height} rx="6" />
        <text x=${state.kind === 'compound' ? state.x - state.width / 2 + 8 : state.x} y=${state.kind === 'compound' ? state.y - state.height / 2 + 14 : state.y + 4} text-anchor=${state.kind === 'compound' ? 'start' : 'middle'}>${state.label}</text>
      </g>`,
    )}
    ${layout.transitions.map((transition) => {
      const isLast = transition.id === last?.id;
      const d = transition.points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ');
      return html`<g key=${transition.id} class=${`transition${isLast ? ' last' : ''}`} data-event=${transition.event} data-last=${isLast ? 'true' : 'false'}>
        <path d=${d} marker-end=${isLast ? 'url(#arrow-last)' : 'url(#arrow)'} />
        <text x=${transition.labelX} y=${transition.labelY} text-anchor="middle">${transition.event}</text>
      </g>`;
    })}
  </svg>`;
}
