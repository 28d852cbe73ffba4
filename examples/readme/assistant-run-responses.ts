// docs/responses.md: "A run as an actor on the Responses API".
import { createActor, toPromise } from 'xstate';
import { createAssistantRun } from '../../src/index.ts';
import type { Setup } from './setup.ts';

export async function main({ client }: Pick<Setup, 'client'>) {
  // #region readme
  const weatherRun = createAssistantRun({
    client,
    tools: { get_weather: async ({ city }: { city: string }) => ({ city, forecast: 'sunny' }) },
    // What `assistantId` stands for where there are no assistants; a thread is a conversation.
    responses: {
      assistants: {
        weather: { model: 'scripted', tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }] },
      },
    },
  });
  const actor = createActor(weatherRun, {
    input: { threadId: 'support-chat-42', assistantId: 'weather', additionalMessages: [{ role: 'user', content: "What's the weather in Paris?" }] },
  });
  const { run, messages } = await toPromise(actor.start()); // run.id: the first response's id
  // #endregion
  return { run, messages };
}
