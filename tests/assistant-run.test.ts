import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { clientOf, runToEnd, WEATHER_AND_TIME } from './helpers/assistantRun.ts';

const test = suite<{ ts: TestServer; assistantId: string }>('assistantRun');

test.before(async (context) => {
  context.ts = await startTestServer();
  const assistant = await context.ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME });
  context.assistantId = assistant.id;
});
test.after(async ({ ts }) => {
  assert.equal(ts.internalErrors, []);
  await ts.close();
});

test('tool loop: parallel calls run together, their outputs are submitted once, the run completes', async ({ ts, assistantId }) => {
  const thread = await ts.openai.beta.threads.create();
  const calls: string[] = [];
  const { output, progress } = await runToEnd(
    {
      client: clientOf(ts.server.url),
      tools: {
        get_weather: async (args) => (calls.push(`weather ${JSON.stringify(args)}`), { temp: '22C' }),
        get_time: (args) => (calls.push(`time ${JSON.stringify(args)}`), '14:00'),
      },
    },
    { threadId: thread.id, assistantId, additionalMessages: [{ role: 'user', content: "What's the weather and the time in Paris?" }] },
  );
  assert.is(output.run.status, 'completed');
  assert.equal(calls.sort(), ['time {"city":"Paris"}', 'weather {"city":"Paris"}']);
  assert.is(output.messages.length, 1);
  console.log(JSON.stringify(output.messages[0]!.content));
  console.log(progress.map((p) => p.type === 'assistantRun.event' ? p.event.event : p.type).join(' '));
});

test.run();
