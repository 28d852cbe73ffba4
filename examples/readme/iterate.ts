// docs/guide.md: "Iterating".
import type { Setup } from './setup.ts';

export async function main({ client, assistant, thread }: Setup) {
  // #region readme
  // Every event, as { event, data }
  const names: string[] = [];
  for await (const { event } of client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id })) names.push(event);

  // Only the text, as it arrives (the Python SDK's text_deltas)
  await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'And 6 * 7?' });
  for await (const text of client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).textDeltas) {
    process.stdout.write(text);
  }
  // #endregion
  return names;
}
