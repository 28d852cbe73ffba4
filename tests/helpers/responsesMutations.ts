import { type Relay, type RelayedFrame, startRelay } from '../../src/testing/conformance/faults/relay.ts';

/** One rule of the Responses API that a relay in front of a good server breaks. */
export type ResponsesMutation =
  | 'sequence-gap'
  | 'resume-from-zero'
  | 'duplicate-conversation-item'
  | 'cancel-keeps-streaming'
  | 'never-leaves-queued'
  | 'missing-response-key'
  | 'unknown-response-200';

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;
const isResponse = (path: string) => /^\/responses\/[^/?]+(\?|$)/.test(path);

/**
 * A relay in front of `target` (a base URL ending in `/v1`) that breaks one rule of the Responses
 * API, streams included, frame by frame: a gap in `sequence_number`; a resume that starts again
 * from 0; a conversation item listed twice; a cancelled response whose stream goes on after its
 * end; a background response that polls `queued` forever; a Response object without `tools`; a
 * 200 for an unknown response id.
 */
export function startResponsesMutation(target: string, mutation: ResponsesMutation): Promise<Relay> {
  switch (mutation) {
    case 'sequence-gap':
      // Every event from the fifth on is numbered one too high.
      return startRelay(target, {
        frame: (_, frame, index) => [index < 4 ? frame : { ...frame, data: JSON.stringify({ ...json(frame.data), sequence_number: index + 1 }) }],
      });
    case 'resume-from-zero':
      return startRelay(target, { request: (request) => ({ ...request, path: request.path.replace(/&starting_after=\d+/, '') }) });
    case 'duplicate-conversation-item':
      return startRelay(target, {
        answer(request, answer) {
          if (request.method !== 'GET' || !/^\/conversations\/[^/]+\/items\?/.test(request.path) || answer.status !== 200) return answer;
          const list = json(answer.body);
          const data = list['data'] as unknown[];
          return { ...answer, body: JSON.stringify({ ...list, data: data.length > 0 ? [data[0], ...data] : data }) };
        },
      });
    case 'cancel-keeps-streaming':
      // A terminal event of a cancelled response is followed by more text and a completion.
      return startRelay(target, {
        frame(_, frame) {
          const data = json(frame.data);
          const response = data['response'] as Record<string, unknown> | undefined;
          if (response?.['status'] !== 'cancelled') return [frame];
          const next = (data['sequence_number'] as number) + 1;
          const more: RelayedFrame = { event: 'response.output_text.delta', data: JSON.stringify({ type: 'response.output_text.delta', sequence_number: next, delta: ' more', item_id: 'x', output_index: 0, content_index: 0, logprobs: [] }) };
          return [frame, more];
        },
      });
    case 'never-leaves-queued':
      return startRelay(target, {
        answer: (request, answer) =>
          request.method === 'GET' && isResponse(request.path) && answer.status === 200 ? { ...answer, body: JSON.stringify({ ...json(answer.body), status: 'queued', output: [] }) } : answer,
      });
    case 'missing-response-key':
      return startRelay(target, {
        answer(request, answer) {
          if (answer.status !== 200 || !(request.path === '/responses' || isResponse(request.path))) return answer;
          const { tools: _tools, ...rest } = json(answer.body);
          return { ...answer, body: JSON.stringify(rest) };
        },
      });
    case 'unknown-response-200':
      return startRelay(target, {
        answer: (request, answer) =>
          answer.status === 404 && request.path.startsWith('/responses/')
            ? { status: 200, body: JSON.stringify({ id: request.path.split('/')[2], object: 'response', status: 'completed', output: [] }) }
            : answer,
      });
  }
}
