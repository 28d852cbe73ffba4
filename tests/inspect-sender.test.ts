// `--inspect WS_URL`'s sender: frames batched to a running inspector, contexts included, and a
// dropped connection reopened with nothing lost.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, createMachine, assign } from 'xstate';
import { createFrameSender, createInspector, type ActorStateView, type Inspector } from '../inspect/index.ts';

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

test.run();
