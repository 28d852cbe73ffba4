// Iterating only the text, like the Python SDK's `text_deltas`: `stream.textDeltas`.
//
//   npx tsx examples/iterate-text.ts
import { printToStdout, runIfMain, withClient, type Print } from './support.ts';

/** Prints the answer as it streams; resolves with the whole text. */
export async function main(baseURL?: string, print: Print = printToStdout): Promise<string> {
  return withClient(baseURL, async (client) => {
    const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 2**10 + 3*7?' }] });
    const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    let text = '';
    for await (const fragment of stream.textDeltas) {
      print(fragment);
      text += fragment;
    }
    print('\n');
    return text;
  });
}

runIfMain(import.meta.url, main);
