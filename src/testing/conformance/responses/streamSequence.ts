import type { ConformanceCheck } from '../check.ts';
import { expect } from '../http.ts';
import type { StreamedEvent } from '../sse.ts';
import { sequenceOf, typeOf, wholeStream } from './api.ts';

/** Fails unless the events are numbered `from`, `from + 1`, … without a gap or a repeat. */
export function expectConsecutive(events: readonly StreamedEvent[], from: number, what: string): void {
  for (const [index, event] of events.entries()) {
    const sequence = sequenceOf(event);
    expect(sequence !== undefined, `${what}: event #${index} (${typeOf(event)}) has no sequence_number`);
    const expected = from + index;
    if (sequence > expected) expect(false, `${what}: sequence_number jumps from ${expected - 1} to ${sequence} at event #${index} (${typeOf(event)}): ${sequence - expected} missing`);
    expect(sequence === expected, `${what}: sequence_number ${sequence} at event #${index} (${typeOf(event)}), expected ${expected}`);
  }
}

/** `sequence_number` starts at 0 and counts every event, without gaps. */
export const responsesStreamSequence: ConformanceCheck = {
  id: 'responses-stream-sequence',
  protocol: 'responses',
  title: 'sequence_number from 0, one more on every event, no gaps',
  async run(ctx, shared) {
    expectConsecutive(await wholeStream(ctx, shared), 0, 'the stream');
  },
};
