// Per-key requests per minute counted across servers sharing one PostgreSQL: a key gets its
// minute's worth once, whichever server its requests reach (a token bucket kept in the database,
// on the database's clock); another key has its own; the refusal is the API's 429 from either
// server. (Concurrent runs are still counted by each server: docs/server.md.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashKey, type TenantKey } from '../src/server/index.ts';
import { startCluster, type TestCluster } from './helpers/postgres.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { tenantRequest } from './helpers/tenants.ts';

const KEY_A = 'sk-pg-limits-a-6b2e90';
const KEY_B = 'sk-pg-limits-b-1f4c77';
const KEYS: TenantKey[] = [
  { tenant: 'acme', sha256: hashKey(KEY_A), name: 'acme-ci' },
  { tenant: 'globex', sha256: hashKey(KEY_B), name: 'globex-ci' },
];
const PER_MINUTE = 20;

const test = suite<{ cluster: TestCluster; one: TestServer; two: TestServer }>('rate limits shared on PostgreSQL');
test.before(async (context) => {
  context.cluster = await startCluster();
  context.one = await startTestServer({ databaseUrl: context.cluster.url, keys: KEYS, limits: { requestsPerMinute: PER_MINUTE } });
  context.two = await startTestServer({ databaseUrl: context.cluster.url, keys: KEYS, limits: { requestsPerMinute: PER_MINUTE } });
});
test.after(async ({ one, two, cluster }) => {
  await one?.close();
  await two?.close();
  await cluster?.stop();
});

test('a key\'s requests per minute are counted once across both servers; another key has its own', async ({ one, two }) => {
  const statuses: number[] = [];
  let refusal: Response | undefined;
  // 15 requests to each server: alone, each would take all 15 (its bucket holds 20).
  for (const server of [one, two]) {
    const asA = tenantRequest(server.server.url, KEY_A);
    for (let index = 0; index < 15; index++) {
      const response = await asA('/assistants');
      statuses.push(response.status);
      if (response.status === 429) refusal ??= response;
      else await response.body?.cancel();
    }
  }
  const allowed = statuses.filter((status) => status === 200).length;
  // The bucket refills a token every 3 s: the 30 requests take well under that.
  assert.ok(allowed >= PER_MINUTE && allowed <= PER_MINUTE + 1, `${allowed} of 30 allowed`);
  assert.equal(statuses.slice(0, 15), Array(15).fill(200), 'the first server takes its 15');
  assert.ok(refusal !== undefined);
  assert.ok(Number(refusal!.headers.get('retry-after')) >= 1);
  assert.is(refusal!.headers.get('x-ratelimit-remaining-requests'), '0');
  assert.match(((await refusal!.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
  // Another key's bucket is its own, on either server.
  const asB = tenantRequest(two.server.url, KEY_B);
  const b = await asB('/assistants');
  assert.is(b.status, 200);
  assert.is(b.headers.get('x-ratelimit-remaining-requests'), String(PER_MINUTE - 1));
  assert.equal(one.internalErrors, []);
  assert.equal(two.internalErrors, []);
});

test.run();
