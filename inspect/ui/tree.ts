import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { withToken, type ActorStateView, type ActorView, type SessionView } from './api.ts';

/**
 * A state value as one line: `in_progress.text`; parallel regions joined by a comma.
 *
 * @example `formatValue({ in_progress: 'streaming' }) // 'in_progress.streaming'`
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return value === undefined ? '—' : String(value);
  return Object.entries(value)
    .map(([key, child]) => {
      const inner = formatValue(child);
      return inner === '' || (typeof child === 'object' && child !== null && Object.keys(child).length === 0) ? key : `${key}.${inner}`;
    })
    .join(', ');
}

/** The text a message actor holds so far: its text blocks, joined. */
export function messageText(actor: ActorView & { context?: unknown }): string | undefined {
  if (actor.name !== 'message') return undefined;
  const content = (actor.context as { message?: { content?: unknown } } | undefined)?.message?.content;
  if (!Array.isArray(content)) return undefined;
  return content
    .map((block: { type?: unknown; text?: { value?: unknown } }) => (block?.type === 'text' && typeof block.text?.value === 'string' ? block.text.value : ''))
    .join('\n');
}

/** Characters of a message shown in the tree: the newest ones, as they stream. */
const TEXT_TAIL = 300;
const SESSION_HEIGHT = 28;
const ACTOR_HEIGHT = 24;
const TEXT_HEIGHT = 48;
const OVERSCAN_PX = 300;

function tail(text: string): string {
  return text.length <= TEXT_TAIL ? text : `…${text.slice(-TEXT_TAIL)}`;
}

type TreeActor = ActorView & { context?: unknown };
type Row =
  | { kind: 'session'; session: SessionView; count: number; collapsed: boolean }
  | { kind: 'actor'; actor: TreeActor; depth: number }
  | { kind: 'text'; actor: TreeActor; depth: number; text: string };

const HEIGHTS = { session: SESSION_HEIGHT, actor: ACTOR_HEIGHT, text: TEXT_HEIGHT } as const;

/**
 * The rows of the tree: each session's header, then (unless collapsed) its actors depth first,
 * a message's text under it. Actors of a session not yet listed get a header of their own.
 */
export function treeRows(actors: readonly (ActorView & { context?: unknown })[], sessions: readonly SessionView[], collapsed: ReadonlySet<string>): Row[] {
  const byRoot = new Map<string, TreeActor[]>();
  for (const actor of actors) byRoot.set(actor.rootId, [...(byRoot.get(actor.rootId) ?? []), actor]);
  const known = new Map(sessions.map((session) => [session.rootId, session]));
  const order = [...sessions.map((session) => session.rootId).filter((id) => byRoot.has(id)), ...[...byRoot.keys()].filter((id) => !known.has(id))];
  const rows: Row[] = [];
  for (const rootId of order) {
    const members = byRoot.get(rootId)!;
    const session = known.get(rootId) ?? { rootId, name: members[0]!.name, origin: '', actors: members.length, createdSeq: members[0]!.createdSeq, firstTime: 0, lastTime: 0 };
    const isCollapsed = collapsed.has(rootId);
    rows.push({ kind: 'session', session, count: members.length, collapsed: isCollapsed });
    if (isCollapsed) continue;
    const children = new Map<string | undefined, TreeActor[]>();
    const ids = new Set(members.map((actor) => actor.sessionId));
    for (const actor of members) {
      const parent = actor.parentId !== undefined && ids.has(actor.parentId) ? actor.parentId : undefined;
      children.set(parent, [...(children.get(parent) ?? []), actor]);
    }
    const visit = (actor: TreeActor, depth: number) => {
      rows.push({ kind: 'actor', actor, depth });
      const text = messageText(actor);
      if (text !== undefined && text !== '') rows.push({ kind: 'text', actor, depth, text });
      for (const child of children.get(actor.sessionId) ?? []) visit(child, depth + 1);
    };
    for (const top of children.get(undefined) ?? []) visit(top, 0);
  }
  return rows;
}

/**
 * The actor tree: named sessions (collapsible, each with its origin and an export link), each
 * session's root and its children nested, each with its state and status; a message's text as
 * it streams under it. Virtualized: only the rows in view exist, whatever the number of actors.
 */
