import { makeMessage, makeRun, makeRunStep, type ScriptedEvent } from '../src/testing/index.ts';
import { formatSSEFrame, SSE_DONE_FRAME } from '../src/wire/index.ts';

/** The benchmark's run: a code_interpreter step, then one message of `textDeltas` deltas. */
export interface BenchRun {
  sse: string;
  events: number;
  text: string;
}

const WORDS = ['the ', 'run ', 'lifecycle ', 'as ', 'a ', 'statechart ', 'streams ', 'every ', 'delta ', 'here '];

/** Builds the SSE body once; `codeDeltas` input fragments, `textDeltas` text fragments. */
export function buildBenchRun({ textDeltas, codeDeltas = 200 }: { textDeltas: number; codeDeltas?: number }): BenchRun {
  const frames: string[] = [];
  let events = 0;
  const emit = (event: ScriptedEvent) => {
    frames.push(formatSSEFrame(event.event, event.data));
    events++;
  };
  const toolStep = makeRunStep({ id: 'step_code', type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: [] } });
  const stepDelta = (entry: object) => ({
    event: 'thread.run.step.delta',
    data: { id: 'step_code', object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [entry] } } },
  });
  emit({ event: 'thread.run.created', data: makeRun() });
  emit({ event: 'thread.run.queued', data: makeRun() });
  emit({ event: 'thread.run.in_progress', data: makeRun({ status: 'in_progress' }) });
  emit({ event: 'thread.run.step.created', data: toolStep });
  emit({ event: 'thread.run.step.in_progress', data: toolStep });
  emit(stepDelta({ index: 0, id: 'call_code', type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }));
  let code = '';
  for (let i = 0; i < codeDeltas; i++) {
    const fragment = `x${i} = ${i} * 2\n`;
    code += fragment;
    emit(stepDelta({ index: 0, type: 'code_interpreter', code_interpreter: { input: fragment } }));
  }
  emit(stepDelta({ index: 0, type: 'code_interpreter', code_interpreter: { outputs: [{ index: 0, type: 'logs', logs: 'done\n' }] } }));
  emit({
    event: 'thread.run.step.completed',
    data: {
      ...toolStep,
      status: 'completed',
      step_details: { type: 'tool_calls', tool_calls: [{ id: 'call_code', type: 'code_interpreter', code_interpreter: { input: code, outputs: [{ type: 'logs', logs: 'done\n' }] } }] },
    },
  });
  const messageStep = makeRunStep({ id: 'step_message' });
  emit({ event: 'thread.run.step.created', data: messageStep });
  emit({ event: 'thread.run.step.in_progress', data: messageStep });
  emit({ event: 'thread.message.created', data: makeMessage() });
  emit({ event: 'thread.message.in_progress', data: makeMessage() });
  const parts: string[] = [];
  for (let i = 0; i < textDeltas; i++) {
    const value = WORDS[i % WORDS.length]!;
    parts.push(value);
    const text = i === 0 ? { value, annotations: [] } : { value };
    emit({ event: 'thread.message.delta', data: { id: 'msg_1', object: 'thread.message.delta', delta: { content: [{ index: 0, type: 'text', text }] } } });
  }
  const text = parts.join('');
  emit({ event: 'thread.message.completed', data: makeMessage({ status: 'completed', content: [{ type: 'text', text: { value: text, annotations: [] } }] }) });
  emit({ event: 'thread.run.step.completed', data: { ...messageStep, status: 'completed' } });
  emit({ event: 'thread.run.completed', data: makeRun({ status: 'completed', usage: { prompt_tokens: 10, completion_tokens: textDeltas, total_tokens: textDeltas + 10 } }) });
  return { sse: frames.join('') + SSE_DONE_FRAME, events, text };
}
