import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import { readUiFile, UI_FILES, type UiFile } from './assets.ts';
import { JournalError } from './journal.ts';
import { exportLines, importText } from './sessionFile.ts';
import type { InspectorStore } from './store.ts';

/** What a request without the right token is told. */
export const WRONG_TOKEN = 'this inspector needs the token from the URL it printed (…?token=…): the token is missing or wrong (a restarted inspector has a new one unless --token or the token option kept it)';

const WRONG_TOKEN_PAGE = `<!doctype html><meta charset="utf-8"><title>assistant-machines inspector: token needed</title>
<body style="font:15px system-ui;margin:3em;max-width:40em"><h1>This inspector needs its token</h1>
<p>Open the URL the inspector printed when it started: it ends with <code>?token=…</code>. The token is missing from this address or is not this inspector's (a restarted inspector has a new one).</p></body>`;

/**
 * Whether `given` is the inspector's token (in constant time).
 *
 * @example `if (!tokenMatches(url.searchParams.get('token'), token)) return unauthorized();`
 */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The inspector's HTTP side: the UI's files and the read-only JSON API the UI uses (documented
 * in docs/inspect.md). Every request needs `?token=` (or `Authorization: Bearer`): 401 without.
 *
 * @example `serve({ fetch: createInspectorApp(store, { token, uiDir }).fetch, port: 0 })`
 */
export function createInspectorApp(
  store: InspectorStore,
  options: { token: string; uiDir: string | undefined; access?: (headers: { host?: string | undefined; origin?: string | undefined }) => string | undefined },
): Hono {
  const app = new Hono();
  const encoder = new TextEncoder();
  let imports = 0;
  app.use('*', async (c, next) => {
    const refused = options.access?.({ host: c.req.header('host'), origin: c.req.header('origin') });
    if (refused !== undefined) return c.json({ error: refused }, 403);
    const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    if (!tokenMatches(c.req.query('token') ?? bearer, options.token)) {
      // A person at a browser gets a page that says what to do, a program the same as JSON.
      if (c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html')) return c.html(WRONG_TOKEN_PAGE, 401);
      return c.json({ error: WRONG_TOKEN }, 401);
    }
    c.header('cache-control', 'no-store');
    await next();
  });
  const file = (name: UiFile) => async (c: Context) => c.body(await readUiFile(options.uiDir, name, options.token), 200, { 'content-type': UI_FILES[name] });
  app.get('/', file('index.html'));
  app.get('/index.html', file('index.html'));
  app.get('/app.js', file('app.js'));
  app.get('/app.css', file('app.css'));
  app.get('/elk-worker.js', file('elk-worker.js'));
  app.get('/chart-layouts.json', file('chart-layouts.json'));

  app.get('/api/actors', (c) => {
    const session = c.req.query('session');
    const actors = store.actors();
    return json(c, session === undefined ? actors : actors.filter((actor) => actor.rootId === session));
  });
  app.get('/api/events', (c) => {
    const offset = wholeNumber(c, 'offset');
    const limit = wholeNumber(c, 'limit');
    if (offset instanceof Response) return offset;
    if (limit instanceof Response) return limit;
    return json(c, store.events({ offset, limit, session: c.req.query('session'), actor: c.req.query('actor'), type: c.req.query('type') || undefined }));
  });
  app.get('/api/state', (c) => {
    const at = wholeNumber(c, 'at');
    if (at instanceof Response) return at;
    const { firstSeq, nextSeq } = store.cursor;
    const seq = at ?? nextSeq - 1;
    return json(c, { at: seq, firstSeq, nextSeq, actors: store.stateAt(seq) });
  });
  app.get('/api/definitions/:key', (c) => {
    const definition = store.definition(c.req.param('key'));
    return definition === undefined ? c.json({ error: `no definition ${JSON.stringify(c.req.param('key'))}` }, 404) : c.json(definition);
  });
  app.get('/api/rejections', (c) => c.json(store.rejections()));
  app.get('/api/warnings', (c) => c.json(store.warnings()));
  app.get('/api/sessions', (c) => json(c, store.sessions()));
  app.get('/api/history', (c) => {
    const actor = c.req.query('actor') ?? '';
    const history = store.history(actor);
    return history === undefined ? c.json({ error: `no actor ${JSON.stringify(actor.slice(0, 80))}` }, 404) : json(c, history);
  });
  app.get('/api/event', (c) => {
    const seq = wholeNumber(c, 'seq');
    if (seq instanceof Response) return seq;
    const event = seq === undefined ? undefined : store.event(seq);
    return event === undefined ? c.json({ error: `no event ${seq ?? '(seq= is required)'} is kept` }, 404) : json(c, event);
  });
  app.get('/api/export', (c) => {
    const session = c.req.query('session');
    const name = `inspector-${session === undefined ? 'sessions' : session.replace(/[^A-Za-z0-9_.-]+/g, '_')}.ndjson`;
    const lines = exportLines(store, session);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // A chunk of lines per pull: a million-event session streams out without one huge string.
        let chunk = '';
        for (let count = 0; count < 2000; count++) {
          const next = lines.next();
          if (next.done === true) {
            if (chunk !== '') controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += `${next.value}\n`;
        }
        controller.enqueue(encoder.encode(chunk));
      },
    });
    return c.body(body, 200, { 'content-type': 'application/x-ndjson', 'content-disposition': `attachment; filename="${name}"` });
  });
  app.post('/api/import', async (c) => {
    imports += 1;
    try {
      const text = await c.req.text();
      return c.json(importText(store, text, { as: 'added', prefix: `f${imports}` }));
    } catch (error) {
      const status = error instanceof JournalError ? 400 : 500;
      return c.json({ error: error instanceof Error ? error.message : String(error) }, status);
    }
  });
  app.get('/api/timing', (c) => {
    const session = c.req.query('session') ?? '';
    const timing = store.timing(session);
    return timing === undefined ? c.json({ error: `no session ${JSON.stringify(session.slice(0, 80))}` }, 404) : json(c, timing);
  });
  app.get('/api/diff', (c) => {
    const seq = wholeNumber(c, 'seq');
    if (seq instanceof Response) return seq;
    const diff = seq === undefined ? undefined : store.diff(seq);
    return diff === undefined ? c.json({ error: `no event ${seq ?? '(seq= is required)'} is kept` }, 404) : json(c, diff);
  });
  app.get('/api/status', (c) => c.json(store.cursor));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  return app;
}

/**
 * `c.json(value)`, written straight to Node's response when the app runs under
 * `@hono/node-server` (its documented RESPONSE_ALREADY_SENT): the UI asks for the state, the
 * actors and the log ten times a second while a stream runs in the same process, and a
 * fetch-API Response (copied, checked, streamed back out) cost several times the JSON itself.
 */
function json(c: Context, value: unknown): Response {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing === undefined) return c.json(value);
  const body = JSON.stringify(value);
  outgoing.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  outgoing.end(body);
  return RESPONSE_ALREADY_SENT;
}

function wholeNumber(c: Context, name: string): number | undefined | Response {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw)) return c.json({ error: `query parameter ${name} must be a whole number, got ${JSON.stringify(raw.slice(0, 40))}` }, 400);
  return Number(raw);
}
