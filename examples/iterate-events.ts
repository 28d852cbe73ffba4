// Iterating every event of a stream: `for await`, with each event's `event` name and `data`.
//
//   npx tsx examples/iterate-events.ts
import { isStreamEvent } from 'assistant-machines';
import { printToStdout, runIfMain, withClient, type Print } from './support.ts';

/** Prints the text of every message delta; resolves with the names of all events seen. */
export async function main(baseURL?: string, print: Print = printToStdout): Promise<string[]> {
  return withClient(baseURL, async (client) => {
    const assistant = await client.beta.assistants.create({ model: 'scripted', instructions: 'You are a helpful assistant.' });
    const stream = client.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Tell me something about statecharts.' }] },
    });
    const names: string[] = [];
    for await (const event of stream) {
      names.push(event.event);
      // Print the text from text delta events (isStreamEvent narrows `data` by the name).
      if (isStreamEvent(event, 'thread.message.delta')) {
        const [part] = event.data.delta.content ?? [];
        if (part?.type === 'text') print(part.text?.value ?? '');
      }
    }
    print('\n');
    return names;
  });
}

runIfMain(import.meta.url, main);
