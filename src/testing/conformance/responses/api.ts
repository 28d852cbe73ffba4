import { readThroughCharts } from '../charts.ts';
import type { SharedState } from '../check.ts';
import { call, type CheckContext, CheckFailure, describe, expect, isRecord } from '../http.ts';
import { followStatuses } from '../poll.ts';
import { type ReadStream, type ReadStreamOptions, readEventStream, type StreamedEvent, toSSE } from '../sse.ts';
import { ERROR_REQUIRED_KEYS } from './specKeys.ts';

/** The events that end a response's stream. */
export const TERMINAL_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.failed', 'response.incomplete']);
/** The statuses a response ends in. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'incomplete', 'cancelled']);
/** A question any model answers in a few words. */
export const QUESTION = 'Say hello in five words.';
/** A question whose answer takes a while: long enough to cut or cancel in the middle. */
export const LONG_QUESTION = `Please write a long story about ${'a very patient statechart '.repeat(8)}`;

/** A response-creating body with the check's model. */
export function body(ctx: CheckContext, fields: Record<string, unknown>): Record<string, unknown> {
  return { model: ctx.model, ...fields };
}

/** `POST /responses` (not streamed): the Response object, or a failure naming the answer. */
export async function createResponse(ctx: CheckContext, fields: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const answer = await call(ctx, 'POST', '/responses', body(ctx, fields), headers);
  expect(answer.status === 200 && isRecord(answer.body), `POST /responses answered ${answer.status}: ${describe(answer.body)}`);
  expect(typeof answer.body['id'] === 'string', `POST /responses answered no response id: ${describe(answer.body)}`);
  if (fields['background'] === true) ctx.started.responses.push(answer.body['id']);
  followStatuses(ctx, { resource: 'response', responseId: answer.body['id'] }, [answer.body]);
  return answer.body;
}

/** `POST /responses` with `stream: true`, read event by event (see {@link readEventStream}). */
export async function streamResponse(ctx: CheckContext, fields: Record<string, unknown>, options: ReadStreamOptions = {}): Promise<ReadStream> {
  const read = await readEventStream(ctx, 'POST', '/responses', body(ctx, { ...fields, stream: true }), {
    ...options,
    onEvent: async (event, index) => {
      if (index === 0 && fields['background'] === true) {
        const id = responseOf(event)?.['id'];
        if (typeof id === 'string') ctx.started.responses.push(id);
      }
      await options.onEvent?.(event, index);
    },
  });
  expect(read.events.length > 0, `the stream ended ${read.end === 'broken' ? 'broken' : ''} before its first event`);
  return read;
}

/** `GET /responses/{id}?stream=true[&starting_after=N]`: the stream again, from after event N. */
export function resumeResponse(ctx: CheckContext, id: string, startingAfter: number | undefined, options: ReadStreamOptions = {}): Promise<ReadStream> {
  const query = startingAfter === undefined ? '' : `&starting_after=${startingAfter}`;
  return readEventStream(ctx, 'GET', `/responses/${id}?stream=true${query}`, undefined, options);
}

/** The event's name: its data's `type` (the Responses API names each SSE event after it), else its `event:` line. */
export function typeOf(event: StreamedEvent): string {
  const type = event.data?.['type'];
  return typeof type === 'string' ? type : (event.event ?? '');
}

/** The event's `sequence_number`, or undefined when it has none. */
export function sequenceOf(event: StreamedEvent): number | undefined {
  const sequence = event.data?.['sequence_number'];
  return typeof sequence === 'number' ? sequence : undefined;
}

/** The Response object an event carries (`response.created`, `.completed`, …), if any. */
export function responseOf(event: StreamedEvent | undefined): Record<string, unknown> | undefined {
  const response = event?.data?.['response'];
  return isRecord(response) ? response : undefined;
}

/** The id of the response a stream is about (from its first event that carries the response). */
export function responseIdOf(events: readonly StreamedEvent[]): string {
  const id = events.map(responseOf).find((response) => response !== undefined)?.['id'];
  expect(typeof id === 'string', `no event of the stream carries the response (first: ${describe(events[0]?.raw ?? 'none')})`);
  return id;
}

/** The concatenated `output_text` of a response's message items. */
export function outputText(response: Record<string, unknown>): string {
  const output = Array.isArray(response['output']) ? (response['output'] as unknown[]) : [];
  return output
    .filter((item): item is Record<string, unknown> => isRecord(item) && item['type'] === 'message')
    .flatMap((item) => (Array.isArray(item['content']) ? (item['content'] as unknown[]) : []))
    .map((part) => (isRecord(part) && part['type'] === 'output_text' && typeof part['text'] === 'string' ? part['text'] : ''))
    .join('');
}

/** The output items of a response (`[]` when it has none). */
export function outputItems(response: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(response['output']) ? (response['output'] as unknown[]).filter(isRecord) : [];
}

/** Fails naming each key of `keys` that `object` lacks. */
export function expectKeys(object: Record<string, unknown>, keys: readonly string[], what: string): void {
  const missing = keys.filter((key) => !(key in object));
  expect(missing.length === 0, `${what} lacks ${missing.join(', ')}`);
}

/** An error answer must be `{error: {message, type, param, code}}` with a message, as the spec draws `Error`. */
export function expectErrorEnvelope(answer: { status: number; body: unknown }, request: string): void {
  expect(isRecord(answer.body) && isRecord(answer.body['error']), `${request}: the error body is not {error: {…}}: ${describe(answer.body)}`);
  const error = answer.body['error'] as Record<string, unknown>;
  expect(typeof error['message'] === 'string' && error['message'] !== '', `${request}: error.message is not a non-empty string`);
  expectKeys(error, ERROR_REQUIRED_KEYS, `${request}: the error`);
}

/** Retrieves a response; a failure names the status when it is not a 200 with an object. */
export async function retrieveResponse(ctx: CheckContext, id: string): Promise<Record<string, unknown>> {
  const answer = await call(ctx, 'GET', `/responses/${id}`);
  if (answer.status !== 200 || !isRecord(answer.body)) throw new CheckFailure(`GET /responses/${id} answered ${answer.status}: ${describe(answer.body)}`);
  return answer.body;
}

/** A function tool in the Responses shape, and the `tool_choice` that forces it. */
export const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};
export const FORCE_WEATHER = { type: 'function', name: 'get_weather' };

/**
 * The streamed answer to {@link QUESTION}, read to its end once per suite and shared by the checks
 * that each examine one property of it (keys, numbering, indexes, text).
 */
export function plainStream(ctx: CheckContext, shared: SharedState): Promise<ReadStream> {
  shared.plainStream ??= streamResponse(ctx, { input: QUESTION });
  return shared.plainStream;
}

/** The events of a whole stream that ended on its own, or a failure saying how it ended. */
export async function wholeStream(ctx: CheckContext, shared: SharedState): Promise<StreamedEvent[]> {
  const read = await plainStream(ctx, shared);
  expect(read.end === 'ended', `the stream broke after ${read.events.length} events: ${String(read.error)}`);
  // The charts read it too (their transitions are the check's); what they refuse is responses-stream-order's to report.
  await readThroughCharts(ctx, toSSE(read.events), { protocol: 'responses' }).catch(() => undefined);
  return read.events;
}
