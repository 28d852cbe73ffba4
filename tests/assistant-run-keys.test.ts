// The keys a durable host relies on, in process: a tool call's idempotency key is the same
// wherever it runs (`<run id>/<tool call id>`), and a start input may give the run key that goes
// into the run's metadata (a host derives it from its journal, so a replayed create finds its run).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ToolContext } from '../src/index.ts';
import { clientOf, runToEnd, WEATHER_AND_TIME } from './helpers/assistantRun.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

const test = suite<{ ts: TestServer; assistantId: string }>('assistantRun keys');

test.before(async (context) => {
  context.ts = await startTestServer();
  context.assistantId = (await context.ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME })).id;
});
test.after(async ({ ts }) => {
  assert.equal(ts.internalErrors, []);
  await ts.close();
});

test('each tool call gets <run id>/<tool call id> as its idempotency key; the given run key is in the metadata', async ({ ts, assistantId }) => {
  const seen: Array<[string, string]> = [];
  const keep = (value: unknown) => (_args: unknown, { toolCall, idempotencyKey }: ToolContext) => {
    seen.push([toolCall.id, idempotencyKey]);
    return value;
  };
  const thread = await ts.openai.beta.threads.create();
  const { output } = await runToEnd(
    { client: clientOf(ts.server.url), tools: { get_weather: keep({ temp: '22C' }), get_time: keep('14:00') } },
    { threadId: thread.id, assistantId, additionalMessages: [{ role: 'user', content: "What's the weather and the time in Paris?" }], runKey: 'host-key-1' },
  );
  assert.is(seen.length, 2);
  for (const [callId, key] of seen) assert.is(key, `${output.run.id}/${callId}`);
  assert.is(output.run.metadata?.['assistant_machines_run'], 'host-key-1');
});

test.run();
