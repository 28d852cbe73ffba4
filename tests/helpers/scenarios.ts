import fc from 'fast-check';
import { makeMessage, makeRun, makeRunStep, type ScriptedEvent } from '../../src/testing/index.ts';
import type { Message, MessageContent, Run, RunStep, ToolCall } from '../../src/wire/index.ts';

// Valid Assistants streams, shaped like the real API's: sequential messages and steps, each
// opened, fed with deltas, and closed; parallel tool calls streamed one after the other.

type Annotation = { kind: 'file_citation' | 'file_path'; fileId: string };
type TextBlock = { kind: 'text'; fragments: string[]; annotations: Annotation[] };
type ImageBlock = { kind: 'image_file'; fileId: string };
type MessageStep = { kind: 'message'; blocks: Array<TextBlock | ImageBlock> };
type CodeCall = { kind: 'code_interpreter'; input: string[]; outputs: Array<{ kind: 'logs'; text: string } | { kind: 'image'; fileId: string }> };
type FileSearchCall = { kind: 'file_search' };
type FunctionCall = { kind: 'function'; name: string; args: string[] };
type ToolStep = { kind: 'tools'; calls: Array<CodeCall | FileSearchCall | FunctionCall> };

/** The structural choices of one stream; {@link buildScenario} turns them into events. */
export interface ScenarioPlan {
  createsThread: boolean;
  /** Starts like a submit_tool_outputs stream: with the completion of a step from before. */
  resumesAfterToolOutputs: boolean;
  steps: Array<MessageStep | ToolStep>;
  ending: 'completed' | 'incomplete' | 'failed' | 'cancelled' | 'expired' | 'requires_action';
  /**
   * For failed/cancelled/expired endings, what happens to the last step: it finishes normally,
   * the run's ending closes it (message incomplete, step failed/cancelled/expired), or it is
   * left open with no closing events at all.
   */
  lastStepFate: 'finishes' | 'closed-by-run' | 'left-open';
  requiredCalls: FunctionCall[];
}

const fragment = fc.string({ unit: 'grapheme', maxLength: 6 });
const fileId = fc.stringMatching(/^file-[a-z0-9]{3,6}$/);
const name = fc.constantFrom('get_weather', 'lookup_order', 'send_email');

const textBlock: fc.Arbitrary<TextBlock> = fc.record({
  kind: fc.constant('text' as const),
  fragments: fc.array(fragment, { minLength: 1, maxLength: 5 }),
  annotations: fc.array(fc.record({ kind: fc.constantFrom('file_citation' as const, 'file_path' as const), fileId }), { maxLength: 2 }),
});
const imageBlock: fc.Arbitrary<ImageBlock> = fc.record({ kind: fc.constant('image_file' as const), fileId });
const messageStep: fc.Arbitrary<MessageStep> = fc.record({
  kind: fc.constant('message' as const),
  blocks: fc.array(fc.oneof({ weight: 3, arbitrary: textBlock }, { weight: 1, arbitrary: imageBlock }), { minLength: 1, maxLength: 3 }),
});
const codeCall: fc.Arbitrary<CodeCall> = fc.record({
  kind: fc.constant('code_interpreter' as const),
  input: fc.array(fragment, { minLength: 1, maxLength: 4 }),
  outputs: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('logs' as const), text: fragment }),
      fc.record({ kind: fc.constant('image' as const), fileId }),
    ),
    { maxLength: 2 },
  ),
});
const functionCall: fc.Arbitrary<FunctionCall> = fc.record({
  kind: fc.constant('function' as const),
  name,
  args: fc.array(fragment, { minLength: 1, maxLength: 4 }),
});
const toolStep: fc.Arbitrary<ToolStep> = fc.record({
  kind: fc.constant('tools' as const),
  calls: fc.array(fc.oneof(codeCall, fc.constant({ kind: 'file_search' as const }), functionCall), { minLength: 1, maxLength: 3 }),
});

