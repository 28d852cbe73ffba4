import { readThroughCharts } from '../charts.ts';
import type { ConformanceCheck } from '../check.ts';
import { expect } from '../http.ts';
import { toSSE } from '../sse.ts';
import { TERMINAL_EVENTS, typeOf, wholeStream } from './api.ts';

/** A streamed response in an order the charts draw (strict): created first, one terminal event last. */
export const responsesStreamOrder: ConformanceCheck = {
  id: 'responses-stream-order',
  protocol: 'responses',
  title: 'a streamed response: response.created first, one terminal event last, every event in an order the charts draw (strict)',
  async run(ctx, shared) {
    const events = await wholeStream(ctx, shared);
    const types = events.map(typeOf);
    expect(types[0] === 'response.created', `the first event is ${types[0]}, not response.created`);
    const terminal = types.findIndex((type) => TERMINAL_EVENTS.has(type));
    expect(terminal === types.length - 1, terminal < 0 ? 'the stream has no terminal event' : `${types.length - 1 - terminal} event(s) after ${types[terminal]}`);
    const reading = await readThroughCharts(ctx, toSSE(events), { protocol: 'responses' });
    expect(reading.run.status === 'completed', `the charts read the response as ${reading.run.status}, not completed`);
  },
};
