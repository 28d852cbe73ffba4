// A background continuation (function outputs with previous_response_id, background: true) says
// `queued` once, as the Assistants API does after tool outputs: its response.created already
// stands for it, so its own response.queued adds no second thread.run.queued.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient, type Run } from '../src/index.ts';
import { startTestServer } from './helpers/server.ts';

const WEATHER = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } as const;

test('a background continuation announces queued once, then in_progress and its end', async () => {
  const t = await startTestServer();
  try {
    const client = new AssistantsClient({ baseURL: t.server.url, apiKey: 'k', maxRetries: 0, lifecycle: 'strict' });
    const statuses = (events: string[]) => events.filter((name) => name.startsWith('thread.run.') && !name.startsWith('thread.run.step'));
    const first = client.responses.stream({ model: 'scripted', input: "What's the weather in Paris?", background: true, tools: [WEATHER] });
    const firstEvents: string[] = [];
    first.on('event', (event) => firstEvents.push(event.event));
    const paused = (await first.finalRun()) as Run & { response_id: string };
    assert.equal(statuses(firstEvents), ['thread.run.created', 'thread.run.queued', 'thread.run.in_progress', 'thread.run.requires_action']);

    const [call] = paused.required_action!.submit_tool_outputs.tool_calls;
    const next = client.responses.stream({
      model: 'scripted',
      background: true,
      tools: [WEATHER],
      previous_response_id: paused.response_id,
      input: [{ type: 'function_call_output', call_id: call!.id, output: 'sunny' }],
    });
    const nextEvents: string[] = [];
    next.on('event', (event) => nextEvents.push(event.event));
    const run = await next.finalRun();
    assert.is(run.id, paused.id, 'the same run');
    assert.equal(statuses(nextEvents), ['thread.run.queued', 'thread.run.in_progress', 'thread.run.completed']);
  } finally {
    await t.close();
  }
});

test.run();
