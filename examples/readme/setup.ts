// README: "Quickstart" (the setup every other snippet, in the README and the guides, continues from).
// #region readme
import { AssistantsClient } from 'assistant-machines';
import { createServer } from 'assistant-machines/server';
// #endregion

export async function main() {
  // #region readme
  const server = await createServer(); // an Assistants API in this process: loopback, no key, no network
  const client = new AssistantsClient({ baseURL: server.url, apiKey: 'unused' }); // or any compatible server
  const assistant = await client.beta.assistants.create({ model: 'scripted', tools: [{ type: 'code_interpreter' }] });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'What is 2**10 + 3*7?' }] });
  // #endregion
  return { server, client, assistant, thread };
}

/** What the other README snippets start from. */
export type Setup = Omit<Awaited<ReturnType<typeof main>>, 'server'>;
