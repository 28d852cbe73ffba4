// The request scope (which request, which tenant) is carried by one AsyncLocalStorage for the
// whole process, whatever number of servers it creates: on Node 20 every enabled
// AsyncLocalStorage is visited at every promise the process makes, and one per server made a
// process that had created 300 servers (a test suite) spend 80 times the CPU on each await.
// Each server still sees only its own requests, nested or not.
import { AsyncLocalStorage } from 'node:async_hooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from '../src/server/index.ts';
import { newRequestInfo, RequestScope } from '../src/server/tenants/scope.ts';

test('twenty servers, a request to each: their requests run in one AsyncLocalStorage', async () => {
  const storages = new Set<AsyncLocalStorage<unknown>>();
  const run = AsyncLocalStorage.prototype.run;
  AsyncLocalStorage.prototype.run = function (this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
    storages.add(this);
    return run.apply(this, args);
  } as typeof run;
  try {
    for (let index = 0; index < 20; index++) {
      const server = await createServer();
      try {
        const answer = await fetch(`${server.url}/assistants`, { headers: { authorization: 'Bearer sk-test', 'openai-beta': 'assistants=v2' } });
        assert.is(answer.status, 200);
        await answer.body?.cancel();
      } finally {
        await server.close();
      }
    }
  } finally {
    AsyncLocalStorage.prototype.run = run;
  }
  assert.is(storages.size, 1, `${storages.size} AsyncLocalStorage instances ran a request`);
});

test("each scope sees its own request only, also inside another scope's", async () => {
  const first = new RequestScope();
  const second = new RequestScope();
  assert.is(first.current(), undefined);
  const seen = await first.run({ ...newRequestInfo('req_1', false), tenant: 'acme' }, async () => {
    await Promise.resolve();
    const inside = second.run({ ...newRequestInfo('req_2', false), tenant: 'globex' }, async () => {
      await Promise.resolve();
      return [first.current()?.id, first.tenant(), second.current()?.id, second.tenant()];
    });
    return [...(await inside), first.current()?.id, second.current()?.id];
  });
  assert.equal(seen, ['req_1', 'acme', 'req_2', 'globex', 'req_1', undefined]);
  assert.is(second.tenant(), undefined, 'outside any request: every tenant');
  // A request not yet authenticated on a server with keys sees nobody's objects.
  assert.is(first.run(newRequestInfo('req_3', true), () => first.tenant()), '');
});

test.run();
