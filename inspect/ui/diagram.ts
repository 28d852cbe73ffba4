import { html } from 'htm/preact';
import { useMemo } from 'preact/hooks';
import type { ActorStateView } from './api.ts';
import { activePaths, chartOf, lastTransitionOf } from './chart.ts';
import { layoutChart, type Layout } from './layout.ts';

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
  if (actor === undefined) return html`<p class="empty">Select an actor to see its statechart.</p>`;
  if (layout === undefined || layout.states.length === 0) return html`<p class="empty">${actor.name} registered no statechart.</p>`;
  const active = new Set(activePaths(actor.value));
  const last = lastTransitionOf(layout.chart, actor.lastTransition);
  const ordered = [...layout.states].sort((a, b) => a.depth - b.depth);
  return html`<svg class="diagram" data-machine=${layout.chart.machineId} viewBox=${`0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`} preserveAspectRatio="xMidYMin meet" role="img" aria-label=${`statechart of ${actor.name}`}>
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
