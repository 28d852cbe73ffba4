import type {
  AssistantStreamError,
  AssistantStreamEvent,
  ImageFile,
  Message,
  MessageDelta,
  Run,
  RunStep,
  RunStepDelta,
  Text,
  TextDelta,
  ToolCall,
  ToolCallDelta,
  UnknownStreamEvent,
} from '../wire/index.ts';

/**
 * The listener events of an {@link AssistantStream}, with the official TypeScript SDK's names
 * and arguments.
 */
export interface AssistantStreamEvents {
  /** The source is open and reading began. */
  connect: () => void;
  /** Every accepted event, before the callbacks it causes; unknown event names too. */
  event: (event: AssistantStreamEvent | UnknownStreamEvent) => void;
  /** The final run (terminal, or paused at requires_action), once, just before `end`. */
  run: (run: Run) => void;
  messageCreated: (message: Message) => void;
  messageDelta: (delta: MessageDelta, snapshot: Message) => void;
  messageDone: (message: Message) => void;
  runStepCreated: (runStep: RunStep) => void;
  runStepDelta: (delta: RunStepDelta, snapshot: RunStep) => void;
  runStepDone: (runStep: RunStep, snapshot: RunStep) => void;
  toolCallCreated: (toolCall: ToolCall) => void;
  toolCallDelta: (delta: ToolCallDelta, snapshot: ToolCall) => void;
  toolCallDone: (toolCall: ToolCall) => void;
  textCreated: (content: Text) => void;
  textDelta: (delta: TextDelta, snapshot: Text) => void;
  textDone: (content: Text, snapshot: Message) => void;
  imageFileDone: (content: ImageFile, snapshot: Message) => void;
  /** Last of all, whatever the outcome. */
  end: () => void;
  /** The stream failed; `error.kind` says why. Followed by `end`. */
  error: (error: AssistantStreamError) => void;
  /** The stream was aborted. Followed by `end`. */
  abort: (error: AssistantStreamError) => void;
}

/** A listener event name: `textDelta`, `end`, … */
export type AssistantStreamEventName = keyof AssistantStreamEvents;

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
