// `--inspect WS_URL`'s sender: frames batched to a running inspector, contexts included, and a
// dropped connection reopened with nothing lost.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, createMachine, assign } from 'xstate';
import { createFrameSender, createInspector, type ActorStateView, type Inspector } from '../inspect/index.ts';
import { AssistantStream } from '../src/index.ts';
import { buildBenchRun } from '../bench/fixture.ts';
import { startTcpCutProxy } from './helpers/tcpCutProxy.ts';

const test = suite('inspect-sender');

const counter = createMachine({
  id: 'counter',
  context: { count: 0, secret: 'sk-abcdefghijklmnop' },
  initial: 'counting',
  states: { counting: { on: { ADD: { actions: assign({ count: ({ context }) => context.count + 1 }) }, STOP: 'stopped' } }, stopped: { type: 'final' } },
});

async function stateOf(inspector: Inspector, name: string): Promise<ActorStateView | undefined> {
  const url = new URL(inspector.url);
  const response = await fetch(`${url.origin}/api/state${url.search}`);
  const { actors } = (await response.json()) as { actors: ActorStateView[] };
  return actors.find((actor) => actor.name === name || actor.actorId.endsWith(name));
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('frames reach the inspector in batches, with the newest context, redacted', async () => {
  const inspector = await createInspector({ log: () => {} });
  const sender = createFrameSender(inspector.wsUrl);
  try {
    const actor = createActor(counter, { inspect: sender.inspect }).start();
    for (let index = 0; index < 1000; index++) actor.send({ type: 'ADD' });
    await sender.flush();
    await until(async () => ((await stateOf(inspector, 'counter'))?.context as { count?: number } | undefined)?.count === 1000, 'count 1000');
    const seen = (await stateOf(inspector, 'counter'))!;
    assert.is(seen.value, 'counting');
    assert.is((seen.context as { secret: string }).secret, 'sk-[redacted]');
    assert.is(inspector.store.events({ type: 'ADD', limit: 0 }).total, 1000);
  } finally {
    await sender.close();
    await inspector.close();
  }
});

test('a dropped connection is reopened and what was queued meanwhile arrives', async () => {
  const first = await createInspector({ log: () => {} });
  const { port } = first;
  const token = new URL(first.url).searchParams.get('token')!;
  const sender = createFrameSender(first.wsUrl);
  const actor = createActor(counter, { inspect: sender.inspect }).start();
  actor.send({ type: 'ADD' });
  await sender.flush();
  await until(async () => (await stateOf(first, 'counter')) !== undefined, 'the first inspector sees the counter');
  await first.close();
  actor.send({ type: 'ADD' });
  actor.send({ type: 'STOP' });
  const second = await createInspector({ port, token, log: () => {} });
  try {
    await until(async () => second.store.events({ type: 'STOP', limit: 0 }).total === 1, 'the STOP sent while no inspector ran');
    assert.is(second.store.events({ type: 'ADD', limit: 0 }).total, 1);
  } finally {
    await sender.close();
    await second.close();
  }
});

test('a connection cut mid-stream splits nothing: the same actors go on, each event once, the message whole', async () => {
  const proxy = await startTcpCutProxy(40_000);
  const inspector = await createInspector({ log: () => {}, allowedHosts: [proxy.host] });
  proxy.target(inspector.port);
  const sender = createFrameSender(inspector.wsUrl.replace(/127\.0\.0\.1:\d+/, proxy.host));
  try {
    const run = buildBenchRun({ textDeltas: 3000 });
    // Slowly enough (64 pieces, 5 ms apart) that batches go on both sides of the cut.
    const bytes = new TextEncoder().encode(run.sse);
    const source = (async function* () {
      for (let offset = 0; offset < bytes.length; offset += Math.ceil(bytes.length / 64)) {
        yield bytes.subarray(offset, offset + Math.ceil(bytes.length / 64));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await AssistantStream.fromSSE(source, { inspect: sender.inspect }).done();
    await proxy.cut;
    await sender.flush();
    const actors = inspector.store.actors();
    assert.equal(actors.filter((actor) => actor.orphan), [], 'no actor arrived without its announcement');
    assert.is(new Set(actors.map((actor) => actor.rootId)).size, 1, 'one session');
    const runActor = actors.find((actor) => actor.name === 'run')!;
    assert.is(runActor.value, 'completed');
    const message = inspector.store.stateAt(inspector.store.cursor.nextSeq - 1).find((actor) => actor.name === 'message')!;
    assert.is(message.value, 'completed');
    const text = (message.context as { message: { content: Array<{ text: { value: string } }> } }).message.content[0]!.text.value;
    assert.is(text, run.text, 'the whole message');
    assert.is(inspector.store.events({ type: 'thread.message.delta', limit: 0 }).total, 3000, 'each delta once: the batches sent again after the cut were not taken twice');
  } finally {
    await sender.close();
    await proxy.close();
    await inspector.close();
  }
});

test('a wrong token is said so, not "Unexpected server response: 401"', async () => {
  const inspector = await createInspector({ log: () => {} });
  const errors: string[] = [];
  const sender = createFrameSender(inspector.wsUrl.replace(/token=[^&]+/, 'token=wrong'), { onError: (error) => errors.push(error.message), closeTimeoutMs: 50 });
  try {
    await until(async () => errors.length > 0, 'an error');
    assert.match(errors[0]!, 'the inspector refused the token (401)');
  } finally {
    await sender.close();
    await inspector.close();
  }
});

test.run();
