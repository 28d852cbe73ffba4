// Peak heap of ours on a stream of N text deltas, generated on the fly (the body is never held
// in memory): `node --expose-gc --import tsx bench/heap-worker.ts 1000000`.
import { AssistantStream } from '../src/index.ts';
import { makeMessage, makeRun, makeRunStep } from '../src/testing/index.ts';
import { formatSSEFrame, SSE_DONE_FRAME } from '../src/wire/index.ts';

const deltas = Number(process.argv[2] ?? 1_000_000);
const encoder = new TextEncoder();
const WORDS = ['the ', 'run ', 'lifecycle ', 'as ', 'a ', 'statechart ', 'streams ', 'every ', 'delta ', 'here '];

async function* body(): AsyncGenerator<Uint8Array> {
  yield encoder.encode(
    formatSSEFrame('thread.run.created', makeRun()) +
      formatSSEFrame('thread.run.in_progress', makeRun({ status: 'in_progress' })) +
      formatSSEFrame('thread.run.step.created', makeRunStep()) +
      formatSSEFrame('thread.message.created', makeMessage()),
  );
  let batch = '';
  for (let i = 0; i < deltas; i++) {
    const value = WORDS[i % WORDS.length]!;
    batch += formatSSEFrame('thread.message.delta', { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text: i === 0 ? { value, annotations: [] } : { value } }] } });
    if (batch.length > 65_536) {
      yield encoder.encode(batch);
      batch = '';
    }
  }
  yield encoder.encode(batch + formatSSEFrame('thread.run.completed', makeRun({ status: 'completed' })) + SSE_DONE_FRAME);
}

// Two readings: the live heap (after a full collection, every 50,000 deltas: what the stream
// really holds) and the raw heap in use (every 10,000 deltas: also garbage not yet collected).
const gc = globalThis.gc ?? (() => {});
gc();
const baseline = process.memoryUsage().heapUsed;
let peakLive = baseline;
let peakRaw = baseline;
let seen = 0;
let textLength = 0;
const stream = AssistantStream.fromSSE(body());
stream.on('textDelta', (delta) => {
  textLength += delta.value?.length ?? 0;
  if (++seen % 10_000 === 0) peakRaw = Math.max(peakRaw, process.memoryUsage().heapUsed);
  if (seen % 50_000 === 0) {
    gc();
    peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
  }
});
await stream.done();
gc();
peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
const MB = 1024 * 1024;
process.stdout.write(
  `${JSON.stringify({ deltas, textMB: textLength / MB, peakLiveMB: (peakLive - baseline) / MB, peakRawMB: (peakRaw - baseline) / MB, baselineMB: baseline / MB })}\n`,
);
