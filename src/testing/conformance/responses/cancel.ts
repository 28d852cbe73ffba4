import type { ConformanceCheck } from '../check.ts';
import { call, type CheckContext, describe, expect, isRecord } from '../http.ts';
import { pollThroughCharts } from '../poll.ts';
import { createResponse, expectErrorEnvelope, LONG_QUESTION, QUESTION, responseIdOf, responseOf, resumeResponse, streamResponse, TERMINAL_EVENTS, typeOf } from './api.ts';

/** `POST /responses/{id}/cancel`: the Response object it answers. */
async function cancel(ctx: CheckContext, id: string): Promise<Record<string, unknown>> {
  const answer = await call(ctx, 'POST', `/responses/${id}/cancel`);
  expect(answer.status === 200 && isRecord(answer.body), `POST /responses/${id}/cancel answered ${answer.status}: ${describe(answer.body)}`);
  return answer.body;
}

/** A background response cancelled at once, while queued: it ends `cancelled` and stays so; its stream ends. */
export const responsesCancelQueued: ConformanceCheck = {
  id: 'responses-cancel-queued',
  protocol: 'responses',
  title: 'cancel while queued: answered cancelled, stays cancelled, its stream ends with nothing after the end',
  async run(ctx) {
    const created = await createResponse(ctx, { input: LONG_QUESTION, background: true });
    const id = String(created['id']);
    const cancelled = await cancel(ctx, id);
    expect(cancelled['status'] === 'cancelled', `cancel answered status ${String(cancelled['status'])}, not cancelled`);
    const end = await pollThroughCharts(ctx, { resource: 'response', responseId: id });
    expect(end['status'] === 'cancelled', `after the cancel the response ended ${String(end['status'])}`);
    const replay = await resumeResponse(ctx, id, undefined);
    const terminal = replay.events.findIndex((event) => TERMINAL_EVENTS.has(typeOf(event)));
    if (terminal >= 0) expect(terminal === replay.events.length - 1, `its stream has ${replay.events.length - 1 - terminal} event(s) after ${typeOf(replay.events[terminal]!)}`);
    const again = await pollThroughCharts(ctx, { resource: 'response', responseId: id });
    expect(again['status'] === 'cancelled', `a cancelled response later says ${String(again['status'])}`);
  },
};

/** Cancelled while streaming: the live stream ends, the last event says `cancelled`, nothing follows it. */
export const responsesCancelInProgress: ConformanceCheck = {
  id: 'responses-cancel-in-progress',
  protocol: 'responses',
  title: 'cancel while in progress: cancelled, the live stream ends there, no event after its end',
  async run(ctx) {
    let id: string | undefined;
    let cancelled: Record<string, unknown> | undefined;
    const read = await streamResponse(
      ctx,
      { input: LONG_QUESTION, background: true },
      {
        onEvent: async (event, index) => {
          if (index === 0) id = responseIdOf([event]);
          if (cancelled === undefined && typeOf(event) === 'response.output_text.delta') cancelled = await cancel(ctx, id!);
        },
      },
    );
    expect(cancelled !== undefined, 'the response ended before any text delta: nothing to cancel in progress');
    expect(cancelled['status'] === 'cancelled', `cancel answered status ${String(cancelled['status'])}, not cancelled`);
    expect(read.end === 'ended', `the live stream broke after ${read.events.length} events instead of ending`);
    const types = read.events.map(typeOf);
    const terminal = types.findIndex((type) => TERMINAL_EVENTS.has(type));
    if (terminal >= 0) {
      expect(terminal === types.length - 1, `${types.length - 1 - terminal} event(s) after ${types[terminal]}: ${types.slice(terminal + 1, terminal + 4).join(', ')}`);
      const status = responseOf(read.events[terminal])?.['status'];
      expect(status === 'cancelled', `the stream ends with ${types[terminal]} saying ${String(status)}, but the response was cancelled`);
    }
    const end = await pollThroughCharts(ctx, { resource: 'response', responseId: id! });
    expect(end['status'] === 'cancelled', `after the cancel the response ended ${String(end['status'])}`);
  },
};

/** Cancelling twice is idempotent: the second call answers the same final response. */
export const responsesCancelTwice: ConformanceCheck = {
  id: 'responses-cancel-twice',
  protocol: 'responses',
  title: 'cancelling twice answers the same cancelled response (idempotent)',
  async run(ctx) {
    const created = await createResponse(ctx, { input: LONG_QUESTION, background: true });
    const id = String(created['id']);
    const first = await cancel(ctx, id);
    const second = await cancel(ctx, id);
    expect(second['status'] === 'cancelled', `the second cancel answered status ${String(second['status'])}, not cancelled`);
    expect(second['id'] === first['id'], 'the second cancel answered another response');
  },
};

/** Only background responses can be cancelled: cancelling another is refused with the envelope. */
export const responsesCancelNotBackground: ConformanceCheck = {
  id: 'responses-cancel-not-background',
  protocol: 'responses',
  title: 'cancelling a response not created with background: true is a 400 with the envelope',
  async run(ctx) {
    const response = await createResponse(ctx, { input: QUESTION });
    const answer = await call(ctx, 'POST', `/responses/${String(response['id'])}/cancel`);
    expect(answer.status === 400, `cancelling a foreground response answered ${answer.status}, not 400`);
    expectErrorEnvelope(answer, 'POST /responses/{id}/cancel of a foreground response');
  },
};
