import { readThroughCharts } from '../charts.ts';
import type { ConformanceCheck } from '../check.ts';
import { type CheckContext, expect } from '../http.ts';
import { pollThroughCharts } from '../poll.ts';
import { LONG_QUESTION, outputText, responseIdOf, responseOf, resumeResponse, retrieveResponse, sequenceOf, streamResponse, TERMINAL_EVENTS, typeOf } from '../responses/api.ts';
import { expectConsecutive } from '../responses/streamSequence.ts';
import { type StreamedEvent, toSSE } from '../sse.ts';
import { type CutPlan, cutHeader } from './proxy.ts';

/** Reads what a cut stream gave, and fails unless the proxy did cut it. */
function expectCut(read: { end: string; events: StreamedEvent[] }, where: string): void {
  expect(read.end === 'broken', `the stream cut ${where} ended ${read.end} after ${read.events.length} events: the fault proxy did not cut it`);
}

/**
 * Resumes a response whose streams the proxy cuts at `cuts` (the first stream, then each resumed
 * one in turn) with `starting_after` = the last `sequence_number` received, until a stream ends:
 * the joined events must be numbered without a gap, read by the charts in strict mode to the
 * stored response's status and text.
 */
async function resumeThroughCuts(ctx: CheckContext, cuts: CutPlan[]): Promise<void> {
  const [first, ...later] = cuts;
  const opening = await streamResponse(ctx, { input: LONG_QUESTION, background: true }, { headers: cutHeader(first!) });
  expectCut(opening, JSON.stringify(first));
  const id = responseIdOf(opening.events);
  const joined = [...opening.events];
  for (let attempt = 0; attempt <= later.length; attempt++) {
    const last = sequenceOf(joined.at(-1)!);
    expect(last !== undefined, `event #${joined.length - 1} has no sequence_number to resume after`);
    const plan = later[attempt];
    const rest = await resumeResponse(ctx, id, last, plan === undefined ? {} : { headers: cutHeader(plan) });
    if (plan !== undefined) expectCut(rest, JSON.stringify(plan));
    else expect(rest.end === 'ended', `the last resumed stream ${rest.end} after ${rest.events.length} events`);
    expectConsecutive(rest.events, last + 1, `resumed after ${last}`);
    joined.push(...rest.events);
  }
  expect(TERMINAL_EVENTS.has(typeOf(joined.at(-1)!)), `the joined stream ends with ${typeOf(joined.at(-1)!)}, not a terminal event`);
  const reading = await readThroughCharts(ctx, toSSE(joined), { protocol: 'responses' });
  const stored = await retrieveResponse(ctx, id);
  expect(reading.run.status === stored['status'], `the recovered stream ends ${reading.run.status}, the stored response ${String(stored['status'])}`);
  expect(outputText(responseOf(joined.at(-1)) ?? {}) === outputText(stored), "the recovered stream's final text is not the stored response's");
}

/** Cut right after `response.created`, resumed. */
export const faultResumeAfterCreated: ConformanceCheck = {
  id: 'fault-resume-after-created',
  protocol: 'responses',
  faults: true,
  title: 'a background stream cut right after response.created, resumed with starting_after: same end',
  run: (ctx) => resumeThroughCuts(ctx, [{ after: 'response.created' }]),
};

/** Cut in the middle of the text, resumed. */
export const faultResumeMidText: ConformanceCheck = {
  id: 'fault-resume-mid-text',
  protocol: 'responses',
  faults: true,
  title: 'a background stream cut after its second text delta, resumed: no delta lost or repeated, same end',
  run: (ctx) => resumeThroughCuts(ctx, [{ after: 'response.output_text.delta', nth: 2 }]),
};

/** Cut, resumed, and the resumed stream cut again. */
export const faultResumeTwice: ConformanceCheck = {
  id: 'fault-resume-twice',
  protocol: 'responses',
  faults: true,
  title: 'a stream cut, resumed, cut again and resumed again: still gapless, same end',
  run: (ctx) => resumeThroughCuts(ctx, [{ after: 'response.output_text.delta' }, { after: 'response.output_text.delta', nth: 2 }]),
};

/** Cut before its terminal event; recovered by polling. */
export const faultPollAfterCut: ConformanceCheck = {
  id: 'fault-poll-after-cut',
  protocol: 'responses',
  faults: true,
  title: 'a background stream cut before its terminal event, recovered by polling: completed, the streamed text a prefix of the final',
  async run(ctx) {
    const read = await streamResponse(ctx, { input: LONG_QUESTION, background: true }, { headers: cutHeader({ before: 'response.completed' }) });
    expectCut(read, 'before response.completed');
    const end = await pollThroughCharts(ctx, { resource: 'response', responseId: responseIdOf(read.events) });
    expect(end['status'] === 'completed', `after the cut the response ended ${String(end['status'])}, not completed`);
    const streamed = read.events.filter((event) => typeOf(event) === 'response.output_text.delta').map((event) => String(event.data?.['delta'])).join('');
    expect(outputText(end).startsWith(streamed), 'the text streamed before the cut is not the start of the final text');
  },
};
