// README: "Embed: a run as an actor".
import { createActor, toPromise } from 'xstate';
import { createAssistantRun } from '../../src/index.ts';
import type { Setup } from './setup.ts';

export async function main({ client }: Omit<Setup, 'assistant' | 'thread'>) {
  const assistant = await client.beta.assistants.create({
    model: 'scripted',
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  });
  const thread = await client.beta.threads.create();
  // #region readme
  const weatherRun = createAssistantRun({
    client,
    tools: { get_weather: async ({ city }: { city: string }) => ({ city, forecast: 'sunny' }) }, // your functions
  });
  const actor = createActor(weatherRun, {
    input: { threadId: thread.id, assistantId: assistant.id, additionalMessages: [{ role: 'user', content: "What's the weather in Paris?" }], deadlineMs: 120_000 },
  });
  actor.on('assistantRun.textDelta', ({ text }) => process.stdout.write(text));
  const { run, messages } = await toPromise(actor.start());
  // #endregion
  return { run, messages };
}
