import { setup } from 'xstate';
import type { ToolCall, ToolCallDelta } from '../src/wire/index.ts';
import { noop } from './callbacks.ts';

/**
 * What a tool-call actor knows. `toolCall` is the live entry of its step's snapshot
 * (`step_details.tool_calls[index]`), grown in place by the step's accumulation.
 */
export interface ToolCallContext {
  index: number;
  toolCall: ToolCall;
}

/** Spawn input: the call's slot in its step and its live entry there. */
export interface ToolCallInput {
  index: number;
  toolCall: ToolCall;
}

/** What a tool-call actor reacts to (sent by its step). */
export type ToolCallEvent =
  /** A fragment for this call, already merged into `toolCall` by the step. */
  | { type: 'toolCall.delta'; delta: ToolCallDelta }
  /** The step ended, or the run paused for tool outputs: no more fragments will come. */
  | { type: 'toolCall.finish' };

/**
 * One tool call inside a `tool_calls` run step, tracked by its own slot so interleaved
 * fragments of parallel calls never confuse two calls. Its first fragment creates it; every
 * later fragment is a delta; it is done once, when its step ends or the run asks for outputs.
 *
 * ```
 * new ─toolCall.delta / toolCallCreated─► in_progress ─toolCall.finish─► done / toolCallDone
 *                                          ⟲ toolCall.delta / toolCallDelta
 * ```
 */
export const toolCallMachine = setup({
  types: {} as {
    context: ToolCallContext;
    events: ToolCallEvent;
    input: ToolCallInput;
  },
  actions: {
    toolCallCreated: noop<'toolCallCreated'>(),
    toolCallDelta: noop<'toolCallDelta'>(),
    toolCallDone: noop<'toolCallDone'>(),
  },
}).createMachine({
  id: 'toolCall',
  context: ({ input }) => ({ index: input.index, toolCall: input.toolCall }),
  initial: 'new',
  states: {
    new: {
      on: {
        'toolCall.delta': {
          target: 'in_progress',
          actions: { type: 'toolCallCreated', params: ({ context }) => ({ toolCall: context.toolCall }) },
        },
      },
    },
    in_progress: {
      on: {
        'toolCall.delta': {
          actions: {
            type: 'toolCallDelta',
            params: ({ context, event }) => ({ delta: event.delta, snapshot: context.toolCall }),
          },
        },
        'toolCall.finish': 'done',
      },
    },
    done: {
      type: 'final',
      entry: { type: 'toolCallDone', params: ({ context }) => ({ toolCall: context.toolCall }) },
    },
  },
});
