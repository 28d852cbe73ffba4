import { readThroughCharts } from '../charts.ts';
import type { ConformanceCheck } from '../check.ts';
import { expect } from '../http.ts';
import { type StreamedEvent, toSSE } from '../sse.ts';
import { LONG_QUESTION, outputText, responseIdOf, responseOf, resumeResponse, retrieveResponse, sequenceOf, streamResponse, TERMINAL_EVENTS, typeOf } from './api.ts';
import { expectConsecutive } from './streamSequence.ts';

/** Where a resume check stops reading the first stream. */
interface CutPoint {
  id: string;
  title: string;
  /** Whether to stop after this event; the cut comes right after it. */
  at?(event: StreamedEvent, index: number): boolean;
  /** Or: read the first stream to its end, and resume after these of its events. */
  keepOfWhole?(events: StreamedEvent[]): StreamedEvent[];
}

/**
 * Reads a background stream up to a cut point, then `GET …?stream=true&starting_after=N` with the
 * last `sequence_number` received: the events must go on at N + 1 without a gap or a repeat, and
 * the joined stream, read by the charts in strict mode, must end where the stored response did.
 */
function resumeCheck(cut: CutPoint): ConformanceCheck {
  return {
    id: cut.id,
    protocol: 'responses',
    title: cut.title,
    async run(ctx) {
      const first = await streamResponse(ctx, { input: LONG_QUESTION, background: true }, cut.at === undefined ? {} : { until: cut.at });
      const id = responseIdOf(first.events);
      const kept = cut.keepOfWhole?.(first.events) ?? first.events;
      expect(kept.length > 0, 'the stream never reached the cut point');
      const last = sequenceOf(kept.at(-1)!);
      expect(last !== undefined, `event #${kept.length - 1} has no sequence_number to resume after`);
      const rest = await resumeResponse(ctx, id, last);
      expect(rest.end === 'ended', `the resumed stream broke after ${rest.events.length} events`);
      expectConsecutive(rest.events, last + 1, `resumed after ${last}`);
      if (cut.keepOfWhole !== undefined) {
        expect(rest.events.length === first.events.length - kept.length, `resumed after ${last}: ${rest.events.length} events, not the ${first.events.length - kept.length} the whole stream had after it`);
      }
      const joined = [...kept, ...rest.events];
      expect(TERMINAL_EVENTS.has(typeOf(joined.at(-1)!)), `the resumed stream ends with ${typeOf(joined.at(-1)!)}, not a terminal event`);
      const reading = await readThroughCharts(ctx, toSSE(joined), { protocol: 'responses' });
      const stored = await retrieveResponse(ctx, id);
      expect(reading.run.status === stored['status'], `the joined stream ends ${reading.run.status}, the stored response ${String(stored['status'])}`);
      expect(outputText(responseOf(joined.at(-1)) ?? {}) === outputText(stored), 'the joined stream\'s final text is not the stored response\'s');
    },
  };
}

/** Resumed right after `response.created` (sequence 0). */
export const responsesResumeAfterCreated = resumeCheck({
  id: 'responses-resume-after-created',
  title: 'resume with starting_after right after response.created: the events go on at 1, same end',
  at: (event) => typeOf(event) === 'response.created',
});

/** Resumed in the middle of the text. */
export const responsesResumeMidText = resumeCheck({
  id: 'responses-resume-mid-text',
  title: 'resume with starting_after in the middle of the text: no delta lost or repeated, same end',
  at: (event) => typeOf(event) === 'response.output_text.delta',
});

/** Resumed after everything but the terminal event, once the response has ended. */
export const responsesResumeBeforeTerminal = resumeCheck({
  id: 'responses-resume-before-terminal',
  title: 'resume of an ended response before its terminal event: exactly the terminal event',
  keepOfWhole: (events) => events.slice(0, -1),
});
