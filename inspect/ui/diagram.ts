import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ActorStateView } from './api.ts';
import { activePaths, chartOf, takenTransitions, type Chart } from './chart.ts';
import { chartKey } from './knownLayouts.ts';
import { layoutChart, type Layout, type PlacedState, type Point } from './layout.ts';

type Laid = Layout & { chart: Chart };
const layouts = new Map<string, Promise<Laid>>();
let knownLayouts: Promise<ReadonlyMap<string, Layout>> = Promise.resolve(new Map());

/**
 * The charts laid out when the UI was built (`chart-layouts.json`, read by `readKnownLayouts`):
 * the page draws those without ELK. main.ts sets it as the page starts.
 *
 * @example `setKnownLayouts(getJson('/chart-layouts.json').then(readKnownLayouts, () => new Map()));`
 */
export function setKnownLayouts(known: Promise<ReadonlyMap<string, Layout>>): void {
  knownLayouts = known;
  layouts.clear();
}

/**
 * Lays out each definition once: from the build's layouts when its chart is one of them,
 * otherwise by ELK in its worker (0.6–0.9 s of a core for the run chart, elkjs loaded first).
 */
function layoutFor(key: string, definition: unknown): Promise<Laid> {
  let layout = layouts.get(key);
  if (layout === undefined) {
    const chart = chartOf(definition);
    layout = knownLayouts.then((known) => known.get(chartKey(chart)) ?? layoutChart(chart)).then((laid) => ({ ...laid, chart }));
    layouts.set(key, layout);
  }
  return layout;
}

/** How the drawing sits in its panel: scale, then shift (in panel pixels). */
interface View {
  scale: number;
  x: number;
  y: number;
}

const MIN_SCALE = 0.1;
const MAX_SCALE = 3;
/** Fitting never enlarges a small chart past this. */
const MAX_FIT_SCALE = 1.25;
const MARGIN = 8;

/**
 * The view that shows all of a `width`×`height` drawing, centred, in a `panelWidth`×`panelHeight`
 * panel (never enlarged past 1.25×).
 *
 * @example `fitView(1000, 500, 500, 500) // { scale: 0.484, x: 8, y: 129 }`
 */
export function fitView(width: number, height: number, panelWidth: number, panelHeight: number): View {
  const scale = Math.max(MIN_SCALE, Math.min(MAX_FIT_SCALE, (panelWidth - 2 * MARGIN) / Math.max(1, width), (panelHeight - 2 * MARGIN) / Math.max(1, height)));
  return { scale, x: (panelWidth - width * scale) / 2, y: (panelHeight - height * scale) / 2 };
}

/**
 * The selected actor's statechart, laid out by ELK from the definition it registered: fitted
 * to its panel when it opens and when the panel is resized (until the user pans or zooms), the
 * active states highlighted and always in view, the transitions it took last marked from the
 * state it was in. Drag to pan, wheel to zoom, double-click (or "fit") to fit again.
 */
