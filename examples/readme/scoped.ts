// docs/guide.md: "Scoped streams".
import type { Setup } from './setup.ts';

export async function main({ client, assistant, thread }: Setup) {
  // #region readme
  let text = '';
  {
    await using stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    for await (const delta of stream.textDeltas) {
      text += delta;
      if (text.length > 10) break; // enough: breaking out aborts the stream
    }
  } // and leaving the scope aborts it too, whatever happened inside
  // #endregion
  return text;
}
