// The Python quickstart's EventHandler, in TypeScript: subclass AssistantEventHandler, override
// what you need, pass an instance as `handler`. The overrides run as the statecharts' actions.
//
//   npx tsx examples/event-handler.ts
import {
  AssistantEventHandler,
  type Run,
  type Text,
  type TextDelta,
  type ToolCall,
  type ToolCallDelta,
} from 'assistant-machines';
import { printToStdout, runIfMain, withClient, type Print } from './support.ts';

export class EventHandler extends AssistantEventHandler {
  readonly #print: Print;

  constructor(print: Print) {
    super();
    this.#print = print;
  }

  override onTextCreated(_text: Text): void {
    this.#print('\nassistant > ');
  }

  override onTextDelta(delta: TextDelta, _snapshot: Text): void {
    this.#print(delta.value ?? '');
  }

  override onToolCallCreated(toolCall: ToolCall): void {
    this.#print(`\nassistant > ${toolCall.type}\n`);
  }

  override onToolCallDelta(delta: ToolCallDelta, _snapshot: ToolCall): void {
    if (delta.type !== 'code_interpreter') return;
    if (delta.code_interpreter?.input) this.#print(delta.code_interpreter.input);
    if (delta.code_interpreter?.outputs) {
      this.#print('\n\noutput >\n');
      for (const output of delta.code_interpreter.outputs) {
        if (output.type === 'logs') this.#print(`\n${output.logs}\n`);
      }
    }
  }
}

/** Streams the quickstart's math question through {@link EventHandler}; resolves with the final run. */
export async function main(baseURL?: string, print: Print = printToStdout): Promise<Run> {
  return withClient(baseURL, async (client) => {
    const assistant = await client.beta.assistants.create({
      name: 'Math Tutor',
      instructions: 'You are a personal math tutor. Write and run code to answer math questions.',
      tools: [{ type: 'code_interpreter' }],
      model: 'scripted',
    });
    const thread = await client.beta.threads.create();
    await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'I need to solve the equation 3x + 11 = 14. What is (14 - 11) / 3?',
    });
    const stream = client.beta.threads.runs.stream(
      thread.id,
      { assistant_id: assistant.id, instructions: 'Please address the user as Jane Doe. The user has a premium account.' },
      { handler: new EventHandler(print) },
    );
    await stream.untilDone();
    return stream.finalRun();
  });
}

runIfMain(import.meta.url, main);
