// The inspector's JSON API and its in-process observer: a stream's actors, their states and
// events as the API reports them; two streams as two sessions; time travel; the token.
import { request } from 'node:http';
import { suite } from 'uvu';
import WebSocket from 'ws';
import * as assert from 'uvu/assert';
import { bindingWarning, createAccessCheck, createInspector, type ActorView, type EventPage, type Inspector } from '../inspect/index.ts';
import { AssistantsClient } from '../src/index.ts';
import { createServer, type AssistantsServer } from '../src/server/index.ts';

const test = suite<{ inspector: Inspector; server: AssistantsServer; client: AssistantsClient }>('inspect-api');

test.before(async (context) => {
  context.inspector = await createInspector({ log: () => {} });
  context.server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 } });
  context.client = new AssistantsClient({ baseURL: context.server.url, apiKey: 'unused' });
});
test.after(async ({ inspector, server }) => {
  await inspector.close();
  await server.close();
});

function api(inspector: Inspector, path: string): Promise<Response> {
  const url = new URL(inspector.url);
  return fetch(`${url.origin}${path}${path.includes('?') ? '&' : '?'}token=${url.searchParams.get('token')}`);
}

async function json<T>(inspector: Inspector, path: string): Promise<T> {
  const response = await api(inspector, path);
  assert.is(response.status, 200, `${path} answered ${response.status}`);
  return (await response.json()) as T;
}

async function askArithmetic(client: AssistantsClient, inspect: Inspector['inspect'], question: string) {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: question }] });
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }, { inspect });
  return stream.finalRun();
}

test('urls: loopback, a token in both, the WebSocket under /ws', ({ inspector }) => {
  const url = new URL(inspector.url);
  const wsUrl = new URL(inspector.wsUrl);
  assert.is(url.hostname, '127.0.0.1');
  assert.is(wsUrl.protocol, 'ws:');
  assert.is(wsUrl.pathname, '/ws');
  assert.ok((url.searchParams.get('token') ?? '').length >= 24);
  assert.is(wsUrl.searchParams.get('token'), url.searchParams.get('token'));
});

test('every request without the token is 401: the page, the API, a wrong token', async ({ inspector }) => {
  const { origin } = new URL(inspector.url);
  for (const path of ['/', '/app.js', '/api/actors', '/api/events', '/api/state', '/api/actors?token=wrong']) {
    const response = await fetch(`${origin}${path}`);
    assert.is(response.status, 401, path);
  }
  assert.is((await api(inspector, '/api/actors')).status, 200);
});

// fetch may not set Host: a raw request can, as a DNS-rebinding page's browser would.
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, headers }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