export function Diagram({ actor, definition }: { actor: ActorStateView | undefined; definition: unknown }) {
  const key = actor?.definition;
  const [laid, setLaid] = useState<Laid | undefined>(undefined);
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const moved = useRef(false);
  const drag = useRef<{ x: number; y: number; view: View } | undefined>(undefined);

  useEffect(() => {
    setLaid(undefined);
    if (key === undefined || definition === undefined) return;
    let current = true;
    void layoutFor(key, definition).then((result) => current && setLaid(result));
    return () => {
      current = false;
    };
  }, [key, definition]);

  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setSize({ width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // A new chart, or a resized panel: fit again, unless the user has moved this chart.
  useLayoutEffect(() => {
    moved.current = false;
  }, [laid]);
  useLayoutEffect(() => {
    if (laid === undefined || size.width === 0 || moved.current) return;
    setView(fitView(laid.width, laid.height, size.width, size.height));
  }, [laid, size.width, size.height]);

  const valueKey = JSON.stringify(actor?.value);
  const active = useMemo(() => new Set(activePaths(actor?.value)), [valueKey]);
  // The active state stays in view: when the user's pan or zoom left it outside, it is brought
  // back (a functional update, so it composes with a fit made in the same render).
  useLayoutEffect(() => {
    if (laid === undefined || size.width === 0) return;
    const leaf = [...laid.states].filter((state) => active.has(state.id)).sort((a, b) => b.depth - a.depth)[0];
    if (leaf === undefined) return;
    setView((now) => keepInView(now, leaf, size));
  }, [laid, valueKey, size.width, size.height]);

  const zoom = (factor: number, at: Point = { x: size.width / 2, y: size.height / 2 }) => {
    moved.current = true;
    setView((now) => {
      const scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, now.scale * factor));
      return { scale, x: at.x - ((at.x - now.x) * scale) / now.scale, y: at.y - ((at.y - now.y) * scale) / now.scale };
    });
  };
  const fit = () => {
    moved.current = false;
    if (laid !== undefined) setView(fitView(laid.width, laid.height, size.width, size.height));
  };

  const body = (() => {
    if (actor === undefined) return html`<p class="empty">Select an actor to see its statechart.</p>`;
    if (actor.definition === undefined) return html`<p class="empty">${actor.name} registered no statechart${actor.orphan ? ' (its @xstate.actor frame never arrived)' : ''}.</p>`;
    if (laid === undefined) return html`<p class="empty">laying out ${actor.name}…</p>`;
    if (laid.states.length <= 1) return html`<p class="empty">${actor.name} has no states to draw.</p>`;
    return drawing(laid, actor, active, view);
  })();

  return html`<div
    class="diagram-box"
    ref=${box}
    onWheel=${(event: WheelEvent) => {
      if (laid === undefined) return;
      event.preventDefault();
      const rect = (event.currentTarget as HTMLElement).getBoundingClientRect();
      zoom(Math.exp(-event.deltaY / 400), { x: event.clientX - rect.left, y: event.clientY - rect.top });
    }}
    onPointerDown=${(event: PointerEvent) => {
      if (event.button !== 0 || laid === undefined) return;
      drag.current = { x: event.clientX, y: event.clientY, view };
      (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    }}
    onPointerMove=${(event: PointerEvent) => {
      const start = drag.current;
      if (start === undefined) return;
      moved.current = true;
      setView({ ...start.view, x: start.view.x + event.clientX - start.x, y: start.view.y + event.clientY - start.y });
    }}
    onPointerUp=${() => (drag.current = undefined)}
    onDblClick=${fit}
  >
    ${body}
    ${laid !== undefined &&
    html`<div class="diagram-tools">
      <button title="zoom in" onClick=${() => zoom(1.25)}>+</button>
      <button title="zoom out" onClick=${() => zoom(0.8)}>−</button>
      <button id="diagram-fit" title="fit the chart to the panel (double-click)" onClick=${fit}>fit</button>
    </div>`}
  </div>`;
}

// The view moved just enough to show `box` (centred on it), or the same view when it shows it.
function keepInView(view: View, box: { x: number; y: number; width: number; height: number }, size: { width: number; height: number }): View {
  const left = box.x * view.scale + view.x;
  const top = box.y * view.scale + view.y;
  const right = left + box.width * view.scale;
  const bottom = top + box.height * view.scale;
  if (left >= 0 && top >= 0 && right <= size.width && bottom <= size.height) return view;
  return { ...view, x: size.width / 2 - (box.x + box.width / 2) * view.scale, y: size.height / 2 - (box.y + box.height / 2) * view.scale };
}

