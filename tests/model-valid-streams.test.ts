// Generated valid run streams (the exported fast-check arbitraries) end in the final state
// predicted with them: the final run's status and every message's final text, in both lifecycle
// modes, cut into chunks of several sizes. The default `npm test` takes 24; `npm run test:properties`
// (PROPERTY_RUNS=full) takes 10,000.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantStream } from '../src/index.ts';
import { byteChunks, runStreamArbitraries, toSSE, type ValidRunStream } from '../src/testing/index.ts';

const FULL = process.env['PROPERTY_RUNS'] === 'full';
const RUNS = FULL ? 10_000 : 24;
const { validStream, plan } = runStreamArbitraries(fc);

async function finalState(stream: ValidRunStream, lifecycle: 'tolerant' | 'strict', chunkSize: number) {
  const consumed = AssistantStream.fromSSE(byteChunks(toSSE(stream.events), chunkSize), { lifecycle });
  const run = await consumed.finalRun();
  const messages = (await consumed.finalMessages()).map((message) => ({
    id: message.id,
    text: message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join(''),
  }));
  return { finalRunStatus: run.status, messages };
}

test('the arbitraries are deterministic per seed, and draw every ending, tool kind and block kind', () => {
  const first = fc.sample(validStream, { seed: 42, numRuns: 30 });
  assert.equal(fc.sample(validStream, { seed: 42, numRuns: 30 }), first);
  assert.not.equal(fc.sample(validStream, { seed: 43, numRuns: 30 }), first);
  const plans = fc.sample(plan, { seed: 1, numRuns: 400 });
  const endings = new Set(plans.map((drawn) => drawn.ending));
  assert.equal([...endings].sort(), ['cancelled', 'completed', 'expired', 'failed', 'incomplete', 'requires_action']);
  const events = new Set(fc.sample(validStream, { seed: 2, numRuns: 200 }).flatMap((stream) => stream.events.map((event) => JSON.stringify(event.data).match(/"type":"(code_interpreter|file_search|function|image_file|file_citation|file_path)"/g) ?? [])).flat());
  assert.equal(events.size, 6, [...events].join(' '));
});

test(`generated valid streams end in the predicted final state (${RUNS} streams, either lifecycle mode)`, async () => {
  await fc.assert(
    fc.asyncProperty(validStream, fc.constantFrom('tolerant' as const, 'strict' as const), fc.constantFrom(61, 1024, 1 << 20), async (stream, lifecycle, chunkSize) => {
      const reached = await finalState(stream, lifecycle, chunkSize);
      assert.is(reached.finalRunStatus, stream.finalRunStatus);
      assert.equal(reached.messages, stream.messages);
    }),
    { numRuns: RUNS, ...(FULL ? {} : { seed: 7 }) },
  );
});

test.run();