test('DNS rebinding: the right token with Host or Origin evil.example is refused (403) and says why', async ({ inspector }) => {
  const { port } = inspector;
  const token = new URL(inspector.url).searchParams.get('token')!;
  const path = `/api/actors?token=${token}`;
  assert.is((await rawGet(port, path, { host: `127.0.0.1:${port}` })).status, 200);
  assert.is((await rawGet(port, path, { host: `localhost:${port}` })).status, 200);
  const rebound = await rawGet(port, path, { host: `evil.example:${port}` });
  assert.is(rebound.status, 403);
  assert.match(rebound.body, 'DNS rebinding');
  assert.is((await rawGet(port, path, { host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).status, 403);
  assert.is((await rawGet(port, path, { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` })).status, 200);
  // The WebSocket too: a page's socket always carries its Origin.
  const refused = await new Promise<number>((resolve) => {
    const socket = new WebSocket(inspector.wsUrl, { headers: { origin: 'http://evil.example' } });
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('open', () => resolve(101));
    socket.on('error', () => {});
  });
  assert.is(refused, 403);
  // A wrong token: a person is told what to do, a program too.
  const page = await rawGet(port, '/?token=wrong', { host: `127.0.0.1:${port}`, accept: 'text/html' });
  assert.is(page.status, 401);
  assert.match(page.body, 'Open the URL the inspector printed');
  assert.match((await rawGet(port, '/api/actors?token=wrong', { host: `127.0.0.1:${port}` })).body, 'needs the token from the URL it printed');
});

test('bound beyond loopback: a warning says who can reach it; every interface takes addresses typed by hand, not names', async () => {
  assert.match(bindingWarning('0.0.0.0', 4321) ?? '', 'warning: bound to 0.0.0.0, beyond this machine');
  assert.is(bindingWarning('127.0.0.1', 4321), undefined);
  assert.is(bindingWarning('::1', 4321), undefined);
  const wide = createAccessCheck({ host: '0.0.0.0', port: 4321 });
  assert.is(wide({ host: '192.0.2.7:4321' }), undefined);
  assert.is(wide({ host: '[::1]:4321' }), undefined);
  assert.match(wide({ host: 'evil.example:4321' }) ?? '', 'DNS rebinding');
  assert.match(wide({ host: '192.0.2.7:9999' }) ?? '', 'DNS rebinding');
  const proxied = createAccessCheck({ host: '127.0.0.1', port: 4321, allowedHosts: ['inspect.example'] });
  assert.is(proxied({ host: 'inspect.example', origin: 'https://inspect.example' }), undefined);
  // Nothing is logged by an inspector on loopback.
  const quiet: string[] = [];
  await (await createInspector({ log: (line) => quiet.push(line) })).close();
  assert.equal(quiet, []);
});

test('a stream inspected: every actor with its machine, final state and status, in one session', async ({ inspector, client }) => {
  const run = await askArithmetic(client, inspector.inspect, 'What is 2**10 + 3*7?');
  assert.is(run.status, 'completed');
  const actors = await json<ActorView[]>(inspector, '/api/actors');
  const root = actors.find((actor) => actor.name === 'assistantStream');
  assert.ok(root, 'the stream actor');
  const session = actors.filter((actor) => actor.rootId === root.sessionId);
  const names = new Set(session.map((actor) => actor.name));
  for (const name of ['assistantStream', 'run', 'runStep', 'toolCall', 'message']) assert.ok(names.has(name), `an actor of machine ${name}`);
  const runActor = session.find((actor) => actor.name === 'run')!;
  assert.is(runActor.value, 'completed');
  assert.is(runActor.actorId, `run:${run.id}`);
  assert.is(runActor.parentId, root.sessionId);
  assert.is(root.value, 'done');
  const toolCall = session.find((actor) => actor.name === 'toolCall')!;
  assert.ok(session.some((actor) => actor.sessionId === toolCall.parentId && actor.name === 'runStep'), 'tool calls are children of their step');
  for (const actor of session) assert.type(actor.status, 'string');
  assert.ok(runActor.lastTransition, 'the run took a transition');
  assert.equal(runActor.lastTransition!.to, 'completed');
  assert.ok(runActor.definition, 'the run registered its definition');
  const definition = await json<{ id: string; states: Record<string, unknown> }>(inspector, `/api/definitions/${runActor.definition}`);
  assert.is(definition.id, 'run');
  assert.ok('requires_action' in definition.states);
});

test('two streams in one process are two sessions, with their own ids', async ({ inspector, client }) => {
  await askArithmetic(client, inspector.inspect, 'What is 6 * 7?');
  const roots = (await json<ActorView[]>(inspector, '/api/actors')).filter((actor) => actor.name === 'assistantStream');
  assert.ok(roots.length >= 2, `${roots.length} stream roots`);
  assert.is(new Set(roots.map((root) => root.sessionId)).size, roots.length);
});

test('events: paginated, filtered by session, actor and type', async ({ inspector }) => {
  const first = await json<EventPage>(inspector, '/api/events?limit=5');
  assert.is(first.events.length, 5);
  assert.ok(first.total > 5);
  assert.equal(first.events.map((event) => event.seq), [0, 1, 2, 3, 4]);
  const second = await json<EventPage>(inspector, '/api/events?offset=5&limit=5');
  assert.is(second.events[0]!.seq, 5);
  const runEvents = await json<EventPage>(inspector, '/api/events?type=thread.run.completed&limit=1000');
  assert.ok(runEvents.total >= 2);
  for (const event of runEvents.events) assert.ok(event.type.includes('thread.run.completed'));
  const actors = await json<ActorView[]>(inspector, '/api/actors');
  const runActor = actors.find((actor) => actor.name === 'run')!;
  const ofRun = await json<EventPage>(inspector, `/api/events?actor=${encodeURIComponent(runActor.sessionId)}&limit=1000`);
  assert.ok(ofRun.events.length > 0);
  for (const event of ofRun.events) assert.ok(event.sessionId === runActor.sessionId || event.sourceId === runActor.sessionId);
  const ofSession = await json<EventPage>(inspector, `/api/events?session=${encodeURIComponent(runActor.rootId)}&limit=1000`);
  for (const event of ofSession.events) assert.is(event.rootId, runActor.rootId);
  assert.is((await api(inspector, '/api/events?offset=-1')).status, 400);
});

test('time travel: /api/state?at= shows every actor as it was then', async ({ inspector }) => {
  const actors = await json<ActorView[]>(inspector, '/api/actors');
  const runActor = actors.find((actor) => actor.name === 'run')!;
  const inProgress = await json<EventPage>(inspector, `/api/events?actor=${encodeURIComponent(runActor.sessionId)}&type=thread.run.in_progress&limit=1`);
  const at = inProgress.events[0]!.seq;
  const state = await json<{ at: number; actors: Array<ActorView & { context: { run?: { status?: string } } }> }>(inspector, `/api/state?at=${at}`);
  const runThen = state.actors.find((actor) => actor.sessionId === runActor.sessionId)!;
  assert.is(runThen.value, 'in_progress');
  assert.is(runThen.context.run?.status, 'in_progress');
  assert.not.ok(state.actors.some((actor) => actor.createdSeq > at), 'no actor from the future');
  const before = await json<{ actors: ActorView[] }>(inspector, `/api/state?at=${runActor.createdSeq - 1}`);
  assert.not.ok(before.actors.some((actor) => actor.sessionId === runActor.sessionId), 'the run did not exist yet');
});

test('a poll helper takes the same observer: its poll actor shows with its final state', async ({ inspector, client }) => {
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 1 + 1?' }] });
  const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 5, inspect: inspector.inspect });
  assert.is(run.status, 'completed');
  const polls = (await json<ActorView[]>(inspector, '/api/actors')).filter((actor) => actor.name === 'poll');
  assert.is(polls.length, 1);
  assert.is(polls[0]!.status, 'done');
  assert.ok(polls[0]!.definition, 'the poll chart is drawn from its definition');
});

test.run();