function drawing(laid: Laid, actor: ActorStateView, active: ReadonlySet<string>, view: View) {
  const taken = takenTransitions(laid.chart, actor.lastTransition);
  const takenIds = new Set(taken.map((transition) => transition.id));
  const from = new Set(taken.map((transition) => transition.source));
  const ordered = [...laid.states].sort((a, b) => a.depth - b.depth);
  return html`<svg
    class="diagram"
    data-machine=${laid.chart.machineId}
    data-scale=${view.scale.toFixed(3)}
    data-width=${Math.ceil(laid.width)}
    data-height=${Math.ceil(laid.height)}
    role="img"
    aria-label=${`statechart of ${actor.name}`}
  >
    <defs>
      <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead" /></marker>
      <marker id="arrow-last" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead-last" /></marker>
    </defs>
    <g class="viewport" transform=${`translate(${view.x.toFixed(1)} ${view.y.toFixed(1)}) scale(${view.scale.toFixed(4)})`}>
      ${ordered.map((state) => stateBox(state, active.has(state.id), from.has(state.id) && !active.has(state.id)))}
      ${laid.initials.map(
        (initial) => html`<g class="initial" data-initial-of=${initial.parent} data-target=${initial.target}>
          <circle cx=${initial.x} cy=${initial.y} r="5" />
          <path d=${pathOf(initial.points)} marker-end="url(#arrow)" />
        </g>`,
      )}
      ${laid.edges.map((edge) => {
        const isLast = edge.lines.some((line) => line.transitions.some((id) => takenIds.has(id)));
        return html`<g key=${edge.id} class=${`transition${isLast ? ' last' : ''}`} data-edge-id=${edge.id} data-source=${edge.source} data-target=${edge.target} data-event=${edge.lines.map((line) => line.title).join(' | ')} data-last=${isLast ? 'true' : 'false'}>
          <path d=${pathOf(edge.points)} marker-end=${isLast ? 'url(#arrow-last)' : 'url(#arrow)'} />
          <text x=${edge.label.x + 3} y=${edge.label.y + 11}>
            ${edge.lines.map((line, index) => {
              const lineLast = line.transitions.some((id) => takenIds.has(id));
              return html`<tspan x=${edge.label.x + 3} dy=${index === 0 ? 0 : 14} class=${lineLast ? 'line-last' : ''} data-last=${lineLast ? 'true' : 'false'}><title>${line.title}</title>${line.text}</tspan>`;
            })}
          </text>
        </g>`;
      })}
    </g>
  </svg>`;
}

function stateBox(state: PlacedState, isActive: boolean, isFrom: boolean) {
  const classes = `state state-${state.kind}${isActive ? ' active' : ''}${isFrom ? ' from' : ''}`;
  const { x, y, width, height } = state;
  if (state.kind === 'history') {
    return html`<g key=${state.id} class=${classes} data-state-id=${state.id} data-active=${isActive ? 'true' : 'false'}>
      <circle cx=${x + width / 2} cy=${y + height / 2} r=${width / 2} /><text x=${x + width / 2} y=${y + height / 2 + 4} text-anchor="middle">${state.history === 'deep' ? 'H*' : 'H'}</text><title>${state.label} (history)</title>
    </g>`;
  }
  const container = state.kind === 'machine' || state.kind === 'group' || state.kind === 'compound' || state.kind === 'parallel';
  const title = container
    ? html`<text class="state-title" x=${x + 8} y=${y + 15}>${state.label}</text>`
    : html`<text class="state-title" x=${x + width / 2} y=${y + 20} text-anchor="middle">${state.label}</text>`;
  const handles = state.handles.map(
    (line, index) => html`<text class="state-handles" x=${container ? x + 8 : x + width / 2} y=${y + (container ? 28 : 33) + index * 13} text-anchor=${container ? 'start' : 'middle'}>${line}</text>`,
  );
  return html`<g key=${state.id} class=${classes} data-state-id=${state.id} data-active=${isActive ? 'true' : 'false'}>
    <rect x=${x} y=${y} width=${width} height=${height} rx=${state.kind === 'group' ? 10 : 6} />
    ${state.kind === 'final' && html`<rect class="final-inner" x=${x + 3} y=${y + 3} width=${width - 6} height=${height - 6} rx="4" />`}
    ${title}${handles}
  </g>`;
}

function pathOf(points: readonly Point[]): string {
  return points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ');
}
