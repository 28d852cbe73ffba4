// Tenants across two servers sharing one PostgreSQL: what tenant A created through server A,
// tenant B reaches through server B exactly as ids nobody created, on every route; lists and
// searches on either server show B only its own; both servers restarted still keep the
// tenants apart (their rows carry them); a key removed on both is refused from the next request.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashKey, type TenantKey } from '../src/server/index.ts';
import { startCluster, type TestCluster } from './helpers/postgres.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { normalized, probes, seedTenant, send, tenantRequest, unknownObjects, type TenantObjects } from './helpers/tenants.ts';

const KEY_A = 'sk-pg-tenant-a-93d1f7';
const KEY_B = 'sk-pg-tenant-b-c04e21';
const KEYS: TenantKey[] = [
  { tenant: 'acme', sha256: hashKey(KEY_A) },
  { tenant: 'globex', sha256: hashKey(KEY_B) },
];
const SECRET = 'The vault combination is 31-7-22.';

interface Context {
  cluster: TestCluster;
  one: TestServer;
  two: TestServer;
  a: TenantObjects;
  b: TenantObjects;
}

const test = suite<Context>('tenants on two servers sharing PostgreSQL');
test.before(async (context) => {
  context.cluster = await startCluster();
  context.one = await startTestServer({ databaseUrl: context.cluster.url, keys: KEYS });
  context.two = await startTestServer({ databaseUrl: context.cluster.url, keys: KEYS });
  context.a = await seedTenant(context.one.server.url, KEY_A, SECRET);
  context.b = await seedTenant(context.two.server.url, KEY_B, 'Globex sells hammocks.');
});
test.after(async ({ one, two, cluster }) => {
  await one?.close();
  await two?.close();
  await cluster?.stop();
});

test("through the other server, B aiming at A's ids gets exactly the answer for ids nobody created", async ({ two, a, b }) => {
  const asB = tenantRequest(two.server.url, KEY_B);
  const unknown = unknownObjects(a);
  for (const probe of probes(b)) {
    const foreign = await normalized(await send(asB, probe, a), a);
    const none = await normalized(await send(asB, probe, unknown), unknown);
    assert.equal(foreign, none, probe.name);
    assert.not.ok(foreign.body.includes('31-7-22'), `${probe.name}: A's file content leaked`);
  }
  assert.equal(two.internalErrors, []);
});

test('lists and searches on either server show B only its own; A sees its own on both', async ({ one, two, a, b }) => {
  for (const server of [one, two]) {
    const asB = tenantRequest(server.server.url, KEY_B);
    const ids = async (path: string) => ((await (await asB(path)).json()) as { data: Array<{ id: string }> }).data.map((item) => item.id);
    assert.equal(await ids('/assistants'), [b.assistant]);
    assert.equal(await ids('/files'), [b.file]);
    assert.equal(await ids('/vector_stores'), [b.vectorStore]);
    const search = (await (await asB(`/vector_stores/${b.vectorStore}/search`, { method: 'POST', body: { query: 'vault combination' } })).json()) as { data: Array<{ file_id: string }> };
    assert.ok(search.data.every((hit) => hit.file_id === b.file));
    const asA = tenantRequest(server.server.url, KEY_A);
    assert.is(await (await asA(`/files/${a.file}/content`)).text(), SECRET);
  }
});

test('after both servers restart, the rows keep their tenants apart', async (context) => {
  await context.one.close();
  await context.two.close();
  context.one = await startTestServer({ databaseUrl: context.cluster.url, keys: KEYS });
  context.two = await startTestServer({ databaseUrl: context.cluster.url, keys: KEYS });
  const asB = tenantRequest(context.one.server.url, KEY_B);
  assert.is((await asB(`/threads/${context.a.thread}`)).status, 404);
  assert.is((await asB(`/conversations/${context.a.conversation}`)).status, 404);
  assert.is((await tenantRequest(context.two.server.url, KEY_A)(`/threads/${context.a.thread}`)).status, 200);
  const ids = ((await (await asB('/assistants')).json()) as { data: Array<{ id: string }> }).data.map((item) => item.id);
  assert.equal(ids, [context.b.assistant]);
});

test('a key removed from both servers is refused from the next request', async ({ one, two }) => {
  for (const server of [one, two]) server.server.setKeys([KEYS[0]!]);
  for (const server of [one, two]) {
    assert.is((await tenantRequest(server.server.url, KEY_B)('/assistants')).status, 401);
    assert.is((await tenantRequest(server.server.url, KEY_A)('/assistants')).status, 200);
  }
});

test.run();
