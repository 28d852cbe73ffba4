import { createActor, toPromise } from 'xstate';
import { AssistantsClient, createAssistantRun, type AssistantRunInput, type AssistantRunOptions, type AssistantRunOutput, type AssistantRunProgress } from '../../src/index.ts';
import { functionTool } from './server.ts';

/** The two function tools the scripted model calls for "weather and time in Paris". */
export const WEATHER_AND_TIME = [functionTool('get_weather', 'city'), functionTool('get_time', 'city')];

/** A client of `url` that does not retry (so faults show). */
export function clientOf(url: string, options: { fetch?: typeof fetch } = {}): AssistantsClient {
  return new AssistantsClient({ baseURL: url, apiKey: 'test-key', maxRetries: 0, ...options });
}

/** Runs one assistantRun actor to its end; resolves with its output and the progress it emitted. */
export async function runToEnd(
  options: AssistantRunOptions,
  input: AssistantRunInput,
  onStart?: (actor: ReturnType<typeof createActor<ReturnType<typeof createAssistantRun>>>) => void,
): Promise<{ output: AssistantRunOutput; progress: AssistantRunProgress[] }> {
  const actor = createActor(createAssistantRun(options), { input });
  const progress: AssistantRunProgress[] = [];
  actor.on('*', (item) => progress.push(item));
  actor.start();
  onStart?.(actor);
  const output = await toPromise(actor);
  return { output, progress };
}
