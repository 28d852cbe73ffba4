/** The inspector's JSON API and live channel, as the page reaches them (the token is in its URL). */
import type { ActorStateView, EventDiff, EventPage, HistoryView, RejectionView, SessionTiming, SessionView, StoreCursor, WarningView } from '../store.ts';

export type { ActorStateView, ActorTiming, ActorView, EventDiff, EventPage, EventView, HistoryView, RejectionView, SessionTiming, SessionView, TokenUsage, WarningView } from '../store.ts';
export type { ValueChange } from '../diff.ts';

const token = new URLSearchParams(location.search).get('token') ?? '';

/** A path of the API with the page's token. */
export function withToken(path: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

/** GETs a JSON API path with the page's token. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(withToken(path));
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Where the history stands: the oldest seq kept, the next to come, rejected frames, warnings. */
export type Cursor = StoreCursor;

/** Every actor as of `at`. */
export interface StateAt {
  at: number;
  firstSeq: number;
  nextSeq: number;
  actors: ActorStateView[];
}

/** The actors as of a seq; the newest state when `at` is undefined (nothing happened yet, or following). */
export function fetchState(at: number | undefined): Promise<StateAt> {
  return getJson<StateAt>(at === undefined || at < 0 ? '/api/state' : `/api/state?at=${at}`);
}

/** A page of the event log. */
export function fetchEvents(query: { offset: number; limit: number; actor?: string | undefined; type?: string | undefined; session?: string | undefined }): Promise<EventPage> {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.actor !== undefined) params.set('actor', query.actor);
  if (query.session !== undefined) params.set('session', query.session);
  if (query.type !== undefined && query.type !== '') params.set('type', query.type);
  return getJson<EventPage>(`/api/events?${params.toString()}`);
}

/** Every session, named. */
export const fetchSessions = () => getJson<SessionView[]>('/api/sessions');
/** What the inspector could not show whole, and the frames it refused. */
export const fetchProblems = () => Promise.all([getJson<WarningView[]>('/api/warnings'), getJson<RejectionView[]>('/api/rejections')]);
/** An actor's history (every change of its state). */
export const fetchHistory = (sessionId: string) => getJson<HistoryView[]>(`/api/history?actor=${encodeURIComponent(sessionId)}`);
/** A session's times and token usage. */
export const fetchTiming = (rootId: string) => getJson<SessionTiming>(`/api/timing?session=${encodeURIComponent(rootId)}`);
/** What one event changed. */
export const fetchDiff = (seq: number) => getJson<EventDiff>(`/api/diff?seq=${seq}`);

/** Sends an exported session (a file dropped on the page) to the inspector, which adds it as sessions of its own. */
export async function importSession(file: Blob): Promise<{ sessions: number; events: number }> {
  const response = await fetch(withToken('/api/import'), { method: 'POST', body: file, headers: { 'content-type': 'application/x-ndjson' } });
  const body = (await response.json()) as { sessions?: number; events?: number; error?: string };
  if (!response.ok) throw new Error(body.error ?? `import answered ${response.status}`);
  return { sessions: body.sessions ?? 0, events: body.events ?? 0 };
}

/**
 * Listens for changes (`/ui`, at most ten messages a second); a dropped connection is reopened
 * after a pause that grows to 5 s. Returns a function that stops it.
 */
export function listen(onChange: (cursor: Cursor) => void, onConnection: (connected: boolean) => void): () => void {
  let stopped = false;
  let delay = 250;
  let socket: WebSocket | undefined;
  const open = () => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ui?token=${encodeURIComponent(token)}`;
    socket = new WebSocket(url);
    socket.onopen = () => {
      delay = 250;
      onConnection(true);
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as Cursor & { type: string };
      if (data.type === 'changed') onChange(data);
    };
    socket.onclose = () => {
      onConnection(false);
      if (stopped) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  open();
  return () => {
    stopped = true;
    socket?.close();
  };
}
