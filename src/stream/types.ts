import type { AssistantStreamError, Message, Run, RunStep } from '../wire/index.ts';
import type { StreamListeners } from '../../machines/callbacks.ts';

/**
 * The listener events of an {@link AssistantStream}, with the official TypeScript SDK's names
 * and arguments, derived from the callback table (`STREAM_CALLBACKS` in machines/callbacks.ts):
 * `connect` when reading begins; `event` for every accepted event, before the callbacks it
 * causes (unknown event names too); `run` with the final run (terminal, or paused at
 * requires_action), once, just before `end`; the lifecycle callbacks of messages, content,
 * run steps and tool calls; `error` or `abort` when the stream fails or is aborted; and `end`,
 * last of all, whatever the outcome.
 */
export interface AssistantStreamEvents extends StreamListeners {}

/** A listener event name: `textDelta`, `end`, … */
export type AssistantStreamEventName = keyof AssistantStreamEvents;

/** What `emitted(name)` resolves to: nothing, the one argument, or the tuple of them. */
export type EmittedValue<Name extends AssistantStreamEventName> = Parameters<AssistantStreamEvents[Name]> extends []
  ? undefined
  : Parameters<AssistantStreamEvents[Name]> extends [infer Only]
    ? Only
    : Parameters<AssistantStreamEvents[Name]>;

/** How a stream stands: reading, finished with a final run, failed, or aborted. */
export type AssistantStreamStatus = 'connecting' | 'streaming' | 'done' | 'failed' | 'aborted';

/** A plain read of everything a stream has accumulated, valid at any time. */
export interface AssistantStreamSnapshot {
  status: AssistantStreamStatus;
  /** The newest run object seen (any status). */
  run: Run | undefined;
  /** The run that ended the stream (terminal or requires_action), once seen. */
  finalRun: Run | undefined;
  /** Every message seen, in order of first appearance, as accumulated so far. */
  messages: Message[];
  /** Every run step seen, in order of first appearance, as accumulated so far. */
  runSteps: RunStep[];
  /** What ended the stream, if it failed or was aborted. */
  error: AssistantStreamError | undefined;
  /** How many events were accepted. */
  eventCount: number;
}
