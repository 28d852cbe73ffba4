/**
 * The inspector: watch, scrub and replay XState actors — ours or any v5 app's — in a browser,
 * offline. `createInspector()` serves the UI and a WebSocket that takes `@statelyai/inspect`
 * frames; its `inspect` observer feeds it from this process.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { WebSocketServer, type WebSocket } from 'ws';
import { createAccessCheck, isLoopback } from './access.ts';
import { createInspectorApp, tokenMatches, WRONG_TOKEN } from './app.ts';
import { attachFrameSocket } from './frameSocket.ts';
import { findUiDir } from './assets.ts';
import type { FrameRejection } from './frames.ts';
import { createFrameObserver, type InspectionObserver } from './observer.ts';
import { createRejectionLog } from './rejectionLog.ts';
import { openDataDir, openSessionFile, readSessionFile } from './dataDir.ts';
import { DEFAULT_STORE_LIMITS, InspectorStore, type StoreLimits } from './store.ts';

export { checkFrame, FrameRejection, readFrames } from './frames.ts';
export type { ActorFrame, EventFrame, FrameRejectionKind, InspectionFrame, SnapshotFrame } from './frames.ts';
export { createFrameObserver, type InspectionObserver } from './observer.ts';
export { createFrameSender, type FrameSender } from './sender.ts';
export { redactString, sanitize, sanitizeEvent, type SanitizeLimits } from './sanitize.ts';
export { DEFAULT_STORE_LIMITS, InspectorStore } from './store.ts';
export { exportLines, importText, type ImportResult } from './sessionFile.ts';
export { JournalError, JOURNAL_HEADER, RecordDecoder, RecordEncoder, type JournalRecord } from './journal.ts';
export { openSessionFile, readSessionFile, type SessionFileText } from './dataDir.ts';
export type { ActorStateView, ActorTiming, ActorView, EventDiff, SessionTiming, TokenUsage, EventPage, EventQuery, EventView, HistoryView, LastTransition, RejectionView, SessionView, StoreCursor, StoreLimits, TakenTransition, WarningView } from './store.ts';
export type { FrameSenderOptions } from './sender.ts';
export type { ValueChange } from './diff.ts';
export { createAccessCheck } from './access.ts';

/**
 * What the inspector says when it is bound beyond this machine (anything but loopback), or
 * undefined on loopback.
 *
 * @example `bindingWarning('0.0.0.0', 4321) // 'warning: bound to 0.0.0.0, beyond this machine: …'`
 */
export function bindingWarning(host: string, port: number): string | undefined {
  if (isLoopback(host)) return undefined;
  return `warning: bound to ${host}, beyond this machine: anyone who can reach port ${port} and has the token sees every frame (contexts, messages, tool arguments). Bind 127.0.0.1 unless you need otherwise.`;
}

/** Options of {@link createInspector}. */
export interface InspectorOptions {
  /** Port to listen on; default a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (only this machine). */
  host?: string;
  /** The token every request must carry; default 24 random bytes. */
  token?: string;
  /** Memory bounds (see docs/inspect.md). */
  limits?: Partial<StoreLimits>;
  /** Largest WebSocket message taken, in bytes (default 16 MiB); a larger one closes its connection. */
  maxMessageBytes?: number;
  /** Where rejected frames are logged (default: stderr); a flood is summed up, 10 lines a second at most. */
  log?: (line: string) => void;
  /** The bundled UI's folder; default the one built into the package. */
  uiDir?: string;
  /**
   * More names the inspector may be reached by (a reverse proxy's, a tunnel's: `inspect.example`
   * or `inspect.example:443`). Requests naming any other `Host` or `Origin` are refused (403).
   */
  allowedHosts?: readonly string[];
  /**
   * Exported sessions to open at the start (`inspect --open FILE`): read as they were, the
   * store sized to hold them whole.
   */
  open?: readonly string[];
  /**
   * Keep everything in this directory too (`inspect --data-dir DIR`): what it holds is read back
   * at the start, so a session survives the inspector's restart.
   */
  dataDir?: string;
}

/** A running inspector. */
export interface Inspector {
  /** Opens the UI (carries the token). */
  url: string;
  /** Where XState apps send frames: `createWebSocketInspector({ url: wsUrl })` (carries the token). */
  wsUrl: string;
  /** An XState inspection observer for this process's streams, polls and actors. */
  inspect: InspectionObserver;
  /** What it has seen (the JSON API reads the same). */
  store: InspectorStore;
  port: number;
  /** Stops the server and closes every connection. */
  close(): Promise<void>;
}

