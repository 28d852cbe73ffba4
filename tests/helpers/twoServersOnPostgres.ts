import { suite } from 'uvu';
import { startCluster, type TestCluster } from './postgres.ts';
import { startTestServer, type TestServer } from './server.ts';

/** What each test of a two-server suite gets: one cluster, two servers sharing it. */
export interface TwoServers {
  cluster: TestCluster;
  a: TestServer;
  b: TestServer;
}

/**
 * A uvu suite whose tests share one PostgreSQL cluster (started on loopback) and two embedded
 * servers on it, `a` and `b`, stopped after the suite.
 *
 * @example `const test = twoServersOnPostgres('scale-out on PostgreSQL'); test('…', async ({ a, b }) => { … });`
 */
export function twoServersOnPostgres(name: string) {
  const test = suite<TwoServers>(name);
  test.before(async (context) => {
    context.cluster = await startCluster();
    context.a = await startTestServer({ databaseUrl: context.cluster.url });
    context.b = await startTestServer({ databaseUrl: context.cluster.url });
  });
  test.after(async ({ a, b, cluster }) => {
    await a?.close();
    await b?.close();
    await cluster?.stop();
  });
  return test;
}
