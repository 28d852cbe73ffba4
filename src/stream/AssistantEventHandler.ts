import type {
  AssistantStreamError,
  AssistantStreamEvent,
  ImageFile,
  Message,
  MessageDelta,
  RunStep,
  RunStepDelta,
  Text,
  TextDelta,
  ToolCall,
  ToolCallDelta,
  UnknownStreamEvent,
} from '../wire/index.ts';
import type { StreamHandlerMethods } from '../../machines/callbacks.ts';

/**
 * The handler-class style of consuming a stream, after the official Python SDK's
 * `AssistantEventHandler`: subclass it and override what you need. Every method is a no-op
 * here; your overrides run as the statecharts' actions, in lifecycle order. Pass an instance
 * as the `handler` option.
 *
 * A method that throws does not crash anything: `onException` runs with the error and the
 * stream fails with it (`done()` rejects).
 *
 * @example
 * ```ts
 * class Printer extends AssistantEventHandler {
 *   override onTextDelta(delta: TextDelta) { process.stdout.write(delta.value ?? ''); }
 *   override onToolCallDone(toolCall: ToolCall) { console.log('\ntool:', toolCall.type); }
 * }
 * await AssistantStream.fromSSE(response, { handler: new Printer() }).done();
 * ```
 */
// The methods are written out, not generated from the callback table: TypeScript lets a
// subclass override only what its base declares as a method (a mapped type makes properties,
// error TS2425). `implements` makes the compiler hold this list to the table.
export class AssistantEventHandler implements StreamHandlerMethods {
  /** Every accepted event, before the callbacks it causes. */
  onEvent(_event: AssistantStreamEvent | UnknownStreamEvent): void {}
  onRunStepCreated(_runStep: RunStep): void {}
  onRunStepDelta(_delta: RunStepDelta, _snapshot: RunStep): void {}
  onRunStepDone(_runStep: RunStep, _snapshot: RunStep): void {}
  onMessageCreated(_message: Message): void {}
  onMessageDelta(_delta: MessageDelta, _snapshot: Message): void {}
  onMessageDone(_message: Message): void {}
  onTextCreated(_text: Text): void {}
  onTextDelta(_delta: TextDelta, _snapshot: Text): void {}
  onTextDone(_text: Text, _message: Message): void {}
  onImageFileDone(_imageFile: ImageFile, _message: Message): void {}
  onToolCallCreated(_toolCall: ToolCall): void {}
  onToolCallDelta(_delta: ToolCallDelta, _snapshot: ToolCall): void {}
  onToolCallDone(_toolCall: ToolCall): void {}
  /** Last of all, whatever the outcome. */
  onEnd(): void {}
  /** No bytes arrived for `idleTimeoutMs`; `onException` follows with the timeout error. */
  onTimeout(): void {}
  /** The stream failed (a bad event, a server error, a handler that threw); `onEnd` follows. */
  onException(_error: AssistantStreamError): void {}
}