const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** The UI hears about changes at most this often. */
const UI_PUSH_MS = 100;

/**
 * Starts the inspector: an HTTP server for the UI and its JSON API, a WebSocket for frames
 * (`/ws`, what `@statelyai/inspect` sends) and one for the UI's live updates (`/ui`).
 *
 * @example
 * ```ts
 * import { createInspector } from 'assistant-machines/inspect';
 *
 * const inspector = await createInspector();
 * console.log(inspector.url); // open it in a browser
 * const stream = client.beta.threads.runs.stream(threadId, { assistant_id }, { inspect: inspector.inspect });
 * await stream.done();
 * ```
 */
export async function createInspector(options: InspectorOptions = {}): Promise<Inspector> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  // A session opened from a file is shown whole: the store grows to hold its events.
  const files = (options.open ?? []).map(readSessionFile);
  const opened = files.reduce((sum, file) => sum + file.events, 0);
  const limits = { ...options.limits };
  if (opened > (limits.maxEvents ?? DEFAULT_STORE_LIMITS.maxEvents)) limits.maxEvents = opened;
  const store = new InspectorStore(limits);
  store.reserve(opened);
  for (const file of files) openSessionFile(store, file.pieces);
  const disk = options.dataDir === undefined ? undefined : openDataDir(store, options.dataDir);
  const write = options.log ?? ((line: string) => void process.stderr.write(`assistant-machines inspect: ${line}\n`));
  const log = createRejectionLog(write);
  const reject = (rejection: FrameRejection, origin: string) => {
    store.reject(rejection, origin);
    log(`${origin}: rejected ${rejection.kind}: ${rejection.message}`);
  };
  // The Host/Origin check needs the port, known once listening (before any request is read).
  let access: ReturnType<typeof createAccessCheck> = () => 'the inspector is starting';
  const app = createInspectorApp(store, { token, uiDir: options.uiDir ?? findUiDir(), access: (headers) => access(headers) });

  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve, failed) => {
    const started = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host, overrideGlobalObjects: false }, (info: AddressInfo) =>
      resolve({ server: started as Server, port: info.port }),
    );
    started.once('error', failed);
  });

  access = createAccessCheck({ host, port, allowedHosts: options.allowedHosts });
  const warning = bindingWarning(host, port);
  if (warning !== undefined) write(warning);

  const frames = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
  const watchers = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  attachFrameSocket(frames, store, reject);
  watchers.on('connection', (socket: WebSocket) => {
    socket.on('error', () => socket.terminate());
    socket.send(JSON.stringify({ type: 'changed', ...store.cursor }));
  });

  // Changes reach the UI as one small message per 100 ms at most, whatever the event rate:
  // the UI then asks the JSON API for what it shows.
  let pushTimer: ReturnType<typeof setTimeout> | undefined;
  const push = () => {
    pushTimer = undefined;
    store.flush();
    const message = JSON.stringify({ type: 'changed', ...store.cursor });
    for (const client of watchers.clients) if (client.readyState === client.OPEN) client.send(message);
  };
  const unsubscribe = store.subscribe(() => {
    if (pushTimer === undefined) pushTimer = setTimeout(push, UI_PUSH_MS);
  });

  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://inspector');
    const target = url.pathname === '/ws' ? frames : url.pathname === '/ui' ? watchers : undefined;
    const refused = access({ host: request.headers.host, origin: request.headers.origin });
    const refuse = (status: string, why: string) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`);
    if (refused !== undefined) return refuse('403 Forbidden', refused);
    if (target === undefined) return refuse('404 Not Found', `no WebSocket at ${url.pathname}: frames go to /ws`);
    if (!tokenMatches(url.searchParams.get('token'), token)) return refuse('401 Unauthorized', WRONG_TOKEN);
    target.handleUpgrade(request, socket, head, (client) => target.emit('connection', client, request));
  });

  const origin = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const query = `token=${encodeURIComponent(token)}`;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${origin}/?${query}`,
    wsUrl: `ws://${origin}/ws?${query}`,
    inspect: createFrameObserver((frame) => store.ingest(frame)),
    store,
    port,
    close() {
      closing ??= new Promise<void>((resolve, failed) => {
        unsubscribe();
        if (pushTimer !== undefined) clearTimeout(pushTimer);
        for (const client of [...frames.clients, ...watchers.clients]) client.terminate();
        frames.close();
        watchers.close();
        server.close((error) => {
          if (error !== undefined) return failed(error);
          if (disk === undefined) return resolve();
          disk.close().then(resolve, failed);
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
