import type * as FastCheck from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { Message, MessageContent, Run, RunStep, ToolCall } from '../wire/index.ts';
import { mutateStream } from './mutations.ts';
import { makeMessage, makeRun, makeRunStep, type ScriptedEvent } from './objects.ts';

// Valid Assistants streams, shaped like the real API's and drawn by the charts: the run's
// lifecycle (created, queued, in_progress, then an ending or requires_action), sequential
// steps each opened, fed with deltas and closed (message steps: the message chart's
// created → in_progress → deltas opening text and image blocks → completed | incomplete; tool
// steps: parallel calls streamed one after the other, the tool call chart's first fragment and
// later ones), and for failed, cancelled and expired runs the last step finished, closed by the
// run's ending, or left open.

export type PlannedAnnotation = { kind: 'file_citation' | 'file_path'; fileId: string };
export type PlannedTextBlock = { kind: 'text'; fragments: string[]; annotations: PlannedAnnotation[] };
export type PlannedImageBlock = { kind: 'image_file'; fileId: string };
export type PlannedMessageStep = { kind: 'message'; blocks: Array<PlannedTextBlock | PlannedImageBlock> };
export type PlannedCodeCall = { kind: 'code_interpreter'; input: string[]; outputs: Array<{ kind: 'logs'; text: string } | { kind: 'image'; fileId: string }> };
export type PlannedFileSearchCall = { kind: 'file_search' };
export type PlannedFunctionCall = { kind: 'function'; name: string; args: string[] };
export type PlannedToolStep = { kind: 'tools'; calls: Array<PlannedCodeCall | PlannedFileSearchCall | PlannedFunctionCall> };

/** The structural choices of one valid run stream; {@link buildRunStream} turns them into events. */
export interface RunStreamPlan {
  createsThread: boolean;
  /** Starts like a submit_tool_outputs stream: with the completion of a step from before. */
  resumesAfterToolOutputs: boolean;
  steps: Array<PlannedMessageStep | PlannedToolStep>;
  ending: 'completed' | 'incomplete' | 'failed' | 'cancelled' | 'expired' | 'requires_action';
  /**
   * For failed/cancelled/expired endings, what happens to the last step: it finishes normally,
   * the run's ending closes it (message incomplete, step failed/cancelled/expired), or it is
   * left open with no closing events at all.
   */
  lastStepFate: 'finishes' | 'closed-by-run' | 'left-open';
  requiredCalls: PlannedFunctionCall[];
}


/** A valid run stream and the final state a consumer of it must reach. */
export interface ValidRunStream {
  events: ScriptedEvent[];
  /** The final run's status (a terminal one, or `requires_action`). */
  finalRunStatus: Run['status'];
  /** Every message of the stream, in order, with its text blocks' final text joined. */
  messages: Array<{ id: string; text: string }>;
}

/** A valid stream broken one way, and what was broken (see `mutateStream`). */
export interface MutatedRunStream {
  /** The valid stream it was made from. */
  valid: ValidRunStream;
  events: ScriptedEvent[];
  /** `drops event #3 (thread.message.created)` */
  broke: string;
}

/** The parts of fast-check the arbitraries are built with: its default export or its namespace. */
export type FastCheckLike = Pick<typeof FastCheck, 'array' | 'boolean' | 'constant' | 'constantFrom' | 'nat' | 'oneof' | 'record' | 'string' | 'stringMatching' | 'tuple'>;

/** The arbitraries {@link runStreamArbitraries} makes. */
export interface RunStreamArbitraries {
  /** The structure of a stream: steps, blocks, calls, annotations, the ending. */
  plan: Arbitrary<RunStreamPlan>;
  /** Whole valid run streams with their predicted final state. */
  validStream: Arbitrary<ValidRunStream>;
  /** A valid stream broken one way (dropped, swapped, repeated, renamed, replayed, cut), saying how. */
  mutatedStream: Arbitrary<MutatedRunStream>;
}

