// docs/guide.md: "Listeners".
import type { Setup } from './setup.ts';

export async function main({ client, assistant, thread }: Setup) {
  // #region readme
  const stream = client.beta.threads.runs
    .stream(thread.id, { assistant_id: assistant.id })
    .on('textCreated', () => process.stdout.write('\nassistant > '))
    .on('textDelta', (delta) => process.stdout.write(delta.value ?? ''))
    .on('toolCallCreated', (toolCall) => process.stdout.write(`\nassistant > ${toolCall.type}\n`))
    .on('toolCallDelta', (delta) => {
      if (delta.type === 'code_interpreter') process.stdout.write(delta.code_interpreter?.input ?? '');
    })
    .on('end', () => process.stdout.write('\n'));

  const run = await stream.finalRun();
  console.log(run.status); // completed
  // #endregion
  return run;
}
