// README: "Quickstart", a handler class.
// #region readme
import { AssistantEventHandler, type TextDelta, type ToolCall, type ToolCallDelta } from 'assistant-machines';
// #endregion
import type { Setup } from './setup.ts';

export async function main({ client, assistant, thread }: Setup) {
  // #region readme
  class Printer extends AssistantEventHandler {
    override onTextCreated() {
      process.stdout.write('\nassistant > ');
    }
    override onTextDelta(delta: TextDelta) {
      process.stdout.write(delta.value ?? '');
    }
    override onToolCallCreated(toolCall: ToolCall) {
      process.stdout.write(`\nassistant > ${toolCall.type}\n`);
    }
    override onToolCallDelta(delta: ToolCallDelta) {
      if (delta.type === 'code_interpreter') process.stdout.write(delta.code_interpreter?.input ?? '');
    }
  }

  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }, { handler: new Printer() });
  await stream.done();
  // #endregion
  return stream;
}
