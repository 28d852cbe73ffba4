// README: "On the Responses API".
import type { Setup } from './setup.ts';

export async function main({ client }: Pick<Setup, 'client'>) {
  // #region readme
  const stream = client.responses
    .stream({ model: 'scripted', input: 'What is 2**10 + 3*7?', tools: [{ type: 'code_interpreter' }] })
    .on('response.output_text.delta', (event) => process.stdout.write(event.delta)); // the Responses names
  const response = await stream.finalResponse(); // the Responses object, with output_text
  const run = await stream.finalRun(); // the same answer, as a run
  console.log(`\n${run.status}: ${response.output.map((item) => item.type).join(', ')}`);
  // #endregion
  return { response, run, steps: await stream.finalRunSteps() };
}
