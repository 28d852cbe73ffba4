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
} from '../src/wire/index.ts';

/**
 * The parameters of every callback action, by action name. The names are the official
 * TypeScript SDK's event names; each machine declares the ones it fires as named actions with
 * no-op defaults, and `provide()` supplies what they do.
 */
export interface StreamCallbackParams {
  connect: Record<string, never>;
  event: { event: AssistantStreamEvent | UnknownStreamEvent };
  run: { run: Run };
  messageCreated: { message: Message };
  messageDelta: { delta: MessageDelta; snapshot: Message };
  messageDone: { message: Message };
  textCreated: { text: Text };
  textDelta: { delta: TextDelta; snapshot: Text };
  textDone: { text: Text; message: Message };
  imageFileDone: { imageFile: ImageFile; message: Message };
  runStepCreated: { runStep: RunStep };
  runStepDelta: { delta: RunStepDelta; snapshot: RunStep };
  runStepDone: { runStep: RunStep; snapshot: RunStep };
  toolCallCreated: { toolCall: ToolCall };
  toolCallDelta: { delta: ToolCallDelta; snapshot: ToolCall };
  toolCallDone: { toolCall: ToolCall };
  timeout: { error: AssistantStreamError };
  exception: { error: AssistantStreamError };
  error: { error: AssistantStreamError };
  abort: { error: AssistantStreamError };
  end: Record<string, never>;
}

/** The name of a callback action (`textDelta`, `runStepDone`, …). */
export type StreamCallbackName = keyof StreamCallbackParams;

/** A no-op callback action, to be replaced through `provide()`. */
export function noop<Name extends StreamCallbackName>(): (args: unknown, params: StreamCallbackParams[Name]) => void {
  return () => {};
}
