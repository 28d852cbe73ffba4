// The inspector's WebSocket: @statelyai/inspect's frames from a plain XState app, and hostile
// input — not JSON, unknown types, missing ids, a 50 MB message, a flood — each rejected with
// a logged reason, the server still serving.
import { createWebSocketInspector } from '@statelyai/inspect';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { createActor, createMachine } from 'xstate';
import { createInspector, readFrames, type ActorView, type EventPage, type Inspector, type RejectionView } from '../inspect/index.ts';

const test = suite<{ inspector: Inspector; logged: string[] }>('inspect-frames');

test.before(async (context) => {
  context.logged = [];
  context.inspector = await createInspector({ log: (line) => context.logged.push(line), maxMessageBytes: 1024 * 1024 });
});
test.after(async ({ inspector }) => {
  await inspector.close();
});

async function api<T>(inspector: Inspector, path: string): Promise<T> {
  const url = new URL(inspector.url);
  const response = await fetch(`${url.origin}${path}${path.includes('?') ? '&' : '?'}token=${url.searchParams.get('token')}`);
  assert.is(response.status, 200);
  return (await response.json()) as T;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

test('readFrames: one frame, an array, and what is wrong with each bad one', () => {
  const one = readFrames('{"type":"@xstate.event","sessionId":"x:0","event":{"type":"go"}}');
  assert.is(one.frames.length, 1);
  assert.is(one.rejections.length, 0);
  assert.equal(readFrames('{"type":"@xstate.microstep","sessionId":"x:0"}'), { frames: [], rejections: [] }, 'microsteps are skipped quietly');
  const bad = readFrames(JSON.stringify([{ type: '@xstate.snapshot', sessionId: 'x:0' }, { type: 'nope', sessionId: 'x:0' }, { type: '@xstate.event', event: { type: 'go' } }, 42]));
  assert.equal(
    bad.rejections.map((rejection) => rejection.kind),
    ['missing-field', 'unknown-type', 'missing-field', 'not-a-frame'],
  );
  assert.match(bad.rejections[0]!.message, 'frame 0 of 4 (@xstate.snapshot for x:0) has no "snapshot" object');
  assert.match(bad.rejections[1]!.message, 'unknown type "nope"');
  assert.match(bad.rejections[2]!.message, 'has no "sessionId"');
  assert.is(readFrames('{not json').rejections[0]!.kind, 'not-json');
});

test('a plain XState machine with @statelyai/inspect shows in /api/actors with its final state', async ({ inspector }) => {
  const light = createMachine({
    id: 'trafficLight',
    initial: 'green',
    states: { green: { on: { TIMER: 'yellow' } }, yellow: { on: { TIMER: 'red' } }, red: { type: 'final' } },
  });
  const stately = createWebSocketInspector({ url: inspector.wsUrl });
  const actor = createActor(light, { inspect: stately.inspect }).start();
  actor.send({ type: 'TIMER' });
  actor.send({ type: 'TIMER' });
  assert.is(actor.getSnapshot().status, 'done');
  try {
    const actors = await until(
      () => api<ActorView[]>(inspector, '/api/actors'),
      (list) => list.some((item) => item.name === 'trafficLight' && item.value === 'red'),
      'the traffic light in red',
    );
    const seen = actors.find((item) => item.name === 'trafficLight')!;
    assert.is(seen.status, 'done');
    assert.ok(seen.sessionId.startsWith('ws'), 'namespaced by its connection');
    assert.equal(seen.lastTransition, { from: 'yellow', to: 'red', event: 'TIMER', seq: seen.lastTransition!.seq });
    const definition = await api<{ id: string; states: Record<string, unknown> }>(inspector, `/api/definitions/${seen.definition}`);
    assert.equal(Object.keys(definition.states).sort(), ['green', 'red', 'yellow']); // safe-stable-stringify sorts keys
  } finally {
    stately.stop();
  }
});

test('bad frames are rejected and logged, and the connection and server go on', async ({ inspector, logged }) => {
  const socket = await connect(inspector.wsUrl);
  const before = (await api<RejectionView[]>(inspector, '/api/rejections')).length;
  socket.send('this is not JSON');
  socket.send(JSON.stringify({ type: '@xstate.teleport', sessionId: 'x:1' }));
  socket.send(JSON.stringify({ type: '@xstate.event', event: { type: 'go' } }));
  socket.send(JSON.stringify({ type: '@xstate.snapshot', sessionId: 'x:1', snapshot: 'no' }));
  socket.send(JSON.stringify({ type: '@xstate.event', sessionId: 'x:1', event: { type: 'still.here' } }));
  const rejections = await until(() => api<RejectionView[]>(inspector, '/api/rejections'), (list) => list.length >= before + 4, 'four rejections');
  assert.equal(
    rejections.slice(before).map((rejection) => rejection.kind),
    ['not-json', 'unknown-type', 'missing-field', 'missing-field'],
  );
  assert.ok(logged.some((line) => /ws\d+: rejected not-json: message of 16 characters is not JSON/.test(line)), logged.join('\n'));
  await until(() => api<EventPage>(inspector, '/api/events?type=still.here'), (page) => page.total === 1, 'the good frame after the bad ones');
  socket.close();
});

test('a 50 MB message closes its connection with a logged rejection; the server stays up', async ({ inspector, logged }) => {
  const socket = await connect(inspector.wsUrl);
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  socket.on('error', () => {});
  socket.send(JSON.stringify({ type: '@xstate.event', sessionId: 'x:2', event: { type: 'huge', blob: 'x'.repeat(50 * 1024 * 1024) } }));
  assert.is(await closed, 1009, 'closed: message too big');
  await until(async () => logged, (lines) => lines.some((line) => line.includes('rejected too-large')), 'the too-large rejection');
  assert.is((await api<EventPage>(inspector, '/api/events?type=huge')).total, 0);
  // A new connection works.
  const again = await connect(inspector.wsUrl);
  again.send(JSON.stringify({ type: '@xstate.event', sessionId: 'x:2', event: { type: 'after.huge' } }));
  await until(() => api<EventPage>(inspector, '/api/events?type=after.huge'), (page) => page.total === 1, 'a frame on a new connection');
  again.close();
});

test('a flood of 10,000 frames in a second: every one counted, the log summed up, the API answering', async ({ inspector, logged }) => {
  const socket = await connect(inspector.wsUrl);
  const linesBefore = logged.length;
  const { rejections: rejectedBefore } = await api<{ rejections: number }>(inspector, '/api/status');
  for (let index = 0; index < 5_000; index++) socket.send(`garbage ${index}`);
  for (let index = 0; index < 5_000; index++) socket.send(JSON.stringify({ type: '@xstate.event', sessionId: 'x:3', event: { type: 'flood', index } }));
  await until(() => api<EventPage>(inspector, '/api/events?type=flood&limit=0'), (page) => page.total === 5_000, 'all 5,000 good frames');
  const status = await api<{ rejections: number }>(inspector, '/api/status');
  assert.is(status.rejections - rejectedBefore, 5_000);
  // Ten lines a second at most, plus one summary a second: a few dozen, not 5,000.
  assert.ok(logged.length - linesBefore <= 40, `${logged.length - linesBefore} log lines for 5,000 rejections`);
  await until(async () => logged, (lines) => lines.some((line) => /… and \d+ more frames rejected in the last second/.test(line)), 'the summary line');
  socket.close();
});

test('keys and Authorization headers in frames reach no API answer and no log line', async ({ inspector, logged }) => {
  const socket = await connect(inspector.wsUrl);
  socket.send(JSON.stringify({ type: '@xstate.actor', sessionId: 'sk-abcdefghijkl1', name: 'sk-abcdefghijkl2' }));
  socket.send(JSON.stringify({ type: '@xstate.event', sessionId: 'sk-abcdefghijkl1', event: { type: 'sk-abcdefghijkl3', headers: { Authorization: 'Bearer secret-token' } } }));
  socket.send(JSON.stringify({ type: '@xstate.snapshot', sessionId: 'sk-abcdefghijkl1', snapshot: { value: 'sk-abcdefghijkl4', context: { apiKey: 'sk-abcdefghijkl5' } } }));
  socket.send('{"bad": "sk-abcdefghijkl6"');
  await until(() => api<RejectionView[]>(inspector, '/api/rejections'), (list) => list.some((rejection) => rejection.kind === 'not-json' && rejection.message.includes('bad')), 'the bad frame');
  await until(() => api<EventPage>(inspector, '/api/events?type=sk-'), (page) => page.total === 1, 'the event');
  const everything = JSON.stringify([
    await api(inspector, '/api/actors'),
    await api(inspector, '/api/events?limit=1000&offset=0'),
    await api(inspector, `/api/events?limit=1000&offset=${(await api<EventPage>(inspector, '/api/events?limit=0')).total - 1000}`),
    await api(inspector, '/api/state'),
    await api(inspector, '/api/rejections'),
    logged,
  ]);
  assert.not.match(everything, /sk-abcdefghijkl/, everything.slice(Math.max(0, everything.indexOf('sk-abcdefghijkl') - 300), everything.indexOf('sk-abcdefghijkl') + 50));
  assert.not.match(everything, /secret-token/);
  socket.close();
});

test('a WebSocket without the token, or to an unknown path, is refused', async ({ inspector }) => {
  const url = new URL(inspector.wsUrl);
  for (const [target, status] of [[`ws://${url.host}/ws`, 401], [`ws://${url.host}/ws?token=wrong`, 401], [`ws://${url.host}/elsewhere${url.search}`, 404]] as const) {
    const error = await new Promise<Error>((resolve) => {
      const socket = new WebSocket(target);
      socket.once('error', resolve);
      socket.once('open', () => resolve(new Error('opened')));
    });
    assert.match(error.message, `Unexpected server response: ${status}`);
  }
});

test.run();
