/** The benchmark's answer as a Responses stream: a code_interpreter_call, then one message of `textDeltas` deltas. */
export interface BenchResponse {
  sse: string;
  events: number;
  text: string;
}

const WORDS = ['the ', 'run ', 'lifecycle ', 'as ', 'a ', 'statechart ', 'streams ', 'every ', 'delta ', 'here '];

/**
 * The same answer as {@link import('./fixture.ts').buildBenchRun}, as the Responses API streams
 * it: every event numbered by `sequence_number`, named in its SSE frame.
 */
export function buildBenchResponse({ textDeltas, codeDeltas = 200 }: { textDeltas: number; codeDeltas?: number }): BenchResponse {
  const frames: string[] = [];
  const emit = (event: { type: string } & Record<string, unknown>) => {
    frames.push(`event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: frames.length })}\n\n`);
  };
  const response = (status: string, output: unknown[]) => ({
    id: 'resp_bench',
    object: 'response',
    created_at: 1_700_000_000,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    model: 'bench',
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: status === 'completed' ? { input_tokens: 10, output_tokens: textDeltas, total_tokens: textDeltas + 10 } : null,
    metadata: {},
  });
  emit({ type: 'response.created', response: response('in_progress', []) });
  emit({ type: 'response.in_progress', response: response('in_progress', []) });
  const call = { type: 'code_interpreter_call', id: 'ci_bench', container_id: 'cntr_bench' };
  emit({ type: 'response.output_item.added', output_index: 0, item: { ...call, code: '', outputs: null, status: 'in_progress' } });
  let code = '';
  for (let i = 0; i < codeDeltas; i++) {
    const delta = `x${i} = ${i} * 2\n`;
    code += delta;
    emit({ type: 'response.code_interpreter_call_code.delta', item_id: 'ci_bench', output_index: 0, delta });
  }
  emit({ type: 'response.code_interpreter_call_code.done', item_id: 'ci_bench', output_index: 0, code });
  const doneCall = { ...call, code, outputs: [{ type: 'logs', logs: 'done\n' }], status: 'completed' };
  emit({ type: 'response.output_item.done', output_index: 0, item: doneCall });
  const message = { type: 'message', id: 'msg_bench', role: 'assistant' };
  emit({ type: 'response.output_item.added', output_index: 1, item: { ...message, status: 'in_progress', content: [] } });
  emit({
    type: 'response.content_part.added',
    item_id: 'msg_bench',
    output_index: 1,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [] },
  });
  const parts: string[] = [];
  for (let i = 0; i < textDeltas; i++) {
    const delta = WORDS[i % WORDS.length]!;
    parts.push(delta);
    emit({ type: 'response.output_text.delta', item_id: 'msg_bench', output_index: 1, content_index: 0, delta, logprobs: [] });
  }
  const text = parts.join('');
  const part = { type: 'output_text', text, annotations: [] };
  emit({ type: 'response.output_text.done', item_id: 'msg_bench', output_index: 1, content_index: 0, text, logprobs: [] });
  emit({ type: 'response.content_part.done', item_id: 'msg_bench', output_index: 1, content_index: 0, part });
  const doneMessage = { ...message, status: 'completed', content: [part] };
  emit({ type: 'response.output_item.done', output_index: 1, item: doneMessage });
  emit({ type: 'response.completed', response: response('completed', [doneCall, doneMessage]) });
  return { sse: frames.join(''), events: frames.length, text };
}
