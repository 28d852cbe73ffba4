// README: "Watch: the inspector".
import type { Setup } from './setup.ts';
// #region readme
import { createInspector } from 'assistant-machines/inspect';
// #endregion

export async function main({ client, assistant, thread }: Setup) {
  // #region readme
  const inspector = await createInspector(); // on 127.0.0.1, with a random token in its URLs
  console.log(`open ${inspector.url}`);

  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }, { inspect: inspector.inspect });
  await stream.done();
  // #endregion

  // The UI reads a JSON API; so can you (the token comes along in the URL's query)
  const actors: Array<{ name: string; value: unknown }> = await (await fetch(new URL(`/api/actors${new URL(inspector.url).search}`, inspector.url))).json();
  console.log(actors.map(({ name, value }) => `${name} ${JSON.stringify(value)}`).join('\n'));
  await inspector.close();
  return actors;
}
