// docs/guide.md: "The finals".
import type { Setup } from './setup.ts';

export async function main({ client, assistant, thread }: Setup) {
  // #region readme
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
  const run = await stream.finalRun(); // completed, failed, … or paused at requires_action
  const [message] = await stream.finalMessages();
  const steps = await stream.finalRunSteps();
  console.log(run.status, run.usage?.total_tokens, message?.content[0], steps.length);

  const { status, eventCount, error } = stream.snapshot(); // at any time, also after a failure
  // #endregion
  return { run, message, steps, status, eventCount, error };
}
