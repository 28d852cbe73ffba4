// What the thread object's handlers and its running `run` handler agree on: the state keys, the
// signals commands travel on, and the shapes its callers see.
import type { AssistantRunAttachInput, AssistantRunStartInput, AssistantRunToolOutput } from '../../machines/assistantRun.ts';
import type { Run } from '../wire/index.ts';

/** A durable run's input: `createAssistantRun`'s, the thread being the object's key. */
export type DurableRunInput =
  | (Omit<AssistantRunStartInput, 'threadId' | 'runKey'> & { threadId?: string | undefined })
  | (Omit<AssistantRunAttachInput, 'threadId'> & { threadId?: string | undefined });

/** The events a running durable run takes through the object's `send` handler. */
export type DurableRunCommand = { type: 'cancel' } | { type: 'submitToolOutputs'; toolOutputs: AssistantRunToolOutput[] };

/** Where a thread's run stands, as the object's `state` handler answers (and keeps after it ends). */
export interface DurableRunState {
  /** The invocation of the run's `run` handler: attach to it, or signal it. */
  invocationId: string;
  /** The chart's state, dotted (`active.working.submitting`, `done`, `failed`). */
  state: string;
  runId: string | null;
  /** The run as last recorded (by a journaled step). */
  run: Run | null;
  /** True once the handler returned (or failed). */
  ended: boolean;
  /** Why it failed, when it did. */
  failure: { name: string; message: string } | null;
}

/** The state key of the thread's current (or last) run: a {@link DurableRunState}. @internal */
export const STATE = 'run';
/** The state key of the conversation's newest response (Responses mode). @internal */
export const CONVERSATION = 'conversation';
/** The signal a `cancel` travels on to the running handler. @internal */
export const CANCEL_SIGNAL = 'cancel';

/**
 * The name of the signal that carries one pause's tool outputs: the ids of the calls it answers,
 * so the sender needs nothing but its outputs to name it.
 *
 * @example `toolOutputsSignal([{ tool_call_id: 'call_b', output: '1' }, { tool_call_id: 'call_a', output: '2' }]) // 'toolOutputs:call_a,call_b'`
 */
export function toolOutputsSignal(callIds: ReadonlyArray<{ tool_call_id: string } | { id: string }>): string {
  return `toolOutputs:${callIds
    .map((call) => ('tool_call_id' in call ? call.tool_call_id : call.id))
    .sort()
    .join(',')}`;
}

