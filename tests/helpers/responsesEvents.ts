// Responses API event streams built by hand for tests: a response with the given output items,
// each streamed the way the API streams it, numbered by sequence_number from 0.

export type ItemPlan =
  | {
      type: 'message';
      id: string;
      parts: Array<{ text: string[]; citations?: Array<{ file_id: string; filename: string; index: number }> } | { refusal: string[] }>;
    }
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string[] }
  | { type: 'code_interpreter_call'; id: string; code: string[]; logs: string }
  | { type: 'file_search_call'; id: string; queries: string[]; results: Array<{ file_id: string; filename: string; score: number; text: string }> }
  | { type: 'reasoning'; id: string; summary: string[] };

export interface ResponsePlan {
  id: string;
  items: ItemPlan[];
  status?: 'completed' | 'failed' | 'incomplete';
  model?: string;
}

export type ResponsesEventObject = { type: string; sequence_number: number } & Record<string, unknown>;

export function responseObject(plan: ResponsePlan, status: string, output: unknown[]): Record<string, unknown> {
  return {
    id: plan.id,
    object: 'response',
    created_at: 1_700_000_000,
    status,
    background: false,
    error: status === 'failed' ? { code: 'server_error', message: 'it failed' } : null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    max_output_tokens: null,
    model: plan.model ?? 'scripted',
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage:
      status === 'in_progress' || status === 'queued'
        ? null
        : {
            input_tokens: 3,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: 5,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 8,
          },
    metadata: {},
  };
}

/** The events of one response, as the Responses API streams it. */
export function responseEvents(plan: ResponsePlan): ResponsesEventObject[] {
  const events: ResponsesEventObject[] = [];
  const push = (event: Record<string, unknown> & { type: string }) => events.push({ ...event, sequence_number: events.length });
  push({ type: 'response.created', response: responseObject(plan, 'in_progress', []) });
  push({ type: 'response.in_progress', response: responseObject(plan, 'in_progress', []) });
  const output: unknown[] = [];
  for (const [output_index, item] of plan.items.entries()) {
    switch (item.type) {
      case 'message': {
        const item_id = item.id;
        push({
          type: 'response.output_item.added',
          output_index,
          item: { id: item_id, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
        });
        const content: unknown[] = [];
        for (const [content_index, part] of item.parts.entries()) {
          if ('refusal' in part) {
            push({ type: 'response.content_part.added', item_id, output_index, content_index, part: { type: 'refusal', refusal: '' } });
            for (const delta of part.refusal) push({ type: 'response.refusal.delta', item_id, output_index, content_index, delta });
            const done = { type: 'refusal', refusal: part.refusal.join('') };
            push({ type: 'response.refusal.done', item_id, output_index, content_index, refusal: done.refusal });
            push({ type: 'response.content_part.done', item_id, output_index, content_index, part: done });
            content.push(done);
            continue;
          }
          push({
            type: 'response.content_part.added',
            item_id,
            output_index,
            content_index,
            part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
          });
          for (const delta of part.text) push({ type: 'response.output_text.delta', item_id, output_index, content_index, delta, logprobs: [] });
          const annotations = (part.citations ?? []).map((citation) => ({ type: 'file_citation', ...citation }));
          for (const [annotation_index, annotation] of annotations.entries()) {
            push({ type: 'response.output_text.annotation.added', item_id, output_index, content_index, annotation_index, annotation });
          }
          const text = part.text.join('');
          push({ type: 'response.output_text.done', item_id, output_index, content_index, text, logprobs: [] });
          const done = { type: 'output_text', text, annotations, logprobs: [] };
          push({ type: 'response.content_part.done', item_id, output_index, content_index, part: done });
          content.push(done);
        }
        const done = { id: item_id, type: 'message', status: 'completed', role: 'assistant', content };
        push({ type: 'response.output_item.done', output_index, item: done });
        output.push(done);
        break;
      }
      case 'function_call': {
        const base = { id: item.id, type: 'function_call', call_id: item.call_id, name: item.name };
        push({ type: 'response.output_item.added', output_index, item: { ...base, arguments: '', status: 'in_progress' } });
        for (const delta of item.arguments) push({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index, delta });
        const args = item.arguments.join('');
        push({ type: 'response.function_call_arguments.done', item_id: item.id, output_index, arguments: args });
        const done = { ...base, arguments: args, status: 'completed' };
        push({ type: 'response.output_item.done', output_index, item: done });
        output.push(done);
        break;
      }
      case 'code_interpreter_call': {
        const base = { id: item.id, type: 'code_interpreter_call', container_id: 'cntr_1' };
        push({ type: 'response.output_item.added', output_index, item: { ...base, code: '', outputs: null, status: 'in_progress' } });
        push({ type: 'response.code_interpreter_call.in_progress', item_id: item.id, output_index });
        for (const delta of item.code) push({ type: 'response.code_interpreter_call_code.delta', item_id: item.id, output_index, delta });
        const code = item.code.join('');
        push({ type: 'response.code_interpreter_call_code.done', item_id: item.id, output_index, code });
        push({ type: 'response.code_interpreter_call.interpreting', item_id: item.id, output_index });
        push({ type: 'response.code_interpreter_call.completed', item_id: item.id, output_index });
        const done = { ...base, code, outputs: [{ type: 'logs', logs: item.logs }], status: 'completed' };
        push({ type: 'response.output_item.done', output_index, item: done });
        output.push(done);
        break;
      }
      case 'file_search_call': {
        const base = { id: item.id, type: 'file_search_call', queries: item.queries };
        push({ type: 'response.output_item.added', output_index, item: { ...base, status: 'in_progress', results: null } });
        push({ type: 'response.file_search_call.in_progress', item_id: item.id, output_index });
        push({ type: 'response.file_search_call.searching', item_id: item.id, output_index });
        push({ type: 'response.file_search_call.completed', item_id: item.id, output_index });
        const done = { ...base, status: 'completed', results: item.results.map((result) => ({ ...result, attributes: {} })) };
        push({ type: 'response.output_item.done', output_index, item: done });
        output.push(done);
        break;
      }
      case 'reasoning': {
        push({ type: 'response.output_item.added', output_index, item: { id: item.id, type: 'reasoning', summary: [] } });
        push({
          type: 'response.reasoning_summary_part.added',
          item_id: item.id,
          output_index,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        });
        for (const delta of item.summary)
          push({ type: 'response.reasoning_summary_text.delta', item_id: item.id, output_index, summary_index: 0, delta });
        const text = item.summary.join('');
        push({ type: 'response.reasoning_summary_text.done', item_id: item.id, output_index, summary_index: 0, text });
        push({
          type: 'response.reasoning_summary_part.done',
          item_id: item.id,
          output_index,
          summary_index: 0,
          part: { type: 'summary_text', text },
        });
        const done = { id: item.id, type: 'reasoning', summary: [{ type: 'summary_text', text }] };
        push({ type: 'response.output_item.done', output_index, item: done });
        output.push(done);
        break;
      }
    }
  }
  const status = plan.status ?? 'completed';
  push({ type: `response.${status}`, response: responseObject(plan, status, output) });
  return events;
}

/** Server-sent events, as the API frames them. */
export function toSSE(events: readonly ResponsesEventObject[]): string {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

/** The official SDK's NDJSON of Responses events: one bare event a line. */
export function toNDJSON(events: readonly ResponsesEventObject[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('');
}