export function ActorTree({
  actors,
  sessions,
  selected,
  onSelect,
}: {
  actors: readonly ActorStateView[];
  sessions: readonly SessionView[];
  selected: string | undefined;
  onSelect: (sessionId: string) => void;
}) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const rows = useMemo(() => treeRows(actors, sessions, collapsed), [actors, sessions, collapsed]);
  const offsets = useMemo(() => {
    const tops = new Array<number>(rows.length + 1);
    tops[0] = 0;
    for (let index = 0; index < rows.length; index++) tops[index + 1] = tops[index]! + HEIGHTS[rows[index]!.kind];
    return tops;
  }, [rows]);

  useEffect(() => {
    const element = viewport.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // The selected actor stays in view (it changes when a run starts, while following).
  useLayoutEffect(() => {
    const element = viewport.current;
    const index = rows.findIndex((row) => row.kind === 'actor' && row.actor.sessionId === selected);
    if (element === null || index < 0) return;
    const top = offsets[index]!;
    if (top < element.scrollTop || top + ACTOR_HEIGHT > element.scrollTop + element.clientHeight) {
      element.scrollTop = Math.max(0, top - element.clientHeight / 3);
      setScrollTop(element.scrollTop);
    }
  }, [selected, rows.length]);

  if (actors.length === 0) return html`<div class="tree-viewport"><p class="empty">No actors yet. Pass <code>inspect</code> to a stream, send frames to the WebSocket URL, or drop an exported session here.</p></div>`;
  const first = Math.max(0, lowerBound(offsets, scrollTop - OVERSCAN_PX) - 1);
  const last = Math.min(rows.length, lowerBound(offsets, scrollTop + height + OVERSCAN_PX) + 1);
  const drawn = [];
  for (let index = first; index < last; index++) {
    const row = rows[index]!;
    const top = offsets[index]!;
    if (row.kind === 'session') {
      const { session } = row;
      const toggle = () => setCollapsed((now) => (now.has(session.rootId) ? new Set([...now].filter((id) => id !== session.rootId)) : new Set([...now, session.rootId])));
      drawn.push(html`<div class="tree-row session-row" key=${`s${session.rootId}`} style=${`top:${top}px`} data-session-root=${session.rootId} data-collapsed=${row.collapsed ? 'true' : 'false'}>
        <button class="session-toggle" aria-expanded=${!row.collapsed} onClick=${toggle}>${row.collapsed ? '▸' : '▾'}</button>
        <span class="session-name" title=${session.rootId}>${session.name}</span>
        <span class="session-origin">${session.origin}</span>
        <span class="session-count">${row.count} actor${row.count === 1 ? '' : 's'}</span>
        <a class="session-export" title="export this session to a file (open it again with inspect --open FILE, or drop it here)" href=${withToken(`/api/export?session=${encodeURIComponent(session.rootId)}`)} download>⤓</a>
      </div>`);
      continue;
    }
    const { actor, depth } = row;
    if (row.kind === 'text') {
      drawn.push(html`<div class="tree-row message-text" key=${`t${actor.sessionId}`} style=${`top:${top}px;padding-left:${26 + depth * 14}px`} data-message-text=${actor.sessionId}>${tail(row.text)}</div>`);
      continue;
    }
    const subject = actor.actorId.startsWith(`${actor.name}:`) ? actor.actorId.slice(actor.name.length + 1) : actor.actorId === actor.name ? '' : actor.actorId;
    const value = formatValue(actor.value);
    drawn.push(html`<button
      key=${actor.sessionId}
      class=${`tree-row actor${selected === actor.sessionId ? ' selected' : ''}${actor.orphan ? ' orphan' : ''}`}
      style=${`top:${top}px;padding-left:${12 + depth * 14}px`}
      data-session-id=${actor.sessionId}
      data-actor-name=${actor.name}
      data-actor-id=${actor.actorId}
      data-value=${value}
      data-status=${actor.status}
      title=${actor.orphan ? 'its @xstate.actor frame never arrived: no name, no chart' : `${actor.actorId}: ${value} (${actor.status})`}
      onClick=${() => onSelect(actor.sessionId)}
    >
      <span class="actor-name">${actor.orphan ? '⚠ ' : ''}${actor.name}</span>
      <span class="actor-subject">${subject}</span>
      <span class="actor-value">${value}</span>
      <span class=${`status status-${actor.status}`}>${actor.status}</span>
    </button>`);
  }
  return html`<div class="tree-viewport tree" ref=${viewport} onScroll=${(event: Event) => setScrollTop((event.currentTarget as HTMLElement).scrollTop)}>
    <div class="tree-spacer" style=${`height:${offsets[rows.length]}px`}>${drawn}</div>
  </div>`;
}

// The index of the first offset at or after `value` (offsets grow).
function lowerBound(offsets: readonly number[], value: number): number {
  let low = 0;
  let high = offsets.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (offsets[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
