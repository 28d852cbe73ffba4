// README: "Test: your code on every path".
import { forEachRunPath } from 'assistant-machines/testing';
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

  return report;
}
