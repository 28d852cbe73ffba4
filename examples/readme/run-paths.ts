// README: "Test: your code on every path".
import fc from 'fast-check';
import { AssistantStream } from 'assistant-machines';
import { forEachRunPath, runStreamArbitraries, textSource, toSSE } from 'assistant-machines/testing';
import { ask } from '../tool-loop-paths.ts';

export async function main() {
  // #region readme
  const report = await forEachRunPath({ toolRounds: 1, concurrency: 4 }, async ({ path, client }) => {
    const answer = await ask(client, "What's the weather in Paris?"); // your app
    if (answer.status !== path.ending) throw new Error(`it reported ${answer.status}; the run ended ${path.ending}`);
  });
  console.log(report.summary); // 44/44 run paths passed, or a line per path that failed:
  // ✗ queued → in_progress → requires_action → expired: the server answered 400: …
  // #endregion

  // #region readme
  const { validStream } = runStreamArbitraries(fc); // mutatedStream too: what it broke, and how
  await fc.assert(
    fc.asyncProperty(validStream, async ({ events, finalRunStatus }) => {
      const run = await AssistantStream.fromSSE(textSource(toSSE(events))).finalRun();
      return run.status === finalRunStatus;
    }),
    { numRuns: 50, seed: 42 },
  );
  // #endregion
  return report;
}
