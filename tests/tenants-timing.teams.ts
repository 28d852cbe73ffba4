// No timing oracle: tenant B's requests for tenant A's ids take as long as its requests for ids
// nobody created. 1,000 tries per route, interleaved (foreign, unknown, foreign …) so load
// drifts hit both alike; the gap between the two medians must lie within what splitting the
// same pooled times at random gives (a permutation test: the 99th percentile of 400 random splits).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { probes, seedTenant, send, tenantRequest, unknownObjects, type TenantObjects } from './helpers/tenants.ts';

const KEY_A = 'sk-timing-a-1d5f8e';
const KEY_B = 'sk-timing-b-92c6a0';
const TRIES = 1_000;
const SPLITS = 400;
// Routes that read (the writes' probes would change nothing either, but a read is what an
// attacker probing for ids repeats).
const ROUTES = ['retrieve assistant', 'retrieve thread', 'file content', 'search vector store', 'retrieve response', 'retrieve conversation item'];

const test = suite<{ t: TestServer; a: TenantObjects; b: TenantObjects }>('tenant isolation has no timing oracle');
test.before(async (context) => {
  context.t = await startTestServer({ keys: [{ tenant: 'acme', key: KEY_A }, { tenant: 'globex', key: KEY_B }] });
  context.a = await seedTenant(context.t.server.url, KEY_A, 'A secret worth probing for.');
  context.b = await seedTenant(context.t.server.url, KEY_B, 'Nothing to see.');
});
test.after(async ({ t }) => t?.close());

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

test(`for ${ROUTES.length} routes, ${TRIES} tries each: foreign and unknown ids take the same time`, async ({ t, a, b }) => {
  const asB = tenantRequest(t.server.url, KEY_B);
  const report: string[] = [];
  for (const name of ROUTES) {
    const probe = probes(b).find((candidate) => candidate.name === name)!;
    const foreign: number[] = [];
    const unknown: number[] = [];
    // One set of ids nobody created, used as often as A's: both sides send the same kind of
    // request again and again.
    const nobody = unknownObjects(a);
    // Warm up both paths first.
    for (let index = 0; index < 50; index += 1) await (await send(asB, probe, index % 2 === 0 ? a : nobody)).arrayBuffer();
    for (let index = 0; index < TRIES; index += 1) {
      const target = index % 2 === 0 ? a : nobody;
      const started = performance.now();
      const response = await send(asB, probe, target);
      await response.arrayBuffer();
      (index % 2 === 0 ? foreign : unknown).push(performance.now() - started);
      assert.ok(response.status === 404 || response.status === 400, `${name}: ${response.status}`);
    }
    const gap = Math.abs(median(foreign) - median(unknown));
    const pooled = [...foreign, ...unknown];
    const splitGaps: number[] = [];
    for (let split = 0; split < SPLITS; split += 1) {
      const shuffled = [...pooled];
      for (let index = shuffled.length - 1; index > 0; index -= 1) {
        const other = Math.floor(Math.random() * (index + 1));
        [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
      }
      splitGaps.push(Math.abs(median(shuffled.slice(0, foreign.length)) - median(shuffled.slice(foreign.length))));
    }
    const noise = splitGaps.sort((x, y) => x - y)[Math.floor(SPLITS * 0.99)]!;
    report.push(`${name}: foreign ${median(foreign).toFixed(3)} ms, unknown ${median(unknown).toFixed(3)} ms, gap ${(gap * 1000).toFixed(0)} µs, noise ${(noise * 1000).toFixed(0)} µs`);
    assert.ok(gap <= noise, `${name}: a gap of ${(gap * 1000).toFixed(0)} µs between the medians, above the noise of ${(noise * 1000).toFixed(0)} µs`);
  }
  console.log(`\n  ${report.join('\n  ')}`);
});

test.run();