/** Plans of valid streams: several messages and blocks, every tool kind, every ending. */
export const scenarioPlan: fc.Arbitrary<ScenarioPlan> = fc.record({
  createsThread: fc.boolean(),
  resumesAfterToolOutputs: fc.boolean(),
  steps: fc.array(fc.oneof(messageStep, toolStep), { maxLength: 3 }),
  ending: fc.constantFrom('completed', 'incomplete', 'failed', 'cancelled', 'expired', 'requires_action'),
  lastStepFate: fc.constantFrom('finishes' as const, 'closed-by-run' as const, 'left-open' as const),
  requiredCalls: fc.array(functionCall, { minLength: 1, maxLength: 3 }),
});

/** The events of a plan, as the real API would send them. */
export function buildScenario(plan: ScenarioPlan): ScriptedEvent[] {
  const events: ScriptedEvent[] = [];
  const emit = (event: string, data: unknown) => events.push({ event, data: structuredClone(data) });
  let ids = 0;
  const nextId = (prefix: string) => `${prefix}_${++ids}`;
  const run = (status: Run['status'], extra: Partial<Run> = {}) => makeRun({ status, ...extra });

  if (plan.createsThread && !plan.resumesAfterToolOutputs) {
    emit('thread.created', { id: 'thread_1', object: 'thread', created_at: 1, tool_resources: {}, metadata: {} });
  }
  if (plan.resumesAfterToolOutputs) {
    const calls = plan.requiredCalls.map((call, index) => finishedFunctionCall(call, index, `call_prev_${index}`, 'ok'));
    emit('thread.run.step.completed', makeRunStep({ id: 'step_prev', type: 'tool_calls', status: 'completed', step_details: { type: 'tool_calls', tool_calls: calls } }));
    emit('thread.run.queued', run('queued'));
  } else {
    emit('thread.run.created', run('queued'));
    emit('thread.run.queued', run('queued'));
  }
  emit('thread.run.in_progress', run('in_progress'));

  const runEnding = plan.ending === 'failed' || plan.ending === 'cancelled' || plan.ending === 'expired' ? plan.ending : undefined;
  plan.steps.forEach((step, position) => {
    const fate = runEnding !== undefined && position === plan.steps.length - 1 ? plan.lastStepFate : 'finishes';
    if (step.kind === 'message') streamMessageStep(step, fate, runEnding);
    else streamToolStep(step.calls, fate === 'finishes' ? 'complete' : fate === 'left-open' ? 'leave-open' : runEnding!);
  });

  switch (plan.ending) {
    case 'requires_action': {
      const calls = streamToolStep(plan.requiredCalls, 'pause');
      emit(
        'thread.run.requires_action',
        run('requires_action', {
          required_action: {
            type: 'submit_tool_outputs',
            submit_tool_outputs: {
              tool_calls: calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: (call as Extract<ToolCall, { type: 'function' }>).function.name, arguments: (call as Extract<ToolCall, { type: 'function' }>).function.arguments } })),
            },
          },
        }),
      );
      break;
    }
    case 'cancelled':
      emit('thread.run.cancelling', run('cancelling'));
      emit('thread.run.cancelled', run('cancelled', { cancelled_at: 2 }));
      break;
    case 'completed':
      emit('thread.run.completed', run('completed', { completed_at: 2, usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } }));
      break;
    case 'incomplete':
      emit('thread.run.incomplete', run('incomplete', { incomplete_details: { reason: 'max_completion_tokens' } }));
      break;
    case 'failed':
      emit('thread.run.failed', run('failed', { failed_at: 2, last_error: { code: 'server_error', message: 'boom' } }));
      break;
    case 'expired':
      emit('thread.run.expired', run('expired'));
      break;
  }
  return events;

  function streamMessageStep(step: MessageStep, fate: ScenarioPlan['lastStepFate'], runEnding: 'failed' | 'cancelled' | 'expired' | undefined): void {
    const messageId = nextId('msg');
    const stepId = nextId('step');
    const stepObject = makeRunStep({ id: stepId, step_details: { type: 'message_creation', message_creation: { message_id: messageId } } });
    emit('thread.run.step.created', stepObject);
    emit('thread.run.step.in_progress', stepObject);
    const message = makeMessage({ id: messageId });
    emit('thread.message.created', message);
    emit('thread.message.in_progress', message);
    const content: MessageContent[] = [];
    step.blocks.forEach((block, index) => {
      const delta = (entry: object) => emit('thread.message.delta', { id: messageId, object: 'thread.message.delta', delta: { content: [{ index, ...entry }] } });
      if (block.kind === 'image_file') {
        delta({ type: 'image_file', image_file: { file_id: block.fileId } });
        content.push({ type: 'image_file', image_file: { file_id: block.fileId } });
        return;
      }
      let value = '';
      block.fragments.forEach((text, n) => {
        delta({ type: 'text', text: n === 0 ? { value: text, annotations: [] } : { value: text } });
        value += text;
      });
      const annotations = block.annotations.map((annotation, n) => {
        const marker = `【${n}†source】`;
        const start = value.length;
        value += marker;
        const body =
          annotation.kind === 'file_citation'
            ? { type: 'file_citation' as const, text: marker, file_citation: { file_id: annotation.fileId }, start_index: start, end_index: start + marker.length }
            : { type: 'file_path' as const, text: marker, file_path: { file_id: annotation.fileId }, start_index: start, end_index: start + marker.length };
        delta({ type: 'text', text: { value: marker, annotations: [{ index: n, ...body }] } });
        return body;
      });
      content.push({ type: 'text', text: { value, annotations } });
    });
    if (fate === 'left-open') return;
    const closedByRun = fate === 'closed-by-run' && runEnding !== undefined;
    const ending = plan.ending === 'incomplete' || closedByRun ? 'incomplete' : 'completed';
    const reason = closedByRun ? `run_${runEnding}` : 'max_tokens';
    const final: Message = makeMessage({
      id: messageId,
      status: ending,
      content,
      ...(ending === 'incomplete' ? { incomplete_details: { reason }, incomplete_at: 2 } : { completed_at: 2 }),
    });
    emit(`thread.message.${ending}`, final);
    const stepStatus = closedByRun ? runEnding : 'completed';
    emit(`thread.run.step.${stepStatus}`, { ...stepObject, status: stepStatus, completed_at: 2, usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
  }

  function streamToolStep(calls: ToolStep['calls'], how: 'complete' | 'leave-open' | 'pause' | 'failed' | 'cancelled' | 'expired'): ToolCall[] {
    const stepId = nextId('step');
    const stepObject = makeRunStep({ id: stepId, type: 'tool_calls', step_details: { type: 'tool_calls', tool_calls: [] } });
    emit('thread.run.step.created', stepObject);
    emit('thread.run.step.in_progress', stepObject);
    const delta = (entry: object) =>
      emit('thread.run.step.delta', { id: stepId, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [entry] } } });
    const finished: ToolCall[] = calls.map((call, index) => {
      const id = nextId('call');
      if (call.kind === 'file_search') {
        delta({ index, id, type: 'file_search', file_search: {} });
        return { id, type: 'file_search', file_search: {} };
      }
      if (call.kind === 'function') {
        delta({ index, id, type: 'function', function: { name: call.name, arguments: '', output: null } });
        for (const args of call.args) delta({ index, type: 'function', function: { arguments: args } });
        return { id, type: 'function', function: { name: call.name, arguments: call.args.join(''), output: null } };
      }
      delta({ index, id, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } });
      for (const input of call.input) delta({ index, type: 'code_interpreter', code_interpreter: { input } });
      const outputs = call.outputs.map((output, n) => {
        const entry = output.kind === 'logs' ? { type: 'logs' as const, logs: output.text } : { type: 'image' as const, image: { file_id: output.fileId } };
        delta({ index, type: 'code_interpreter', code_interpreter: { outputs: [{ index: n, ...entry }] } });
        return entry;
      });
      return { id, type: 'code_interpreter', code_interpreter: { input: call.input.join(''), outputs } };
    });
    if (how !== 'leave-open' && how !== 'pause') {
      const status = how === 'complete' ? 'completed' : how;
      const final: RunStep = { ...stepObject, status, completed_at: 2, step_details: { type: 'tool_calls', tool_calls: finished } };
      emit(`thread.run.step.${status}`, final);
    }
    return finished;
  }
}

function finishedFunctionCall(call: FunctionCall, _index: number, id: string, output: string): ToolCall {
  return { id, type: 'function', function: { name: call.name, arguments: call.args.join(''), output } };
}
