/** The inspector's JSON API and live channel, as the page reaches them (the token is in its URL). */
import type { ActorStateView, EventPage } from '../store.ts';

export type { ActorView } from '../store.ts';

export type { ActorStateView, EventPage, EventView } from '../store.ts';

const token = new URLSearchParams(location.search).get('token') ?? '';

/** GETs a JSON API path with the page's token. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Where the history stands: the oldest seq kept, the next to come, rejected frames. */
export interface Cursor {
  firstSeq: number;
  nextSeq: number;
  rejections: number;
}

/** Every actor as of `at`. */
export interface StateAt {
  at: number;
  firstSeq: number;
  nextSeq: number;
  actors: ActorStateView[];
}

/** The actors as of a seq. */
export function fetchState(at: number): Promise<StateAt> {
  return getJson<StateAt>(`/api/state?at=${at}`);
}

/** A page of the event log. */
export function fetchEvents(query: { offset: number; limit: number; actor?: string | undefined; type?: string | undefined }): Promise<EventPage> {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.actor !== undefined) params.set('actor', query.actor);
  if (query.type !== undefined && query.type !== '') params.set('type', query.type);
  return getJson<EventPage>(`/api/events?${params.toString()}`);
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
