// Does @restatedev/xstate host our assistantRun chart? It turns a machine into a virtual object:
// each event is one exclusive invocation that restores the machine from its persisted snapshot,
// delivers the event, persists the snapshot again and returns; promise actors must be its own
// `fromPromise` (run as a separate invocation that sends the result back as an event). This
// script hosts the chart as createAssistantRun provides it, on a real restate-server, starts one
// tool-loop run, and reports what happened: where the machine stands, how many runs the server
// made, and how many invocations it took. docs/design.md ("Restate: why not @restatedev/xstate")
// quotes it.
//
//   npm run bench:restate-xstate
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createEndpointHandler } from '@restatedev/restate-sdk';
import { xstate } from '@restatedev/xstate';
import { AssistantsClient, createAssistantRun } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';
import { startRestate } from '../tests/helpers/restate.ts';
import { ensurePromiseWithResolvers } from '../src/restate/node20.ts';

const TOOLS = ['get_weather', 'get_time'].map((name) => ({
  type: 'function' as const,
  function: { name, parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
}));
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

ensurePromiseWithResolvers();
const server = await createServer({ pace: { deltaDelayMs: 0, stepDelayMs: 0 }, pollAfterMs: 5 });
const restate = await startRestate();
const client = new AssistantsClient({ baseURL: server.url, apiKey: 'bench' });
const logic = createAssistantRun({ client, tools: { get_weather: ({ city }: { city: string }) => ({ city, temp: '22C' }), get_time: () => '14:00' } });
const endpoint = createHttp2Server(createEndpointHandler({ services: [xstate('assistantRunOnXstate', logic)] }));
await new Promise<void>((done) => endpoint.listen(0, '127.0.0.1', done));
try {
  await restate.register(`http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`);
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: TOOLS });
  const thread = await client.beta.threads.create();
  const call = async (handler: string, body: unknown) => {
    const answer = await fetch(`${restate.ingressUrl}/assistantRunOnXstate/${thread.id}/${handler}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: answer.status, body: (await answer.json().catch(() => null)) as { value?: unknown; status?: string; message?: string } | null };
  };
  const runsOnThread = async () => (await client.beta.threads.runs.list(thread.id)).data.map((run) => run.status);
  const input = { threadId: thread.id, assistantId: assistant.id, additionalMessages: [{ role: 'user', content: "What's the weather and the time in Paris?" }] };

  const created = await call('create', { input });
  console.log(`create → ${created.status}: machine at ${JSON.stringify(created.body?.value)} (${created.body?.status ?? created.body?.message})`);
  await sleep(3_000);
  const after = await call('snapshot', {});
  console.log(`3 s later → machine at ${JSON.stringify(after.body?.value)}; runs on the server: ${JSON.stringify(await runsOnThread())}`);
  // Any later event restores the snapshot, which starts the invoked actors of its state again.
  for (let n = 1; n <= 2; n++) {
    const sent = await call('send', { event: { type: 'noop' } });
    await sleep(1_000);
    console.log(`event ${n} → ${sent.status}: machine at ${JSON.stringify(sent.body?.value)}; runs on the server: ${JSON.stringify(await runsOnThread())}`);
  }
  const invocations = await restate.query<{ target_handler_name: string; n: number }>(
    "select target_handler_name, count(*) as n from sys_invocation where target_service_name = 'assistantRunOnXstate' group by target_handler_name",
  );
  console.log(`invocations: ${invocations.map((row) => `${row.target_handler_name} ${row.n}`).join(', ')}`);
  const entries = await restate.query<{ entry_type: string; n: number }>(
    "select j.entry_type, count(*) as n from sys_journal j join sys_invocation i on j.id = i.id where i.target_service_name = 'assistantRunOnXstate' group by j.entry_type order by j.entry_type",
  );
  console.log(`their journal entries: ${entries.map((row) => `${row.entry_type} ${row.n}`).join(', ')}`);
} finally {
  await restate.stop();
  endpoint.close();
  await server.close();
}