/**
 * fast-check arbitraries of whole run streams: several steps, parallel tool calls (function,
 * code interpreter, file search), several messages with text and image blocks and annotations,
 * every ending — each with the final state it must end in — and of the same streams broken one
 * way. Pass your own `fast-check` (v4): the arbitraries are built with it, so they shrink and
 * replay with your `fc.assert` and are deterministic per seed.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * const { validStream } = runStreamArbitraries(fc);
 * await fc.assert(fc.asyncProperty(validStream, async ({ events, finalRunStatus }) => {
 *   const run = await AssistantStream.fromSSE(textSource(toSSE(events))).finalRun();
 *   return run.status === finalRunStatus;
 * }), { seed: 42 });
 * ```
 */
export function runStreamArbitraries(fc: FastCheckLike): RunStreamArbitraries {
  const fragment = fc.string({ unit: 'grapheme', maxLength: 6 });
  const fileId = fc.stringMatching(/^file-[a-z0-9]{3,6}$/);
  const name = fc.constantFrom('get_weather', 'lookup_order', 'send_email');

  const textBlock: Arbitrary<PlannedTextBlock> = fc.record({
    kind: fc.constant('text' as const),
    fragments: fc.array(fragment, { minLength: 1, maxLength: 5 }),
    annotations: fc.array(fc.record({ kind: fc.constantFrom('file_citation' as const, 'file_path' as const), fileId }), { maxLength: 2 }),
  });
  const imageBlock: Arbitrary<PlannedImageBlock> = fc.record({ kind: fc.constant('image_file' as const), fileId });
  const messageStep: Arbitrary<PlannedMessageStep> = fc.record({
    kind: fc.constant('message' as const),
    blocks: fc.array(fc.oneof({ weight: 3, arbitrary: textBlock }, { weight: 1, arbitrary: imageBlock }), { minLength: 1, maxLength: 3 }),
  });
  const codeCall: Arbitrary<PlannedCodeCall> = fc.record({
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
  const functionCall: Arbitrary<PlannedFunctionCall> = fc.record({
    kind: fc.constant('function' as const),
    name,
    args: fc.array(fragment, { minLength: 1, maxLength: 4 }),
  });
  const toolStep: Arbitrary<PlannedToolStep> = fc.record({
    kind: fc.constant('tools' as const),
    calls: fc.array(fc.oneof(codeCall, fc.constant({ kind: 'file_search' as const }), functionCall), { minLength: 1, maxLength: 3 }),
  });

  const plan: Arbitrary<RunStreamPlan> = fc.record({
    createsThread: fc.boolean(),
    resumesAfterToolOutputs: fc.boolean(),
    steps: fc.array(fc.oneof(messageStep, toolStep), { maxLength: 3 }),
    ending: fc.constantFrom('completed', 'incomplete', 'failed', 'cancelled', 'expired', 'requires_action'),
    lastStepFate: fc.constantFrom('finishes' as const, 'closed-by-run' as const, 'left-open' as const),
    requiredCalls: fc.array(functionCall, { minLength: 1, maxLength: 3 }),
  });
  const validStream = plan.map(buildRunStream);
  const mutatedStream = fc.tuple(validStream, fc.nat(), fc.nat()).map(([valid, pick, at]) => ({ valid, ...mutateStream(valid.events, pick, at) }));
  return { plan, validStream, mutatedStream };
}

/**
 * The events of a plan, as the real API would send them, with what a consumer must end with:
 * the final run's status and every message's final text, in order.
 *
 * @example `const { events, finalRunStatus } = buildRunStream(plan);`
 */
export function buildRunStream(plan: RunStreamPlan): ValidRunStream {
  const events: ScriptedEvent[] = [];
  const messages: ValidRunStream['messages'] = [];
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
  return { events, finalRunStatus: plan.ending, messages };

  function streamMessageStep(step: PlannedMessageStep, fate: RunStreamPlan['lastStepFate'], runEnding: 'failed' | 'cancelled' | 'expired' | undefined): void {
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
    messages.push({ id: messageId, text: content.map((part) => (part.type === 'text' ? part.text.value : '')).join('') });
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

  function streamToolStep(calls: PlannedToolStep['calls'], how: 'complete' | 'leave-open' | 'pause' | 'failed' | 'cancelled' | 'expired'): ToolCall[] {
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

function finishedFunctionCall(call: PlannedFunctionCall, _index: number, id: string, output: string): ToolCall {
  return { id, type: 'function', function: { name: call.name, arguments: call.args.join(''), output } };
}
