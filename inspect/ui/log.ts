import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { fetchEvents, type ActorView, type EventView } from './api.ts';
import { formatDuration } from './timing.ts';

/** Every row has this height, so only the rows in view are drawn, whatever the total. */
export const ROW_HEIGHT = 22;
const PAGE_SIZE = 200;
const OVERSCAN = 10;
/** A lane's width: narrow in the log, wide enough for an arrow's label in the sequence view. */
const LANE_WIDTH = { log: 14, sequence: 120 } as const;
/** The sticky left part of a row (seq, time, type, route) in each mode. */
const TEXT_WIDTH = { log: 380, sequence: 96 } as const;
const HEADER_HEIGHT = { log: 74, sequence: 30 } as const;

/** What the log shows: all events, or those of one actor and/or of a type. */
export interface LogFilter {
  actor: string | undefined;
  type: string;
}

/** `log`: one line per event with narrow labelled lanes; `sequence`: lifelines with an arrow per event, as Stately draws. */
export type LogMode = 'log' | 'sequence';

/**
 * The event log. Each actor has a lane (labelled at the top, any number of them: the lanes
 * scroll sideways, the event text stays), each event a dot on the actor it reached and a line
 * from the one that sent it; in the sequence view the lanes are lifelines and each event an
 * arrow with its type. Virtualized: the rows in view (and a few more) exist, fetched a page of
 * 200 at a time from `/api/events`; a page asked for under an older filter is never taken for
 * the new one, and never keeps the new one from being asked.
 */
