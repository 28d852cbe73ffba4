// The per-key limiter on its own: a bucket shared through the database (a stand-in for
// PostgreSQL's statement) decides, its refusal says how long to wait; when the database does not
// answer, the server counts alone rather than refusing; keys of two tenants with the same name
// are counted apart.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyLimiter, type SharedBuckets } from '../src/server/operations/limits.ts';
import { RequestScope, type RequestInfo } from '../src/server/tenants/scope.ts';

const request = (tenant: string, key: string): RequestInfo => ({ id: 'req_1', tenant, key, keyLimits: undefined, route: undefined });

test('the shared bucket decides: a refusal waits for the next whole token', async () => {
  const limiter = new KeyLimiter({ requestsPerMinute: 60 }, new RequestScope());
  const asked: string[] = [];
  let tokens = 1.5;
  const shared: SharedBuckets = async (key, perMinute) => {
    asked.push(`${key}@${perMinute}`);
    if (tokens >= 1) {
      tokens -= 1;
      return { tokens, taken: true };
    }
    return { tokens, taken: false };
  };
  limiter.useSharedBuckets(shared);
  assert.is(await limiter.admit(request('acme', 'ci'), false), undefined);
  const refused = await limiter.admit(request('acme', 'ci'), false);
  assert.is(refused?.status, 429);
  // 0.5 of a token left at one a second: half a second to wait.
  assert.match(refused!.message, /try again in 500ms/);
  assert.equal(asked, ['acme/ci@60', 'acme/ci@60']);
});

test('when the database does not answer, each server counts alone', async () => {
  const limiter = new KeyLimiter({ requestsPerMinute: 2 }, new RequestScope(), () => 0);
  limiter.useSharedBuckets(async () => {
    throw new Error('connection refused');
  });
  assert.is(await limiter.admit(request('acme', 'ci'), false), undefined);
  assert.is(await limiter.admit(request('acme', 'ci'), false), undefined);
  assert.is((await limiter.admit(request('acme', 'ci'), false))?.status, 429);
});

test('two tenants\' keys with the same name have buckets of their own', async () => {
  const limiter = new KeyLimiter({ requestsPerMinute: 1 }, new RequestScope(), () => 0);
  assert.is(await limiter.admit(request('acme', 'ci'), false), undefined);
  assert.is(await limiter.admit(request('globex', 'ci'), false), undefined);
  assert.is((await limiter.admit(request('acme', 'ci'), false))?.status, 429);
});

test.run();
