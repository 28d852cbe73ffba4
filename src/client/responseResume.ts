import { nextPollDelayMs } from '../../machines/poll.ts';
import type { ResponseStreamPosition, ResumedStream, ResumeResponseStream } from '../stream/resume.ts';
import { formatSSEFrame } from '../wire/encode.ts';
import type { ResponseObject, ResponseOutputItem, ResponseOtherItem } from '../wire/index.ts';
import type { AssistantsClient } from './AssistantsClient.ts';
import { NotFoundError } from './errors.ts';
import { retrieveSpec } from './poll.ts';
import { eventStreamResponse } from './polledRunEvents.ts';
import { path } from './request.ts';
import { sleep } from './retry.ts';

/**
 * The event a cut Responses stream goes on with when it reconnected: `GET
 * /responses/{id}?stream=true&starting_after=N` gave the events after the last one it read.
 */
export const RESPONSE_RESUMED_EVENT = 'assistant_machines.response.resumed';

/**
 * The event a cut Responses stream goes on with when the server refused to stream the response
 * again: the rest of it is made from the response polled to its end (docs/responses.md).
 */
export const RESPONSE_POLLED_EVENT = 'assistant_machines.response.polling';

/** The data of {@link RESPONSE_RESUMED_EVENT} and {@link RESPONSE_POLLED_EVENT}: where and why the stream went on. */
export interface ResponseResumeNotice {
  object: typeof RESPONSE_RESUMED_EVENT | typeof RESPONSE_POLLED_EVENT;
  response_id: string;
  /** The last event read before the cut. */
  starting_after: number;
  /** How the connection ended. */
  cut: string;
  /** With polling: what the server answered to the request to stream the response again. */
  reason?: string;
}

const TERMINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'incomplete', 'cancelled']);

/**
 * How the client's Responses streams go on after a cut (the stream's `resume` option): first by
 * streaming the response again after the last event read — `GET
 * /responses/{id}?stream=true&starting_after=N`, as the API offers for background responses —
 * and where the server refuses that (a 4xx), by polling the response to its end and making the
 * rest of the stream from it. Either way the stream says so first ({@link RESPONSE_RESUMED_EVENT},
 * {@link RESPONSE_POLLED_EVENT}). A response the server no longer has (404 on both, e.g.
 * `store: false`) cannot be resumed: the stream fails with its cut.
 *
 * @example `AssistantStream.fromSSE(answer, { protocol: 'responses', resume: resumeResponses(client, signal) })`
 * @internal
 */
export function resumeResponses(client: AssistantsClient, signal: AbortSignal): ResumeResponseStream {
  return async (position) => {
    const { responseId, lastSequence, error } = position;
    const notice = (object: ResponseResumeNotice['object'], reason?: string) => ({
      event: object,
      data: { object, response_id: responseId, starting_after: lastSequence, cut: error.message, ...(reason === undefined ? {} : { reason }) },
    });
    const answer = await client.requestResponse(
      {
        method: 'GET',
        path: path`/responses/${responseId}`,
        query: { stream: 'true', starting_after: lastSequence },
        headers: { 'X-Stainless-Helper-Method': 'stream', Accept: 'text/event-stream' },
      },
      { signal },
      { passErrorResponse: true },
    );
    if (answer.ok) return { source: answer, notice: notice(RESPONSE_RESUMED_EVENT) };
    void answer.body?.cancel().catch(() => {});
    if (answer.status >= 500) return undefined;
    const reason = `GET /responses/${responseId}?stream=true&starting_after=${lastSequence} answered ${answer.status}`;
    try {
      await client.responses.retrieve(responseId, { signal });
    } catch (retrieveError) {
      if (retrieveError instanceof NotFoundError) return undefined;
      throw retrieveError;
    }
    return { source: eventStreamResponse(polledResponseEvents(client, position, signal)), notice: notice(RESPONSE_POLLED_EVENT, reason) } satisfies ResumedStream;
  };
}

/**
 * The rest of a cut Responses stream made by polling: the response is retrieved until it ends,
 * then what the stream had not read becomes events numbered on from `lastSequence` — each item it
 * saw added but not done is done (its text and arguments as they ended), each item it never saw
 * is added and done, then the terminal event. Between two polls nothing is said: the text of an
 * item arrives whole, at the end.
 *
 * @example `eventStreamResponse(polledResponseEvents(client, position, signal))`
 */
export async function* polledResponseEvents(client: AssistantsClient, position: ResponseStreamPosition, signal: AbortSignal): AsyncGenerator<string> {
  let sequence = position.lastSequence;
  const frame = (event: { type: string } & Record<string, unknown>) => formatSSEFrame(event.type, { ...event, sequence_number: ++sequence });
  let response: ResponseObject;
  for (;;) {
    const { data, response: answer } = await client.requestJSON<ResponseObject>(retrieveSpec({ resource: 'response', responseId: position.responseId }), { signal });
    if (TERMINAL.has(data.status)) {
      response = data;
      break;
    }
    await sleep(nextPollDelayMs(null, answer.headers.get('openai-poll-after-ms')), signal);
  }
  const seen = position.response.output.length;
  for (const [index, item] of response.output.entries()) {
    if (index >= seen) yield frame({ type: 'response.output_item.added', output_index: index, item: asAdded(item) });
    else if (!position.unfinishedItems.includes(index)) continue;
    yield frame({ type: 'response.output_item.done', output_index: index, item });
  }
  yield frame({ type: terminalEventOf(response.status), response });
}

/** An item as `output_item.added` carries it: started, with nothing in it yet. */
function asAdded(item: ResponseOutputItem | ResponseOtherItem): Record<string, unknown> {
  const added: Record<string, unknown> = { ...item };
  if ('status' in item) added['status'] = 'in_progress';
  switch (item.type) {
    case 'message':
      added['content'] = [];
      break;
    case 'function_call':
      added['arguments'] = '';
      break;
    case 'code_interpreter_call':
      added['code'] = '';
      added['outputs'] = null;
      break;
    case 'file_search_call':
      added['results'] = null;
      break;
  }
  return added;
}

// A cancelled response's stream ends with response.incomplete (its status says cancelled), as
// the embedded server's does: the Responses stream has no event of its own for it.
function terminalEventOf(status: ResponseObject['status']): string {
  if (status === 'completed') return 'response.completed';
  if (status === 'failed') return 'response.failed';
  return 'response.incomplete';
}