export function EventLog(props: {
  filter: LogFilter;
  total: number;
  /** Changes whenever new events may have come: pages not yet full are fetched again. */
  version: number;
  at: number;
  firstSeq: number;
  /** Every actor, in lane order. */
  lanes: readonly ActorView[];
  names: ReadonlyMap<string, string>;
  onPick: (event: EventView) => void;
  follow: boolean;
  mode: LogMode;
}) {
  const { filter, total, version, at, firstSeq, lanes, names, onPick, follow, mode } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, left: 0 });
  const [size, setSize] = useState({ width: 400, height: 400 });
  const pages = useRef(new Map<number, EventView[]>());
  const loading = useRef(new Set<string>());
  const [, redraw] = useState(0);
  // Pages are cached by offset; dropping the oldest events shifts every offset, so a new
  // firstSeq empties the cache as a new filter does.
  const filterKey = `${filter.actor ?? ''}|${filter.type}|${firstSeq}`;
  const lastFilter = useRef(filterKey);
  if (lastFilter.current !== filterKey) {
    lastFilter.current = filterKey;
    pages.current.clear();
  }

  useEffect(() => {
    const element = viewport.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setSize({ width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const header = HEADER_HEIGHT[mode];
  const [first, last] = rowsInView(scroll.top, size.height, total);

  // Following the present (or a scrubbed point) keeps its row in view; only without filters
  // is a seq's row known without asking. Before the pages are fetched: they are those in view
  // after it. Both as the render is committed: a scrub's row is asked for before its frame is painted.
  useLayoutEffect(() => {
    const element = viewport.current;
    if (element === null || filter.actor !== undefined || filter.type !== '') return;
    const row = at - firstSeq;
    const top = row * ROW_HEIGHT;
    if (follow || top < element.scrollTop || top > element.scrollTop + element.clientHeight - header - ROW_HEIGHT) {
      element.scrollTop = Math.max(0, top - element.clientHeight / 2);
      // Drawn and fetched where it now is at once, not a frame later when the scroll event comes.
      setScroll(scrolledTo(element));
    }
  }, [at, follow, total]);

  useLayoutEffect(() => {
    // The rows in view now (the effect above may have just scrolled), not as of this render.
    const element = viewport.current;
    const [from, to] = element === null ? [first, last] : rowsInView(element.scrollTop, element.clientHeight || size.height, total);
    for (let page = Math.floor(from / PAGE_SIZE); page * PAGE_SIZE < to; page++) {
      const cached = pages.current.get(page);
      const full = cached !== undefined && cached.length === PAGE_SIZE && cached[0]!.seq >= firstSeq;
      // Keyed by filter and page: an answer still on its way for an older filter does not
      // keep this one from being asked (typing "J", "JO", "JOB" left rows "…" before).
      const loadKey = `${filterKey}#${page}`;
      if (full || loading.current.has(loadKey)) continue;
      loading.current.add(loadKey);
      const key = filterKey;
      void fetchEvents({ offset: page * PAGE_SIZE, limit: PAGE_SIZE, actor: filter.actor, type: filter.type })
        .then((result) => {
          if (lastFilter.current === key) {
            pages.current.set(page, result.events);
            redraw((n) => n + 1);
          }
        })
        .catch(() => {})
        .finally(() => loading.current.delete(loadKey));
    }
  }, [first, last, filterKey, version, firstSeq, at, follow, total]);

  const laneWidth = LANE_WIDTH[mode];
  // The text takes at most 60% of a narrow panel in the log: the first lanes stay in view.
  const textWidth = mode === 'log' ? Math.max(200, Math.min(TEXT_WIDTH.log, Math.round(size.width * 0.6))) : TEXT_WIDTH.sequence;
  const laneOf = new Map(lanes.map((actor, index) => [actor.sessionId, index]));
  const lanesWidth = lanes.length * laneWidth;
  const center = (lane: number) => lane * laneWidth + laneWidth / 2;
  // Lane labels exist only for the lanes in view, sideways as well.
  const firstLane = Math.max(0, Math.floor((scroll.left - 40) / laneWidth));
  const lastLane = Math.min(lanes.length, Math.ceil((scroll.left + size.width) / laneWidth) + 1);
  const labels = [];
  for (let lane = firstLane; lane < lastLane; lane++) {
    const actor = lanes[lane]!;
    const name = names.get(actor.sessionId) ?? actor.actorId;
    labels.push(
      mode === 'log'
        ? html`<span class="lane-label" key=${actor.sessionId} style=${`left:${textWidth + center(lane)}px`} title=${`${actor.actorId} (${actor.sessionId})`} data-lane=${lane}>${name}</span>`
        : html`<span class="lane-label wide" key=${actor.sessionId} style=${`left:${textWidth + lane * laneWidth}px;width:${laneWidth}px`} title=${`${actor.actorId} (${actor.sessionId})`} data-lane=${lane}>${name}</span>`,
    );
  }

  const rows = [];
  for (let index = first; index < last; index++) {
    const event = pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
    const top = header + index * ROW_HEIGHT;
    if (event === undefined) {
      rows.push(html`<div class="log-row pending" style=${`top:${top}px`} key=${`p${index}`}><span class="row-text" style=${`width:${textWidth}px`}>…</span></div>`);
      continue;
    }
    const previous = pages.current.get(Math.floor((index - 1) / PAGE_SIZE))?.[(index - 1) % PAGE_SIZE];
    const gap = previous === undefined ? undefined : event.time - previous.time;
    const target = laneOf.get(event.sessionId);
    const source = event.sourceId === undefined ? undefined : laneOf.get(event.sourceId);
    const route = `${event.sourceId === undefined ? '' : `${names.get(event.sourceId) ?? event.sourceId} → `}${names.get(event.sessionId) ?? event.sessionId}`;
    const marks =
      mode === 'log'
        ? html`${source !== undefined && target !== undefined && html`<line x1=${center(source)} x2=${center(target)} y1="11" y2="11" class="lane-link" />`}
            ${source !== undefined && html`<circle cx=${center(source)} cy="11" r="2" class="lane-source" />`}
            ${target !== undefined && html`<circle cx=${center(target)} cy="11" r="4" class="lane-target" />`}`
        : sequenceArrow(event.type, source, target, center, laneWidth);
    rows.push(html`<div
      key=${event.seq}
      class=${`log-row${event.seq === at ? ' current' : ''}${event.seq > at ? ' future' : ''}`}
      style=${`top:${top}px`}
      data-seq=${event.seq}
      data-type=${event.type}
      title=${`#${event.seq} ${event.type} at ${new Date(event.time).toISOString().slice(11, 23)}\n${route}`}
      onClick=${() => onPick(event)}
    >
      <span class="row-text" style=${`width:${textWidth}px`}>
        <span class="seq">${event.seq}</span>
        <span class="gap">${gap === undefined ? '' : `+${formatDuration(gap)}`}</span>
        ${mode === 'log' && html`<span class="event-type">${event.type}</span><span class="event-route">${route}</span>`}
      </span>
      <svg class="lanes" width=${lanesWidth} height=${ROW_HEIGHT}>${marks}</svg>
    </div>`);
  }
  return html`<div
    class=${`log-viewport mode-${mode}`}
    ref=${viewport}
    style=${`--lane:${laneWidth}px;--text:${textWidth}px`}
    onScroll=${(event: Event) => setScroll(scrolledTo(event.currentTarget as HTMLElement))}
  >
    <div class="log-spacer" style=${`height:${header + total * ROW_HEIGHT}px;width:${textWidth + lanesWidth}px`}>
      <div class="lane-header" style=${`height:${header}px;width:${textWidth + lanesWidth}px`}>
        <span class="lane-corner" style=${`width:${textWidth}px`}>${lanes.length} lane${lanes.length === 1 ? '' : 's'}</span>
        ${labels}
      </div>
      ${rows}
    </div>
  </div>`;
}

// The rows drawn for a viewport scrolled to `top`: those in view and a few more each side.
function rowsInView(top: number, height: number, total: number): [number, number] {
  return [Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN), Math.min(total, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN)];
}

// The scroll state of `element`, the same object when it has not moved (no redraw for it).
function scrolledTo(element: HTMLElement): (now: { top: number; left: number }) => { top: number; left: number } {
  const top = element.scrollTop;
  const left = element.scrollLeft;
  return (now) => (now.top === top && now.left === left ? now : { top, left });
}

// An event in the sequence view: an arrow from the lane of the actor that sent it to the one
// it reached, its type above; an event from outside (no sender) comes in from the left.
function sequenceArrow(type: string, source: number | undefined, target: number | undefined, center: (lane: number) => number, laneWidth: number) {
  if (target === undefined) return null;
  const to = center(target);
  if (source === undefined || source === target) {
    const from = source === target ? to : to - laneWidth / 2 + 4;
    return html`<path d=${source === target ? `M${to},4 h14 v12 h-10` : `M${from},13 H${to - 5}`} class="seq-arrow" marker-end="url(#seq-head)" />
      <circle cx=${to} cy="13" r="3" class="lane-target" />
      <text x=${to + 6} y="9" class="seq-label">${type}</text>`;
  }
  const from = center(source);
  const left = Math.min(from, to);
  return html`<path d=${`M${from},13 H${to + (to > from ? -5 : 5)}`} class="seq-arrow" marker-end="url(#seq-head)" />
    <circle cx=${from} cy="13" r="2" class="lane-source" />
    <text x=${left + 6} y="9" class="seq-label">${type}</text>`;
}
