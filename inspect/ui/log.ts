import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchEvents, type EventView } from './api.ts';

/** Every row has this height, so only the rows in view are drawn, whatever the total. */
export const ROW_HEIGHT = 22;
const PAGE_SIZE = 200;
const OVERSCAN = 10;
const LANE_WIDTH = 12;

/** What the log shows: all events, or those of one actor and/or of a type. */
export interface LogFilter {
  actor: string | undefined;
  type: string;
}

/**
 * The event log as a sequence of lanes: one lane per actor, each event a dot on the actor it
 * reached and a line from the one that sent it. Virtualized: the rows in view (and a few more)
 * exist, fetched a page of 200 at a time from `/api/events`.
 */
export function EventLog(props: {
  filter: LogFilter;
  total: number;
  /** Changes whenever new events may have come: pages not yet full are fetched again. */
  version: number;
  at: number;
  firstSeq: number;
  lanes: ReadonlyMap<string, number>;
  names: ReadonlyMap<string, string>;
  onPick: (event: EventView) => void;
  follow: boolean;
}) {
  const { filter, total, version, at, firstSeq, lanes, names, onPick, follow } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const pages = useRef(new Map<number, EventView[]>());
  const loading = useRef(new Set<number>());
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
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    for (let page = Math.floor(first / PAGE_SIZE); page * PAGE_SIZE < last; page++) {
      const cached = pages.current.get(page);
      const full = cached !== undefined && cached.length === PAGE_SIZE && cached[0]!.seq >= firstSeq;
      if (full || loading.current.has(page)) continue;
      loading.current.add(page);
      const key = filterKey;
      void fetchEvents({ offset: page * PAGE_SIZE, limit: PAGE_SIZE, actor: filter.actor, type: filter.type })
        .then((result) => {
          if (lastFilter.current === key) pages.current.set(page, result.events);
          redraw((n) => n + 1);
        })
        .finally(() => loading.current.delete(page));
    }
  }, [first, last, filterKey, version, firstSeq]);

  // Following the present (or a scrubbed point) keeps its row in view; only without filters
  // is a seq's row known without asking.
  useEffect(() => {
    const element = viewport.current;
    if (element === null || filter.actor !== undefined || filter.type !== '') return;
    const row = at - firstSeq;
    const top = row * ROW_HEIGHT;
    if (follow || top < element.scrollTop || top > element.scrollTop + element.clientHeight - ROW_HEIGHT) {
      element.scrollTop = Math.max(0, top - element.clientHeight / 2);
    }
  }, [at, follow, total]);

  const laneCount = Math.min(lanes.size, 16);
  const rows = [];
  for (let index = first; index < last; index++) {
    const event = pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
    if (event === undefined) {
      rows.push(html`<div class="log-row pending" style=${`top:${index * ROW_HEIGHT}px`} key=${`p${index}`}>…</div>`);
      continue;
    }
    const target = lanes.get(event.sessionId);
    const source = event.sourceId === undefined ? undefined : lanes.get(event.sourceId);
    rows.push(html`<div
      key=${event.seq}
      class=${`log-row${event.seq === at ? ' current' : ''}${event.seq > at ? ' future' : ''}`}
      style=${`top:${index * ROW_HEIGHT}px`}
      data-seq=${event.seq}
      data-type=${event.type}
      onClick=${() => onPick(event)}
    >
      <span class="seq">${event.seq}</span>
      <svg class="lanes" width=${laneCount * LANE_WIDTH} height=${ROW_HEIGHT}>
        ${source !== undefined && target !== undefined && source < 16 && target < 16 && html`<line x1=${source * LANE_WIDTH + 6} x2=${target * LANE_WIDTH + 6} y1="11" y2="11" class="lane-link" />`}
        ${source !== undefined && source < 16 && html`<circle cx=${source * LANE_WIDTH + 6} cy="11" r="2" class="lane-source" />`}
        ${target !== undefined && target < 16 && html`<circle cx=${target * LANE_WIDTH + 6} cy="11" r="4" class="lane-target" />`}
      </svg>
      <span class="event-type">${event.type}</span>
      <span class="event-route">${event.sourceId === undefined ? '' : `${names.get(event.sourceId) ?? event.sourceId} → `}${names.get(event.sessionId) ?? event.sessionId}</span>
    </div>`);
  }
  return html`<div class="log-viewport" ref=${viewport} onScroll=${(e: Event) => setScrollTop((e.currentTarget as HTMLElement).scrollTop)}>
    <div class="log-spacer" style=${`height:${total * ROW_HEIGHT}px`}>${rows}</div>
  </div>`;
}
